"""Drafts are never public, and only editors publish.

The first half reads the public site (pages, listings, search) for briefs that are drafts or
have unpublished changes; the second drives Wagtail's admin as each stock user: an author
writes, edits and submits their own briefs only, an editor edits any brief and publishes, a
reader and an anonymous visitor get nowhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupApprovalTask
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from briefdesk.briefs.blocks import CITING_FEATURES
from briefdesk.briefs.models import BriefPage
from briefdesk.core.roles import WORKFLOW
from briefdesk.sources.models import Source
from tests.db import rolled_back
from tests.factories import (
    PASSWORD,
    SiteTree,
    SourceFactory,
    Users,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
    make_users,
)
from tests.pages import html_of

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: SiteTree
    users: Users
    author: Any
    topic: Any
    published: BriefPage
    draft: BriefPage
    revised: BriefPage
    old_source: Source
    new_source: Source
    editors_brief: BriefPage
    authors_brief: BriefPage


def build_world() -> World:
    tree = make_site_tree()
    users = make_users()
    author = make_author(tree)
    topic = make_topic(tree)
    old_source = SourceFactory(title="Published source")
    new_source = SourceFactory(title="Draft-only source")
    published = make_brief(
        tree,
        title="Published brief",
        authors=[author],
        topics=[topic],
        date=dt.date(2010, 12, 1),
        body=[("paragraph", "<p>Everyone may read about quokkanomics.</p>")],
    )
    # Newer than the published briefs, so it would lead every listing if it leaked.
    draft = make_brief(
        tree,
        title="Secret draft brief",
        authors=[author],
        topics=[topic],
        date=dt.date(2011, 1, 1),
        body=[("paragraph", "<p>Nobody may read about zanzibarite yet.</p>")],
        publish=False,
        live=False,
    )
    revised = make_brief(
        tree,
        title="Revised brief",
        authors=[author],
        topics=[topic],
        date=dt.date(2010, 12, 5),
        body=[("paragraph", f"<p>The published claim {cite(old_source)}.</p>")],
    )
    revised.title = "Unpublished new title"
    revised.body = [("paragraph", RichText(f"<p>Pending tachyonics {cite(new_source)}.</p>"))]
    revised.save_revision()
    # No authors or topics yet: the admin form below adds one author row to either.
    editors_brief = make_brief(
        tree, title="The editors brief", date=dt.date(2009, 1, 1), owner=users.editor
    )
    authors_brief = make_brief(
        tree, title="The authors own brief", date=dt.date(2009, 1, 2), owner=users.author
    )
    return World(
        tree=tree,
        users=users,
        author=author,
        topic=topic,
        published=published,
        draft=draft,
        revised=revised,
        old_source=old_source,
        new_source=new_source,
        editors_brief=editors_brief,
        authors_brief=authors_brief,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back after its last test."""
    with rolled_back(django_db_blocker):
        yield build_world()


# --- drafts on the public site -----------------------------------------------------------


@pytest.mark.parametrize("route", ["", "cite/"], ids=["page", "cite"])
def test_a_published_brief_answers_200(world: World, client: Any, route: str) -> None:
    assert client.get(world.published.url + route).status_code == 200


@pytest.mark.parametrize("route", ["", "cite/"], ids=["page", "cite"])
def test_a_draft_brief_answers_404(world: World, client: Any, route: str) -> None:
    url = f"/briefs/{world.draft.slug}/{route}"

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["author", "editor", "admin"])
def test_a_draft_brief_answers_404_even_to_signed_in_staff(
    world: World, client: Any, who: str
) -> None:
    client.force_login(getattr(world.users, who))

    assert client.get(f"/briefs/{world.draft.slug}/").status_code == 404


def test_a_published_brief_with_an_unpublished_revision_shows_the_published_content(
    world: World, client: Any
) -> None:
    html = html_of(client, world.revised.url)

    assert "Revised brief" in html
    assert "The published claim" in html
    assert f'data-source="{world.old_source.pk}"' in html
    assert "Unpublished new title" not in html
    assert "tachyonics" not in html
    assert f'data-source="{world.new_source.pk}"' not in html
    assert "Draft-only source" not in html


def test_an_unpublished_revision_leaves_the_stored_citation_as_published(world: World) -> None:
    live = BriefPage.objects.get(pk=world.revised.pk)

    assert live.has_unpublished_changes
    assert "revised brief" in live.citations["mla"]["bibliography"].lower()
    assert "unpublished new title" not in str(live.citations).lower()


def listing_urls(world: World) -> dict[str, str]:
    return {
        "home": world.tree.home.url,
        "brief index": world.tree.briefs.url,
        "topic": world.topic.url,
        "author": world.author.url,
    }


@pytest.mark.parametrize("listing", ["home", "brief index", "topic", "author"])
def test_published_briefs_appear_in_listings(world: World, client: Any, listing: str) -> None:
    html = html_of(client, listing_urls(world)[listing])

    assert f'<a href="{world.published.url}">Published brief</a>' in html
    assert f'<a href="{world.revised.url}">Revised brief</a>' in html


@pytest.mark.parametrize("listing", ["home", "brief index", "topic", "author"])
def test_unpublished_briefs_and_revisions_never_appear_in_listings(
    world: World, client: Any, listing: str
) -> None:
    html = html_of(client, listing_urls(world)[listing])

    assert "Secret draft brief" not in html
    assert world.draft.slug not in html
    assert "Unpublished new title" not in html


def test_drafts_never_appear_in_more_on_this_topic(world: World, client: Any) -> None:
    aside = html_of(client, world.published.url).partition('<aside class="more-on-topic"')[2]

    assert "Revised brief" in aside
    assert "Secret draft brief" not in aside


def search(client: Any, query: str) -> str:
    return html_of(client, reverse("search") + f"?q={query}")


def test_search_finds_published_briefs(world: World, client: Any) -> None:
    html = search(client, "quokkanomics")

    assert "1 result for" in html
    assert f'<a href="{world.published.url}">Published brief</a>' in html


@pytest.mark.parametrize("word", ["zanzibarite", "Secret", "tachyonics"])
def test_search_never_finds_drafts_or_unpublished_revisions(
    world: World, client: Any, word: str
) -> None:
    html = search(client, word)

    assert "0 results for" in html
    assert "Secret draft brief" not in html
    assert "Unpublished new title" not in html


# --- the admin: who may do what ----------------------------------------------------------


def add_brief_url(world: World) -> str:
    return reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", world.tree.briefs.pk))


def brief_form(world: World, title: str, **actions: str) -> dict[str, str]:
    """What the add-brief form posts, with one author and an optional body citation."""
    paragraph = f"<p>A claim {cite(world.old_source)}.</p>"
    data = nested_form_data(
        {
            "title": title,
            "slug": re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
            "brief_type": "Analysis Brief",
            "date": "2010-12-06",
            "updated": "",
            "summary": "",
            "title_apa": "",
            "brief_authors": inline_formset([{"author": str(world.author.pk), "id": ""}], min=1),
            "brief_topics": inline_formset([{"topic": str(world.topic.pk), "id": ""}]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": streamfield([("paragraph", rich_text(paragraph, features=CITING_FEATURES))]),
            "additional_analysis": streamfield([]),
        }
    )
    data.update(actions)
    return data


def created(title: str) -> BriefPage | None:
    return BriefPage.objects.filter(title=title).first()


@pytest.mark.parametrize("who", ["author", "editor", "admin"])
def test_staff_can_open_the_add_brief_view(world: World, client: Any, who: str) -> None:
    client.force_login(getattr(world.users, who))

    response = client.get(add_brief_url(world))

    assert response.status_code == 200
    assert 'name="brief_authors-TOTAL_FORMS"' in response.content.decode()


@pytest.mark.parametrize("who", ["reader", "anonymous"])
def test_a_visitor_without_admin_access_is_sent_to_the_login_page(
    world: World, client: Any, who: str
) -> None:
    if who == "reader":
        client.force_login(world.users.reader)

    for url in (reverse("wagtailadmin_home"), add_brief_url(world)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_an_author_can_save_a_draft(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    response = client.post(add_brief_url(world), brief_form(world, "Author draft"))

    assert response.status_code == 302
    page = created("Author draft")
    assert page is not None
    assert not page.live
    assert page.latest_revision.user == world.users.author
    assert client.get(f"/briefs/{page.slug}/").status_code == 404


def test_a_draft_saved_in_the_admin_keeps_its_source_citation(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    client.post(add_brief_url(world), brief_form(world, "Citing draft"))

    page = created("Citing draft")
    assert page is not None
    stored = page.latest_revision.as_object().body[0].value.source
    assert re.search(rf'<a [^>]*id="{world.old_source.pk}"[^>]*>', stored)
    assert 'linktype="source"' in stored


def test_an_author_cannot_publish(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    client.post(add_brief_url(world), brief_form(world, "Author tries", **{"action-publish": "1"}))

    page = created("Author tries")
    assert page is not None
    assert not page.live
    assert page.first_published_at is None
    assert not page.permissions_for_user(world.users.author).can_publish()


def test_the_add_view_offers_authors_no_publish_button(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    html = client.get(add_brief_url(world)).content.decode()

    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html


def test_an_author_can_submit_a_draft_to_editorial_review(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    client.post(add_brief_url(world), brief_form(world, "For review", **{"action-submit": "1"}))

    page = created("For review")
    assert page is not None
    assert not page.live
    state = page.current_workflow_state
    assert state is not None
    assert state.status == "in_progress"
    assert state.workflow.name == WORKFLOW


def test_a_submitted_brief_waits_for_an_editor_not_an_author(world: World, client: Any) -> None:
    client.force_login(world.users.author)
    client.post(add_brief_url(world), brief_form(world, "Awaiting", **{"action-submit": "1"}))
    page = created("Awaiting")
    assert page is not None
    task = page.current_workflow_task
    assert isinstance(task, GroupApprovalTask)

    assert task.get_actions(page, world.users.editor)
    assert not task.get_actions(page, world.users.author)
    assert not task.get_actions(page, world.users.reader)


def test_an_editor_can_publish(world: World, client: Any) -> None:
    client.force_login(world.users.editor)

    response = client.post(
        add_brief_url(world), brief_form(world, "Editor publishes", **{"action-publish": "1"})
    )

    assert response.status_code == 302
    page = created("Editor publishes")
    assert page is not None
    assert page.live
    assert page.permissions_for_user(world.users.editor).can_publish()
    assert client.get(page.url).status_code == 200


def test_a_reader_cannot_create_a_brief_by_posting(world: World, client: Any) -> None:
    client.force_login(world.users.reader)

    response = client.post(
        add_brief_url(world), brief_form(world, "Reader posts", **{"action-publish": "1"})
    )

    assert response.status_code == 302
    assert created("Reader posts") is None


# --- editing someone else's brief --------------------------------------------------------


def edit_url(page: BriefPage) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def edit_form(world: World, page: BriefPage, title: str, **actions: str) -> dict[str, str]:
    return {**brief_form(world, title, **actions), "slug": page.slug}


def revisions_of(page: BriefPage) -> list[int]:
    return list(page.revisions.order_by("pk").values_list("pk", flat=True))


def refused(client: Any, response: Any) -> bool:
    """Wagtail's answer to a forbidden admin action: back to the dashboard with a message."""
    if response.status_code == 403:
        return True
    if response.status_code != 302 or response["Location"] != reverse("wagtailadmin_home"):
        return False
    dashboard = client.get(response["Location"]).content.decode()
    return "Sorry, you do not have permission to access this area." in dashboard


def test_an_author_cannot_open_the_edit_view_of_an_editors_brief(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    assert refused(client, client.get(edit_url(world.editors_brief)))


@pytest.mark.parametrize(
    "action",
    [{}, {"action-submit": "1"}, {"action-publish": "1"}],
    ids=["draft", "submit", "publish"],
)
def test_an_author_cannot_save_submit_or_publish_an_editors_brief(
    world: World, client: Any, action: dict[str, str]
) -> None:
    page = world.editors_brief
    before = revisions_of(page)
    client.force_login(world.users.author)

    response = client.post(edit_url(page), edit_form(world, page, "Hijacked title", **action))

    assert refused(client, response)
    page.refresh_from_db()
    assert revisions_of(page) == before
    assert page.title == "The editors brief"
    assert not page.has_unpublished_changes
    assert page.current_workflow_state is None
    assert "Hijacked title" not in html_of(client, page.url)


def test_an_author_may_not_edit_a_brief_nobody_gave_them(world: World) -> None:
    for page in (world.editors_brief, world.published, world.draft):
        assert not page.permissions_for_user(world.users.author).can_edit()
    assert world.authors_brief.permissions_for_user(world.users.author).can_edit()


def test_an_author_can_open_save_and_submit_their_own_brief(world: World, client: Any) -> None:
    page = world.authors_brief
    client.force_login(world.users.author)

    assert client.get(edit_url(page)).status_code == 200
    saved = client.post(edit_url(page), edit_form(world, page, "Own brief, revised"))
    submitted = client.post(
        edit_url(page), edit_form(world, page, "Own brief, submitted", **{"action-submit": "1"})
    )

    assert saved.status_code == submitted.status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().title == "Own brief, submitted"
    assert page.current_workflow_state is not None
    assert page.current_workflow_state.status == "in_progress"
    assert page.title == "The authors own brief"  # readers still see the published version


def test_an_editor_can_save_a_draft_of_anyones_brief(world: World, client: Any) -> None:
    page = world.published
    client.force_login(world.users.editor)

    response = client.post(edit_url(page), edit_form(world, page, "Editor's revision"))

    assert response.status_code == 302
    page.refresh_from_db()
    # Saved as typography has it: a curly apostrophe (core/typography.py).
    assert page.get_latest_revision_as_object().title == "Editor’s revision"


# --- CSRF --------------------------------------------------------------------------------


def test_the_admin_rejects_a_post_without_a_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=world.users.editor.username, password=PASSWORD)

    response = client.post(
        add_brief_url(world), brief_form(world, "Forged", **{"action-publish": "1"})
    )

    assert response.status_code == 403
    assert created("Forged") is None


def test_the_admin_accepts_a_post_with_the_forms_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=world.users.editor.username, password=PASSWORD)
    form = client.get(add_brief_url(world)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None

    response = client.post(
        add_brief_url(world),
        {
            **brief_form(world, "Genuine", **{"action-publish": "1"}),
            "csrfmiddlewaretoken": token.group(1),
        },
    )

    assert response.status_code == 302
    page = created("Genuine")
    assert page is not None
    assert page.live


# --- previewing the PDF of a draft -------------------------------------------------------


def preview_url(page: BriefPage) -> str:
    return reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])


def test_an_editor_previews_the_draft_as_a_pdf_in_the_admin(world: World, client: Any) -> None:
    from tests.pdfs import pdf_text

    client.force_login(world.users.editor)
    form = brief_form(world, "Previewed draft title")
    form["slug"] = world.draft.slug

    stored = client.post(preview_url(world.draft), form)
    assert stored.json()["is_valid"] is True
    response = client.get(preview_url(world.draft), {"mode": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Previewed draft title" in text
    assert "Published Source" in " ".join(text.split())  # its endnote, title-cased
    assert "Previewed Draft Title. Analysis Brief." in " ".join(text.split("Cite as:")[1].split())
    assert not world.draft.pdfs.exists()  # a preview is never stored


def test_the_pdf_preview_mode_is_offered_in_the_editor(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    html = client.get(edit_url(world.authors_brief)).content.decode()

    assert 'value="pdf"' in html


def test_a_reader_cannot_preview_a_draft_pdf(world: World, client: Any) -> None:
    client.force_login(world.users.reader)

    response = client.get(preview_url(world.draft), {"mode": "pdf"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))

"""Sources and outlets go through the same review as briefs: what readers see of a source (the
brief page and its Sources list, the brief's citation downloads, its PDF, the source's own page)
is its published version until an editor publishes a change. An author's edit is a draft; a
source an author creates for a brief is a draft that goes live when the brief is published.

Every test drives Wagtail's real admin views as a signed-in user, then reads the public site
anonymously.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from briefdesk.briefs.blocks import CITING_FEATURES
from briefdesk.briefs.models import AuthorPage, BriefPage, BriefPdf
from briefdesk.briefs.printing import print_html
from briefdesk.core.roles import WORKFLOW
from briefdesk.sources import csl
from briefdesk.sources.models import Outlet, Source
from tests.factories import (
    OutletFactory,
    SiteTree,
    SourceFactory,
    Users,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_users,
)

pytestmark = pytest.mark.django_db

OLD_URL = "https://www.reuters.com/article/original-story"
NEW_URL = "https://phishing.example/login"
OLD_TITLE = "Envoy recalled after cable leak"
NEW_TITLE = "Completely different headline"


@dataclass
class World:
    tree: SiteTree
    users: Users
    author: AuthorPage
    outlet: Outlet
    source: Source
    brief: BriefPage


@pytest.fixture
def world() -> World:
    tree = make_site_tree()
    author = make_author(tree)
    outlet = OutletFactory(name="Reuters", short_label="Reuters")
    source = SourceFactory(outlet=outlet, title=OLD_TITLE, url=OLD_URL)
    brief = make_brief(
        tree,
        title="Brief citing a shared source",
        authors=[author],
        body=[("paragraph", f"<p>The envoy was recalled {cite(source)}.</p>")],
    )
    return World(tree, make_users(), author, outlet, source, brief)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- what readers see --------------------------------------------------------------------


def public_views(world: World) -> dict[str, str]:
    """Every public surface that shows the source, as text, fetched anonymously."""
    client = Client()
    urls = {
        "brief page": world.brief.url,
        "brief RIS with sources": world.brief.url + "cite.ris?with=sources",
        "source page": reverse("sources:detail", args=[world.source.pk]),
        "source RIS": reverse("sources:cite_file", args=[world.source.pk, "ris"]),
    }
    views = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        views[name] = response.content.decode()
    # The PDF is print.css applied to this HTML, rendered for an anonymous reader.
    views["brief PDF"] = print_html(BriefPage.objects.get(pk=world.brief.pk), "mla")
    return views


def assert_readers_see(world: World, title: str, url: str, absent: list[str]) -> None:
    for name, text in public_views(world).items():
        assert title in text, name
        assert url in text, name
        for value in absent:
            assert value not in text, name


# --- the snippet edit form ---------------------------------------------------------------

EDIT = "wagtailsnippets_sources_source:edit"
OUTLET_EDIT = "wagtailsnippets_sources_outlet:edit"
CHOOSER_CREATE = "wagtailsnippetchoosers_sources_source:create"


def source_data(source: Source, **changes: str) -> dict[str, str]:
    """What the source edit form posts: the source's current values with these changes."""
    data = {
        "kind": source.kind,
        "outlet": str(source.outlet_id or ""),
        "title": source.title,
        "title_apa": source.title_apa,
        "authors": "\n".join(csl.name_to_line(name) for name in source.authors),
        "issued": source.issued,
        "accessed": "",
        "url": source.url,
        "number": "",
        "publisher": "",
        "publisher_place": "",
        "genre": "",
        "medium": "",
        "container_title": "",
        "label": "",
        "csl_extra": "{}",
    }
    data.update(changes)
    return data


def edit_source(user: Any, source: Source, **changes: str) -> Any:
    return signed_in(user).post(reverse(EDIT, args=[source.pk]), source_data(source, **changes))


def outlet_data(outlet: Outlet, **changes: str) -> dict[str, str]:
    data = {"name": outlet.name, "short_label": outlet.short_label, "home_url": outlet.home_url}
    data.update(changes)
    return data


def edit_outlet(user: Any, outlet: Outlet, **changes: str) -> Any:
    return signed_in(user).post(
        reverse(OUTLET_EDIT, args=[outlet.pk]), outlet_data(outlet, **changes)
    )


def approve(editor: Any, source: Source) -> Any:
    """The editor approves the source's pending change from its edit screen."""
    source = Source.objects.get(pk=source.pk).get_latest_revision_as_object()
    return signed_in(editor).post(
        reverse(EDIT, args=[source.pk]),
        source_data(source, **{"action-workflow-action": "1", "workflow-action-name": "approve"}),
    )


# --- an author's edit of a live source ---------------------------------------------------


def test_an_authors_edit_of_a_cited_source_is_saved_as_a_draft_only(world: World) -> None:
    response = edit_source(world.users.author, world.source, title=NEW_TITLE, url=NEW_URL)

    assert response.status_code == 302
    row = Source.objects.get(pk=world.source.pk)
    assert (row.title, row.url) == (OLD_TITLE, OLD_URL)
    assert row.live
    assert row.has_unpublished_changes
    draft = row.get_latest_revision_as_object()
    assert (draft.title, draft.url) == (NEW_TITLE, NEW_URL)
    assert OLD_TITLE.lower() in row.formatted["mla"]["bibliography"].lower()


def test_the_sources_listing_shows_which_sources_wait_for_review(world: World) -> None:
    edit_source(world.users.author, world.source, title=NEW_TITLE, url=NEW_URL)

    listing = signed_in(world.users.editor).get(reverse("wagtailsnippets_sources_source:list"))

    assert listing.status_code == 200
    assert "live + draft" in listing.content.decode()


def test_readers_keep_seeing_the_published_source_until_an_editor_publishes(
    world: World,
) -> None:
    edit_source(world.users.author, world.source, title=NEW_TITLE, url=NEW_URL)

    assert_readers_see(world, OLD_TITLE, OLD_URL, absent=[NEW_TITLE, NEW_URL])

    response = edit_source(
        world.users.editor,
        Source.objects.get(pk=world.source.pk).get_latest_revision_as_object(),
        **{"action-publish": "1"},
    )

    assert response.status_code == 302
    assert_readers_see(world, NEW_TITLE, NEW_URL, absent=[OLD_TITLE, OLD_URL])


def test_publishing_a_source_refreshes_its_citations_and_drops_cached_pdfs(world: World) -> None:
    brief = world.brief
    BriefPdf.objects.create(page=brief, revision=brief.live_revision, style="mla", error="x")
    edit_source(world.users.author, world.source, title=NEW_TITLE)
    assert brief.pdfs.exists()  # a draft changes nothing readers see

    edit_source(
        world.users.editor,
        Source.objects.get(pk=world.source.pk).get_latest_revision_as_object(),
        **{"action-publish": "1"},
    )

    row = Source.objects.get(pk=world.source.pk)
    assert row.title == NEW_TITLE
    assert not row.has_unpublished_changes
    for entry in row.formatted.values():
        assert NEW_TITLE.lower() in entry["bibliography"].lower()
    assert not brief.pdfs.exists()


def test_an_authors_submitted_change_goes_live_when_an_editor_approves_it(world: World) -> None:
    response = edit_source(
        world.users.author, world.source, title=NEW_TITLE, url=NEW_URL, **{"action-submit": "1"}
    )

    assert response.status_code == 302
    row = Source.objects.get(pk=world.source.pk)
    state = row.current_workflow_state
    assert state is not None
    assert state.status == "in_progress"
    assert state.workflow.name == WORKFLOW
    task = row.current_workflow_task
    assert task.get_actions(row, world.users.editor)
    assert not task.get_actions(row, world.users.author)
    assert_readers_see(world, OLD_TITLE, OLD_URL, absent=[NEW_TITLE, NEW_URL])

    assert approve(world.users.editor, world.source).status_code == 302

    assert_readers_see(world, NEW_TITLE, NEW_URL, absent=[OLD_TITLE, OLD_URL])


def test_an_author_is_offered_submit_but_no_publish_button(world: World) -> None:
    for url in (
        reverse(EDIT, args=[world.source.pk]),
        reverse(OUTLET_EDIT, args=[world.outlet.pk]),
    ):
        author_html = signed_in(world.users.author).get(url).content.decode()
        editor_html = signed_in(world.users.editor).get(url).content.decode()

        assert 'name="action-publish"' not in author_html
        assert 'name="action-submit"' in author_html
        assert 'name="action-publish"' in editor_html


def test_an_author_posting_publish_saves_only_a_draft(world: World) -> None:
    live_revision = Source.objects.get(pk=world.source.pk).live_revision_id

    edit_source(world.users.author, world.source, url=NEW_URL, **{"action-publish": "1"})
    edit_outlet(world.users.author, world.outlet, short_label="FAKE", **{"action-publish": "1"})

    row = Source.objects.get(pk=world.source.pk)
    assert row.url == OLD_URL
    assert row.live_revision_id == live_revision
    assert row.has_unpublished_changes
    assert Outlet.objects.get(pk=world.outlet.pk).short_label == "Reuters"


# --- outlets -----------------------------------------------------------------------------


def citation_label(world: World) -> str:
    html = Client().get(world.brief.url).content.decode()
    match = re.search(rf'data-source="{world.source.pk}"[^>]*>([^<]*)</a>', html)
    assert match is not None
    return match.group(1)


def test_an_authors_new_outlet_label_waits_for_an_editor(world: World) -> None:
    response = edit_outlet(world.users.author, world.outlet, short_label="FAKE")

    assert response.status_code == 302
    assert citation_label(world) == "Reuters"
    assert Outlet.objects.get(pk=world.outlet.pk).has_unpublished_changes

    draft = Outlet.objects.get(pk=world.outlet.pk).get_latest_revision_as_object()
    edit_outlet(world.users.editor, draft, **{"action-publish": "1"})

    assert citation_label(world) == "FAKE"


def test_publishing_a_renamed_outlet_reformats_its_sources(world: World) -> None:
    edit_outlet(world.users.author, world.outlet, name="Thomson Reuters")
    assert "Thomson" not in Source.objects.get(pk=world.source.pk).formatted["mla"]["bibliography"]

    draft = Outlet.objects.get(pk=world.outlet.pk).get_latest_revision_as_object()
    edit_outlet(world.users.editor, draft, **{"action-publish": "1"})

    assert (
        "Thomson Reuters" in Source.objects.get(pk=world.source.pk).formatted["mla"]["bibliography"]
    )


# --- new sources for one's own brief -----------------------------------------------------


def create_in_chooser(user: Any, outlet: Outlet | None = None, **values: str) -> Source:
    data = {
        "kind": "news_article",
        "outlet": str(outlet.pk) if outlet else "",
        "title": "A story nobody has reviewed",
        "authors": "Doe, Jane",
        "issued": "2010-12-01",
        "url": "https://news.example/unreviewed",
        "medium": "",
        **values,
    }
    response = signed_in(user).post(reverse(CHOOSER_CREATE), data)
    assert response.status_code == 200
    result = response.json()
    assert result["step"] == "chosen", result
    return Source.objects.get(pk=result["result"]["id"])


def test_a_source_created_in_the_chooser_is_a_draft_with_a_revision(world: World) -> None:
    source = create_in_chooser(world.users.author, world.outlet)

    assert not source.live
    assert source.first_published_at is None
    assert source.latest_revision is not None
    assert source.latest_revision.user == world.users.author
    assert source.formatted["mla"]["bibliography"]


def test_the_chooser_still_refuses_a_source_without_a_title(world: World) -> None:
    count = Source.objects.count()

    response = signed_in(world.users.author).post(
        reverse(CHOOSER_CREATE), {"kind": "news_article", "title": "", "url": ""}
    )

    assert response.json()["step"] == "reshow_creation_form"
    assert Source.objects.count() == count


def brief_form(world: World, title: str, source: Source, **actions: str) -> dict[str, str]:
    """What the add-brief form posts: one author, one paragraph citing `source`."""
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
            "brief_topics": inline_formset([]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": streamfield(
                [
                    (
                        "paragraph",
                        rich_text(f"<p>New claim {cite(source)}.</p>", features=CITING_FEATURES),
                    )
                ]
            ),
            "additional_analysis": streamfield([]),
        }
    )
    data.update(actions)
    return data


def submit_new_brief(world: World, source: Source) -> BriefPage:
    """The author writes a brief citing `source` in the admin and submits it for review."""
    add = reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", world.tree.briefs.pk))
    response = signed_in(world.users.author).post(
        add, brief_form(world, "Brief with a new source", source, **{"action-submit": "1"})
    )
    assert response.status_code == 302
    return BriefPage.objects.get(title="Brief with a new source")


def approve_brief(editor: Any, brief: BriefPage) -> None:
    state = brief.current_workflow_task_state
    assert state is not None
    response = signed_in(editor).post(
        reverse("wagtailadmin_pages:workflow_action", args=[brief.pk, "approve", state.pk]),
        {"comment": ""},
    )
    assert response.status_code in (200, 302)


def test_a_draft_source_is_published_with_the_brief_that_cites_it(world: World) -> None:
    new_outlet = Outlet.objects.create(name="Unreviewed Gazette", live=False)
    source = create_in_chooser(world.users.author, new_outlet)
    brief = submit_new_brief(world, source)

    approve_brief(world.users.editor, brief)

    brief.refresh_from_db()
    assert brief.live
    source.refresh_from_db()
    new_outlet.refresh_from_db()
    assert source.live and new_outlet.live
    assert source.first_published_at is not None
    html = Client().get(brief.url).content.decode()
    assert f'data-source="{source.pk}"' in html
    assert f'<li id="source-{source.pk}">' in html
    assert Client().get(reverse("sources:detail", args=[source.pk])).status_code == 200


def test_a_live_source_with_unpublished_changes_is_not_published_with_a_brief(
    world: World,
) -> None:
    edit_source(world.users.author, world.source, title=NEW_TITLE, url=NEW_URL)
    brief = submit_new_brief(world, world.source)

    approve_brief(world.users.editor, brief)

    row = Source.objects.get(pk=world.source.pk)
    assert (row.title, row.url) == (OLD_TITLE, OLD_URL)
    assert row.has_unpublished_changes
    assert NEW_URL not in Client().get(BriefPage.objects.get(pk=brief.pk).url).content.decode()


def test_an_unpublished_brief_publishes_nothing(world: World) -> None:
    source = create_in_chooser(world.users.author)

    submit_new_brief(world, source)

    assert not Source.objects.get(pk=source.pk).live


UNPUBLISH = "wagtailsnippets_sources_source:unpublish"


def test_a_source_an_editor_unpublishes_is_plain_text_to_readers(world: World) -> None:
    response = signed_in(world.users.editor).post(reverse(UNPUBLISH, args=[world.source.pk]))
    client = Client()

    assert response.status_code == 302
    assert not Source.objects.get(pk=world.source.pk).live
    html = client.get(world.brief.url).content.decode()
    ris = client.get(world.brief.url + "cite.ris?with=sources").content.decode()
    assert '<span class="cite cite--missing">(Reuters)</span>' in html
    assert f'data-source="{world.source.pk}"' not in html
    assert f'id="source-{world.source.pk}"' not in html
    for text in (html, ris, print_html(world.brief, "mla")):
        assert OLD_URL not in text
        assert OLD_TITLE.lower() not in text.lower()
    assert client.get(reverse("sources:detail", args=[world.source.pk])).status_code == 404


def test_an_author_cannot_unpublish_a_source(world: World) -> None:
    signed_in(world.users.author).post(reverse(UNPUBLISH, args=[world.source.pk]))

    assert Source.objects.get(pk=world.source.pk).live


def test_the_admin_preview_shows_draft_sources(world: World) -> None:
    source = create_in_chooser(world.users.author, world.outlet, title="Unreviewed story")
    brief = submit_new_brief(world, source)
    editor = signed_in(world.users.editor)
    preview = reverse("wagtailadmin_pages:preview_on_edit", args=[brief.pk])
    form = brief_form(world, "Brief with a new source", source)

    assert editor.post(preview, form).json()["is_valid"] is True
    html = editor.get(preview).content.decode()

    assert f'<li id="source-{source.pk}">' in html
    assert "Unreviewed story" in html


# --- the source's own page ---------------------------------------------------------------


def source_urls(source: Source) -> list[str]:
    return [
        reverse("sources:detail", args=[source.pk]),
        reverse("sources:cite_file", args=[source.pk, "ris"]),
        reverse("sources:cite_file", args=[source.pk, "bib"]),
        reverse("sources:cite_file", args=[source.pk, "json"]),
        reverse("sources:cite_file", args=[source.pk, "txt"]) + "?style=mla",
    ]


def make_source_cited_by(world: World, case: str) -> Source:
    """A source in one of the situations the source page must answer for."""
    source = SourceFactory(outlet=world.outlet, title=f"Source: {case}")
    if case == "cited by nothing":
        return source
    brief = make_brief(
        world.tree,
        title=f"Brief: {case}",
        slug=slugify(case),
        date=dt.date(2010, 1, 1),
        body=[("paragraph", f"<p>Claim {cite(source)}.</p>")],
        publish=case != "cited only by a draft brief",
    )
    if case == "cited only by a private brief":
        PageViewRestriction.objects.create(page=brief, restriction_type="login")
    if case == "cited only by an unpublished brief":
        brief.unpublish()
    if case == "unpublished source, live brief":
        source.unpublish()
    return source


@pytest.mark.parametrize(
    "case",
    [
        "cited by nothing",
        "cited only by a draft brief",
        "cited only by an unpublished brief",
        "cited only by a private brief",
        "unpublished source, live brief",
    ],
)
def test_a_source_page_answers_404_unless_a_reader_can_reach_it(world: World, case: str) -> None:
    source = make_source_cited_by(world, case)
    client = Client()

    for url in source_urls(source):
        response = client.get(url)
        assert response.status_code == 404, url
        assert source.title not in response.content.decode()


def test_a_source_cited_by_a_live_public_brief_has_a_page(world: World) -> None:
    client = Client()

    for url in source_urls(world.source):
        assert client.get(url).status_code == 200, url


def test_a_source_page_lists_only_public_briefs(world: World) -> None:
    private = make_brief(
        world.tree,
        title="Private brief citing it",
        body=[("paragraph", f"<p>Claim {cite(world.source)}.</p>")],
    )
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    html = Client().get(reverse("sources:detail", args=[world.source.pk])).content.decode()

    assert "Brief citing a shared source" in html
    assert "Private brief citing it" not in html

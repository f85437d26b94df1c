"""A reviewer sees what changed: the compare links of the dashboard's "Awaiting your review"
and of the editor's workflow dialog compare a submission with the live version and the last
submission, never with the autosave Wagtail 8 leaves just before it (a copy of it, so
Wagtail's own "Compare with previous version" said "There are no differences").

Every test drives the real admin views: the author's autosave (the editor's JSON post) or
"Save draft", then "Submit"; the editor opens the links the review UI offers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Revision, TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from briefdesk.briefs.blocks import CITING_FEATURES
from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.core.revisions import last_submission_before
from briefdesk.sources.models import Source
from tests.factories import (
    SiteTree,
    SourceFactory,
    Users,
    make_author,
    make_brief,
    make_site_tree,
    make_users,
)

pytestmark = pytest.mark.django_db

OLD = "Islamabad cut NATO supply lines for a week."
FIRST = "Islamabad closed the Torkham crossing for eleven days."
SECOND = "Islamabad closed the Torkham crossing for eleven days in November."
NO_DIFFERENCES = "There are no differences between these two versions"


@dataclass
class World:
    tree: SiteTree
    users: Users
    writer: AuthorPage
    brief: BriefPage


@pytest.fixture
def world() -> World:
    tree = make_site_tree()
    users = make_users()
    writer = make_author(tree)
    brief = make_brief(
        tree,
        title="Supply lines",
        authors=[writer],
        body=[("paragraph", f"<p>{OLD}</p>")],
        owner=users.author,
    )
    return World(tree, users, writer, brief)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- what the author's browser posts ------------------------------------------------------


@functools.cache
def editor_value(text: str) -> str:
    """Draftail's value for a paragraph; one per text, as the browser keeps its block keys."""
    return rich_text(f"<p>{text}</p>", features=CITING_FEATURES)


def brief_form(page: BriefPage, text: str, **extra: str) -> dict[str, str]:
    """The edit form as the browser posts it: the paragraph keeps its block id and the
    author row its id, so two posts of the same text are the same content."""
    page = BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    block = page.body[0]
    byline = page.brief_authors.all()[0]
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "brief_type": page.brief_type,
            "date": page.date.isoformat() if page.date else "",
            "updated": "",
            "summary": page.summary,
            "title_apa": page.title_apa,
            "brief_authors": inline_formset(
                [{"author": str(byline.author_id), "id": str(byline.pk or "")}],
                initial=1 if byline.pk else 0,
                min=1,
            ),
            "brief_topics": inline_formset([]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": {
                "count": "1",
                "0": {
                    "type": "paragraph",
                    "value": editor_value(text),
                    "id": block.id,
                    "deleted": "",
                    "order": "0",
                },
            },
            "additional_analysis": {"count": "0"},
        }
    )
    data.update(extra)
    return data


def loaded(obj: Any) -> dict[str, str]:
    """The revision the editor was loaded with (autosave refuses to overwrite a newer one)."""
    revision = type(obj).objects.get(pk=obj.pk).latest_revision
    return {
        "loaded_revision_id": str(revision.pk),
        "loaded_revision_created_at": revision.created_at.isoformat(),
    }


def autosave(client: Client, url: str, data: dict[str, str], obj: Any) -> int:
    response = client.post(url, {**data, **loaded(obj)}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return int(response.json()["revision_id"])


def edit_url(page: BriefPage) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def autosave_brief(world: World, text: str) -> int:
    client = signed_in(world.users.author)
    return autosave(client, edit_url(world.brief), brief_form(world.brief, text), world.brief)


def submit_brief(world: World, text: str) -> None:
    client = signed_in(world.users.author)
    data = brief_form(world.brief, text, **{"action-submit": "1"})
    assert client.post(edit_url(world.brief), data).status_code == 302


def request_changes(world: World, obj: Any) -> None:
    state = type(obj).objects.get(pk=obj.pk).current_workflow_state
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, world.users.editor, "reject", comment="More")


# --- what the reviewer is offered ---------------------------------------------------------

LINK = re.compile(r'<a href="([^"]*/revisions/compare/[^"]*)"[^>]*>\s*([^<]*?)\s*</a>')


def dashboard_links(user: Any) -> list[tuple[str, str]]:
    """(label, url) of every compare link in "Awaiting your review"."""
    html = signed_in(user).get(reverse("wagtailadmin_home")).content.decode()
    panel = html.partition("awaiting-review")[2]
    return [(label, url) for url, label in LINK.findall(panel)]


def dialog(user: Any, url: str) -> str:
    """The workflow dialog of the editor's status side panel ("View details")."""
    html = signed_in(user).get(url).content.decode()
    _, found, rest = html.partition('class="workflow-timeline__footer"')
    assert found, "no workflow dialog"
    return rest.partition("</dialog>")[0]


def dialog_links(user: Any, url: str) -> list[tuple[str, str]]:
    return [(label, href) for href, label in LINK.findall(dialog(user, url))]


@dataclass
class Diff:
    deleted: list[str]
    inserted: list[str]
    text: str


def opened(user: Any, url: str) -> Diff:
    html = signed_in(user).get(url).content.decode()
    spans = re.findall(r'<span class="(deletion|addition)">(.*?)</span>', html, re.S)
    return Diff(
        deleted=[text.strip() for kind, text in spans if kind == "deletion"],
        inserted=[text.strip() for kind, text in spans if kind == "addition"],
        text=html,
    )


def all_links(world: World, obj_edit_url: str) -> list[tuple[str, str]]:
    return dashboard_links(world.users.editor) + dialog_links(world.users.editor, obj_edit_url)


# --- a brief: autosave, then submit -------------------------------------------------------


def test_autosave_then_submit_leaves_a_copy_just_before_the_submission(world: World) -> None:
    """The cause, as Wagtail 8 stores it: the submission's previous revision is a copy."""
    autosaved = autosave_brief(world, FIRST)
    submit_brief(world, FIRST)

    submitted = TaskState.objects.get().revision
    assert submitted.get_previous().pk == autosaved
    assert submitted.get_previous().content["body"] == submitted.content["body"]


def test_the_reviewer_is_offered_the_changes_since_the_live_version(world: World) -> None:
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)

    links = dict(dashboard_links(world.users.editor))
    assert list(links) == ["Compare with live version"]
    diff = opened(world.users.editor, links["Compare with live version"])
    assert NO_DIFFERENCES not in diff.text
    assert any("NATO supply lines for a week" in text for text in diff.deleted)
    assert any("Torkham crossing for eleven days" in text for text in diff.inserted)


def test_the_workflow_dialog_offers_the_same_comparison(world: World) -> None:
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)

    links = dict(dialog_links(world.users.editor, edit_url(world.brief)))
    assert list(links) == ["Compare with live version"]
    diff = opened(world.users.editor, links["Compare with live version"])
    assert any("Torkham crossing for eleven days" in text for text in diff.inserted)


def test_save_draft_then_submit_is_compared_the_same_way(world: World) -> None:
    author = signed_in(world.users.author)
    assert author.post(edit_url(world.brief), brief_form(world.brief, FIRST)).status_code == 302
    submit_brief(world, FIRST)

    for label, url in all_links(world, edit_url(world.brief)):
        assert NO_DIFFERENCES not in opened(world.users.editor, url).text, label
    assert [label for label, _ in dashboard_links(world.users.editor)] == [
        "Compare with live version"
    ]


def test_no_compare_link_opens_on_no_differences_when_the_submission_differs_from_live(
    world: World,
) -> None:
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)

    links = all_links(world, edit_url(world.brief))
    assert links
    for label, url in links:
        assert NO_DIFFERENCES not in opened(world.users.editor, url).text, label


# --- a resubmission after a change request --------------------------------------------------


def test_a_resubmission_is_compared_with_the_last_submission_and_the_live_version(
    world: World,
) -> None:
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)
    request_changes(world, world.brief)
    autosave_brief(world, SECOND)
    submit_brief(world, SECOND)

    links = dict(dashboard_links(world.users.editor))
    assert list(links) == ["Compare with live version", "Compare with last submission"]
    since_submission = opened(world.users.editor, links["Compare with last submission"])
    assert any("November" in text for text in since_submission.inserted)
    assert not any("NATO" in text for text in since_submission.deleted)
    since_live = opened(world.users.editor, links["Compare with live version"])
    assert any("NATO supply lines" in text for text in since_live.deleted)
    assert dict(dialog_links(world.users.editor, edit_url(world.brief))) == links


def test_an_unchanged_resubmission_says_so_instead_of_linking_to_no_differences(
    world: World,
) -> None:
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)
    request_changes(world, world.brief)
    submit_brief(world, FIRST)

    assert [label for label, _ in dashboard_links(world.users.editor)] == [
        "Compare with live version"
    ]
    assert "No changes since the last submission" in dialog(
        world.users.editor, edit_url(world.brief)
    )


def test_a_published_submission_is_not_offered_twice(world: World) -> None:
    """Once the last submission went live, "since the last submission" is "since live"."""
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)
    task_state = TaskState.objects.get()
    task_state.task.specific.on_action(task_state, world.users.editor, "approve")
    autosave_brief(world, SECOND)
    submit_brief(world, SECOND)

    assert [label for label, _ in dashboard_links(world.users.editor)] == [
        "Compare with live version"
    ]


def test_a_first_submission_of_a_new_brief_has_nothing_to_compare_with(world: World) -> None:
    brief = make_brief(
        world.tree,
        title="Never published",
        authors=[world.writer],
        body=[("paragraph", f"<p>{OLD}</p>")],
        owner=world.users.author,
        publish=False,
    )
    world.brief = brief
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)

    assert dashboard_links(world.users.editor) == []
    assert dialog_links(world.users.editor, edit_url(brief)) == []


# --- which revision was "the last submission" -----------------------------------------------


def test_autosaves_and_drafts_never_count_as_a_submission(world: World) -> None:
    autosave_brief(world, FIRST)
    submit_brief(world, FIRST)
    submitted = TaskState.objects.get().revision
    request_changes(world, world.brief)
    later = Revision.objects.get(pk=autosave_brief(world, SECOND))

    assert last_submission_before(world.brief, later) == submitted
    assert last_submission_before(world.brief, submitted) is None


# --- a reviewed snippet: a source ------------------------------------------------------------

SOURCE_EDIT = "wagtailsnippets_sources_source:edit"


def source_form(source: Source, title: str, **extra: str) -> dict[str, str]:
    return {
        "kind": source.kind,
        "outlet": str(source.outlet_id or ""),
        "title": title,
        "title_apa": "",
        "authors": "Doe, Jane",
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
        **extra,
    }


def test_a_source_submitted_after_an_autosave_is_compared_with_its_live_version(
    world: World,
) -> None:
    source = SourceFactory(title="Envoy recalled")
    source.save_revision().publish()
    url = reverse(SOURCE_EDIT, args=[source.pk])
    author = signed_in(world.users.author)

    new_title = "Envoy recalled after leak"
    autosave(author, url, source_form(source, new_title), source)
    response = author.post(url, source_form(source, new_title, **{"action-submit": "1"}))
    assert response.status_code == 302

    links = dict(dashboard_links(world.users.editor))
    assert list(links) == ["Compare with live version"]
    diff = opened(world.users.editor, links["Compare with live version"])
    assert NO_DIFFERENCES not in diff.text
    assert any("after leak" in text for text in diff.inserted)
    for label, link in dialog_links(world.users.editor, url):
        assert NO_DIFFERENCES not in opened(world.users.editor, link).text, label

"""The permission matrix: every role against every public surface and admin action, for a
brief in every editorial state. The expected answers are generated in `tests/matrix.py`
(read its docstring for the rules); this module builds one world holding a brief in each
state and checks each cell with real requests.

Every brief is owned by the stock author ("alice") and carries three made-up words:
`<state>title` in its title, `<state>body` in its summary and body, and -- for "live-draft"
only -- `<state>pending` in the title and body of its unpublished revision. Each brief cites
one source of its own; "live-draft"'s draft cites another. Another live brief per state
("host") pins the brief in its More on This Topic box.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Revision, WorkflowState
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from briefdesk.briefs.blocks import CITING_FEATURES
from briefdesk.briefs.models import BriefPage, BriefPdf, BriefRelatedPin
from briefdesk.citations.styles import DEFAULT_STYLE
from briefdesk.core.roles import AUTHORS
from briefdesk.sources.models import Source
from tests import matrix
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
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db

FUTURE = dt.timedelta(days=30)


def word(state: str, kind: str) -> str:
    """A made-up word that no other text on the site contains, e.g. "zqlivedraftpending"."""
    return "zq" + state.replace("-", "") + kind


@dataclass
class Subject:
    """A brief in one state, and what was true of it before it reached that state."""

    state: str
    pk: int
    slug: str
    url: str
    title: str
    source_id: int
    source_title: str
    host_url: str
    pending_source_id: int | None = None
    pdf_files: list[str] = field(default_factory=list)  # storage names, made while live

    @property
    def title_word(self) -> str:
        return word(self.state, "title")

    @property
    def body_word(self) -> str:
        return word(self.state, "body")

    @property
    def pending_word(self) -> str:
        return word(self.state, "pending")


@dataclass
class World:
    tree: SiteTree
    users: Users
    other_author: Any
    author_page: Any
    topic: Any
    subjects: dict[str, Subject]

    def user(self, role: str) -> Any:
        return {
            "anonymous": None,
            "author": self.users.author,
            "other-author": self.other_author,
            "editor": self.users.editor,
            "admin": self.users.admin,
        }[role]


def paragraph(text: str) -> tuple[str, RichText]:
    return ("paragraph", RichText(f"<p>{text}</p>"))


def build_subject(parts: dict[str, Any], state: str, n: int) -> Subject:
    """The brief for `state`, still live (or never published: "draft", "scheduled")."""
    title_word, body_word = word(state, "title"), word(state, "body")
    source = SourceFactory(title=f"Matrix source {word(state, 'source')}")
    page = make_brief(
        parts["tree"],
        title=f"Matrix brief {title_word}",
        slug=f"matrix-{state}",
        authors=[parts["author_page"]],
        topics=[parts["topic"]],
        # Newer than every host, so each subject leads the home page's twelve when listed.
        date=dt.date(2012, 1, 1) + dt.timedelta(days=n),
        summary=f"The summary says {body_word}.",
        body=[paragraph(f"The body says {body_word} {cite(source)}.")],
        publish=state not in ("draft", "scheduled"),
        owner=parts["users"].author,
    )
    return Subject(
        state=state,
        pk=page.pk,
        slug=page.slug,
        url=f"/briefs/{page.slug}/",
        title=page.title,
        source_id=source.pk,
        source_title=source.title,
        host_url="",
    )


def pin_on_hosts(parts: dict[str, Any], subjects: list[Subject]) -> None:
    """Public briefs in another topic that pin the subjects, three each (the box's size; a
    pin that is not live takes no place, so the checks cannot starve one another)."""
    for n in range(0, len(subjects), 3):
        group = subjects[n : n + 3]
        host = make_brief(
            parts["tree"],
            title=f"Host brief {n // 3}",
            slug=f"matrix-host-{n // 3}",
            authors=[parts["author_page"]],
            topics=[parts["host_topic"]],
            date=dt.date(2009, 1, 1) + dt.timedelta(days=n),
            body=[paragraph("A public brief that pins others.")],
            related_pins=[BriefRelatedPin(related_id=s.pk) for s in group],
        )
        for subject in group:
            subject.host_url = host.url


def cache_pdf_as_if_read_while_live(page: BriefPage, content: bytes) -> str:
    """Store a PDF for the brief's live revision the way printing.cached_pdf does (same
    model, field and storage), with another brief's bytes: what matters here is where the
    file is and who can reach it, not what it says. Returns its storage name."""
    from django.core.files.base import ContentFile

    record = BriefPdf(page=page, revision_id=page.live_revision_id, style=DEFAULT_STYLE)
    name = f"{page.pk}/{page.slug}-r{page.live_revision_id}-{DEFAULT_STYLE}.pdf"
    record.file.save(name, ContentFile(content), save=False)
    record.size = len(content)
    record.save()
    return record.file.name


def change_state(page: BriefPage, state: str, subject: Subject) -> None:
    if state == "live-draft":
        pending = SourceFactory(title=f"Matrix source {word(state, 'pendingsource')}")
        subject.pending_source_id = pending.pk
        page.title = f"Matrix brief {word(state, 'pending')}"
        page.summary = f"The summary now says {word(state, 'pending')}."
        page.body = [paragraph(f"The draft says {word(state, 'pending')} {cite(pending)}.")]
        page.save_revision(user=page.owner)
    elif state == "scheduled":
        page.go_live_at = timezone.now() + FUTURE
        page.save_revision(user=page.owner).publish()  # approved: waits for go_live_at
        page.refresh_from_db()
        assert not page.live and page.approved_schedule
    elif state == "private-password":
        PageViewRestriction.objects.create(page=page, restriction_type="password", password="pw")
    elif state == "private-login":
        PageViewRestriction.objects.create(page=page, restriction_type="login")
    elif state == "unpublished":
        page.unpublish()
    elif state == "deleted":
        page.delete()


def build_world() -> World:
    from briefdesk.briefs.printing import cached_pdf

    tree = make_site_tree()
    users = make_users()
    other = get_user_model().objects.create_user("dora", "dora@example.org", PASSWORD)
    other.groups.add(Group.objects.get(name=AUTHORS))
    parts = {
        "tree": tree,
        "users": users,
        "author_page": make_author(tree),
        "topic": make_topic(tree, "Matrix topic"),
        "host_topic": make_topic(tree, "Host topic"),
    }
    subjects = {state: build_subject(parts, state, n) for n, state in enumerate(matrix.STATES)}
    pin_on_hosts(parts, list(subjects.values()))

    def brief(state: str) -> BriefPage:
        return BriefPage.objects.get(pk=subjects[state].pk)

    # A PDF read while the brief was public must become unreachable when it stops being so.
    live_pdf = cached_pdf(brief("live"), DEFAULT_STYLE)
    subjects["live"].pdf_files.append(live_pdf.file.name)
    content = live_pdf.file.open("rb").read()
    for state in ("private-password", "private-login", "unpublished", "deleted"):
        subjects[state].pdf_files.append(cache_pdf_as_if_read_while_live(brief(state), content))
    for state, subject in subjects.items():
        # On-commit work (dropping files when access changes) runs as it would in production.
        with TestCase.captureOnCommitCallbacks(execute=True):
            change_state(brief(state), state, subject)
    # Made after the draft was saved, as a reader's request would make it.
    subjects["live-draft"].pdf_files.append(
        cached_pdf(brief("live-draft"), DEFAULT_STYLE).file.name
    )
    return World(
        tree=tree,
        users=users,
        other_author=other,
        author_page=parts["author_page"],
        topic=parts["topic"],
        subjects=subjects,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back after its last test."""
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def as_role(world: World, request: pytest.FixtureRequest) -> Any:
    """A client signed in as the cell's role (none for anonymous)."""

    def client_for(role: str) -> Client:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        return client

    return client_for


def cell_params(surfaces: list[str]) -> list[Any]:
    return [pytest.param(cell, id=cell.id) for cell in matrix.cells() if cell.surface in surfaces]


# --- public surfaces -------------------------------------------------------------------------


def body_of(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def text_of(response: Any) -> str:
    content = body_of(response)
    if response.get("Content-Type", "").startswith("application/pdf"):
        assert content.startswith(b"%PDF-")
        if not shutil.which("pdftotext"):
            # Reading the text needs poppler (scripts/setup.sh installs it); the answer
            # itself was checked above, what the PDF says is not.
            pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not read")
        return pdf_text(content)
    return content.decode()


def normalised(text: str) -> str:
    """Lower case, without BibTeX's case-protecting braces or PDF line breaks."""
    return re.sub(r"[{}\s]+", " ", text.lower())


def assert_no_draft_word(text: str, subject: Subject) -> None:
    assert subject.pending_word not in normalised(text), "the unpublished draft leaked"


def public_url(world: World, subject: Subject, surface: str) -> str:
    if surface == "page":
        return subject.url
    if surface == "cite-page":
        return subject.url + "cite/"
    if surface == "pdf":
        return subject.url + "pdf/"
    if surface.startswith("cite."):
        fmt, _, with_sources = surface.removeprefix("cite.").partition("-with-")
        query = f"?with={with_sources}" if with_sources else ""
        return f"{subject.url.rstrip('/')}/cite.{fmt}{query}"
    if surface == "source-page":
        return f"/sources/{subject.source_id}/"
    if surface.startswith("source-cite."):
        return f"/sources/{subject.source_id}/{surface.removeprefix('source-')}"
    if surface == "draft-only-source-page":
        return f"/sources/{subject.pending_source_id}/"
    if surface == "search":
        return reverse("search") + f"?q={subject.body_word}"
    if surface == "search-draft-word":
        return reverse("search") + f"?q={subject.pending_word}"
    return {
        "sitemap": "/sitemap.xml",
        "briefs-listing": world.tree.briefs.url,
        "author-listing": world.author_page.url,
        "topic-listing": world.topic.url,
        "home": world.tree.home.url,
        "boxes-on-another-brief": subject.host_url,
    }[surface]


def listed_part(html: str, surface: str) -> str:
    """The part of a page where the brief would be listed (boxes: the aside, the menu and the
    topic boxes on the host brief -- everything but the host's own article text)."""
    if surface == "boxes-on-another-brief":
        header = html.partition("</header>")[0]
        aside = html.partition('<aside class="more-on-topic"')[2]
        return header + aside
    return html


@pytest.mark.parametrize(
    "cell",
    cell_params(
        [
            *matrix.PAGE_SURFACES,
            *matrix.DOWNLOAD_SURFACES,
            *matrix.SOURCE_SURFACES,
            *matrix.LISTING_SURFACES,
            *matrix.PENDING_SURFACES,
        ]
    ),
)
def test_a_public_surface_shows_a_brief_only_when_live_and_public(
    world: World, as_role: Any, cell: matrix.Cell
) -> None:
    subject = world.subjects[cell.state]
    url = public_url(world, subject, cell.surface)

    response = as_role(cell.role).get(url)

    assert response.status_code != 500
    if cell.expected == matrix.NOT_FOUND:
        assert response.status_code == 404, (url, response.status_code)
        return
    if cell.expected == matrix.LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        # Wagtail's view restrictions send readers to its own login view unless told otherwise.
        login_url = getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", None) or reverse(
            "wagtailcore_login"
        )
        assert response["Location"].startswith(login_url), response["Location"]
        return
    assert response.status_code == 200, (url, response.status_code)
    text = text_of(response)
    if cell.surface == "search-draft-word":
        text = text.replace(subject.pending_word, "")  # the page repeats the query
    assert_no_draft_word(text, subject)
    if cell.expected == matrix.PASSWORD_FORM:
        assert 'name="password"' in text
        assert subject.body_word not in text
        assert subject.title_word not in text
    elif cell.expected == matrix.SHOWN:
        shown = normalised(text)
        if cell.surface.startswith("source-"):
            assert word(cell.state, "source") in shown
        else:
            assert subject.title_word in shown
        if cell.surface.endswith("-with-sources"):
            assert word(cell.state, "source") in shown
        if cell.surface == "page":
            assert subject.body_word in shown
    elif cell.expected in (matrix.LISTED, matrix.UNLISTED):
        part = listed_part(text, cell.surface)
        listed = subject.url in part
        assert listed == (cell.expected == matrix.LISTED), (url, cell.expected)
        if cell.surface == "boxes-on-another-brief":
            # The pinned brief never reaches the header menu, whatever its state.
            assert subject.title_word not in html_header(text)
    else:
        raise AssertionError(f"no check for {cell.expected!r}")


def html_header(html: str) -> str:
    return html.partition("</header>")[0]


@pytest.mark.parametrize("cell", cell_params(matrix.FILE_SURFACES))
def test_a_stored_pdf_is_never_a_media_file(world: World, as_role: Any, cell: matrix.Cell) -> None:
    subject = world.subjects[cell.state]
    names = set(subject.pdf_files) | {
        record.file.name for record in BriefPdf.objects.filter(page_id=subject.pk) if record.file
    }
    media_root = Path(settings.MEDIA_ROOT).resolve()
    client = as_role(cell.role)

    for name in names:
        storage = BriefPdf._meta.get_field("file").storage
        try:
            path = Path(storage.path(name)).resolve()
        except NotImplementedError:  # not on this disk at all
            path = None
        if path is not None and path.exists():
            assert not path.is_relative_to(media_root), f"{name} is a public media file"
        response = client.get(settings.MEDIA_URL + name)
        assert response.status_code == 404, name


# --- admin views and actions -----------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What an admin action could write about a brief: compared before and after."""

    row: tuple[Any, ...] | None
    revisions: int
    workflows: int
    restrictions: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, pk: int) -> Snapshot:
        row = (
            Page.objects.filter(pk=pk)
            .values_list(
                "title", "live", "live_revision_id", "latest_revision_id", "locked", "path"
            )
            .first()
        )
        return cls(
            row=row,
            revisions=Revision.page_revisions.filter(object_id=str(pk)).count(),
            workflows=WorkflowState.objects.filter(
                base_content_type__model="page", object_id=str(pk)
            ).count(),
            restrictions=tuple(
                PageViewRestriction.objects.filter(page_id=pk).values_list(
                    "restriction_type", "password"
                )
            ),
        )


def brief_form(world: World, subject: Subject, title: str, **actions: str) -> dict[str, str]:
    """What the edit-brief form posts: the brief as it stands, with a new title."""
    data = nested_form_data(
        {
            "title": title,
            "slug": subject.slug,
            "brief_type": "Analysis Brief",
            "date": "2012-01-01",
            "updated": "",
            "summary": f"The summary says {subject.body_word}.",
            "title_apa": "",
            "brief_authors": inline_formset(
                [{"author": str(world.author_page.pk), "id": ""}], min=1
            ),
            "brief_topics": inline_formset([{"topic": str(world.topic.pk), "id": ""}]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": streamfield(
                [
                    (
                        "paragraph",
                        rich_text(f"<p>Edited {subject.body_word}.</p>", features=CITING_FEATURES),
                    )
                ]
            ),
            "additional_analysis": streamfield([]),
        }
    )
    data.update(actions)
    return data


def is_denied(response: Any) -> bool:
    """Wagtail's permission denied: a 403, or back to the dashboard with a message."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def is_admin_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("wagtailadmin_login")
    )


def page_action(world: World, client: Client, subject: Subject, surface: str) -> Any:
    """Do the cell's admin action the way the admin does; returns the response."""
    pk = subject.pk
    if surface == "edit-view":
        return client.get(reverse("wagtailadmin_pages:edit", args=[pk]))
    if surface == "move":
        return client.get(reverse("wagtailadmin_pages:move", args=[pk]))
    if surface in ("save-draft", "submit", "publish"):
        action = {"save-draft": {}, "submit": {"action-submit": "1"}}.get(
            surface, {"action-publish": "1"}
        )
        form = brief_form(world, subject, new_title(subject, surface), **action)
        return client.post(reverse("wagtailadmin_pages:edit", args=[pk]), form)
    if surface == "unpublish":
        return client.post(reverse("wagtailadmin_pages:unpublish", args=[pk]))
    if surface == "delete":
        return client.post(reverse("wagtailadmin_pages:delete", args=[pk]))
    if surface == "set-privacy":
        return client.post(
            reverse("wagtailadmin_pages:set_privacy", args=[pk]),
            {"restriction_type": privacy_target(subject), "password": "", "groups": []},
        )
    raise AssertionError(surface)


def new_title(subject: Subject, surface: str) -> str:
    return f"Matrix brief {subject.title_word} {surface.replace('-', '')}edit"


def privacy_target(subject: Subject) -> str:
    """Make a public brief private, or a private one public: a change either way."""
    return "none" if subject.state.startswith("private") else "login"


def assert_action_happened(subject: Subject, surface: str, role_user: Any) -> None:
    page = Page.objects.filter(pk=subject.pk).first()
    if surface == "delete":
        assert page is None, "the brief was not deleted"
        return
    assert page is not None
    if surface in ("save-draft", "submit", "publish"):
        latest = page.get_latest_revision()
        assert latest.user_id == role_user.pk
        assert latest.as_object().title == new_title(subject, surface)
    if surface == "save-draft" and subject.state in matrix.LIVE_STATES:
        # (A page that is not live keeps its latest draft in the row: nothing to protect.)
        assert page.title == subject.title, "a draft changed the live brief"
    if surface == "submit":
        state = page.current_workflow_state
        assert state is not None and state.status == "in_progress"
    if surface == "publish":
        assert page.live and page.title == new_title(subject, surface)
    if surface == "unpublish":
        assert not page.live
    if surface == "set-privacy":
        types = set(
            PageViewRestriction.objects.filter(page=page).values_list("restriction_type", flat=True)
        )
        assert types == (set() if privacy_target(subject) == "none" else {"login"})


@pytest.mark.parametrize("cell", cell_params(matrix.PAGE_ACTIONS))
def test_an_admin_action_on_a_brief_is_allowed_only_to_whom_it_should_be(
    world: World, as_role: Any, cell: matrix.Cell
) -> None:
    subject = world.subjects[cell.state]
    before = Snapshot.of(subject.pk)

    response = page_action(world, as_role(cell.role), subject, cell.surface)

    assert response.status_code != 500
    if cell.expected == matrix.LOGIN:
        assert is_admin_login(response), (response.status_code, response.get("Location"))
        assert Snapshot.of(subject.pk) == before
    elif cell.expected == matrix.NOT_FOUND:
        assert response.status_code == 404
    elif cell.expected == matrix.DENIED:
        assert is_denied(response), (response.status_code, response.get("Location"))
        assert Snapshot.of(subject.pk) == before, "a refused action wrote something"
    elif cell.expected == matrix.LOCKED:
        assert response.status_code == 200
        assert "locked" in response.content.decode()
        assert Snapshot.of(subject.pk) == before, "a locked page was changed"
    elif cell.expected == matrix.DRAFT_ONLY:
        assert response.status_code == 302
        after = Snapshot.of(subject.pk)
        assert after.row is not None and before.row is not None
        assert after.row[1:3] == before.row[1:3], "the owner's publish changed what is live"
        if subject.state in matrix.LIVE_STATES:
            assert after.row[0] == before.row[0], "the owner's publish retitled the live brief"
        assert after.revisions == before.revisions + 1
    elif cell.expected == matrix.ALLOWED:
        if cell.surface in ("edit-view", "move"):
            assert response.status_code == 200
        else:
            assert response.status_code in (200, 302), response.status_code
            assert_action_happened(subject, cell.surface, world.user(cell.role))
    else:
        raise AssertionError(f"no check for {cell.expected!r}")


# --- sources readers see ----------------------------------------------------------------


def source_form(source: Source, title: str) -> dict[str, str]:
    """What the edit-source form posts: the source as it stands, with a new title."""
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
    }


def import_text(source: Source, title: str) -> str:
    """CSL-JSON for one reference that matches `source` by URL and retitles it."""
    return json.dumps(
        [
            {
                "id": "matrix",
                "type": "article-newspaper",
                "title": title,
                "URL": source.url,
                "container-title": source.outlet.name if source.outlet else "",
                "author": [{"family": "Doe", "given": "Jane"}],
                "issued": {"date-parts": [[2010, 11, 29]]},
            }
        ]
    )


def source_action(client: Client, source: Source, surface: str, title: str) -> Any:
    if surface == "import-update":
        return client.post(
            reverse("import_references"),
            {"text": import_text(source, title), "format": "", "action": "import"},
        )
    url = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
    form = source_form(source, title)
    if surface == "source-publish":
        form["action-publish"] = "1"
    return client.post(url, form)


@pytest.mark.parametrize("cell", cell_params(matrix.SOURCE_ACTIONS))
def test_a_source_readers_see_changes_only_when_an_editor_publishes(
    world: World, as_role: Any, cell: matrix.Cell
) -> None:
    subject = world.subjects[cell.state]
    source = Source.objects.get(pk=subject.source_id)
    title = f"Retitled {word(cell.state, 'retitled')}"
    client = as_role(cell.role)

    response = source_action(client, source, cell.surface, title)

    assert response.status_code != 500
    live_title = Source.objects.get(pk=source.pk).title
    public = Client().get(f"/sources/{source.pk}/")
    if cell.expected == matrix.LOGIN:
        assert is_admin_login(response)
        assert live_title == subject.source_title
    elif cell.expected == matrix.NOT_PUBLIC:
        assert live_title == subject.source_title, "an author's change went live unreviewed"
        assert word(cell.state, "retitled") not in public.content.decode()
        if cell.surface == "source-save-draft":
            assert response.status_code == 302, "an author could not save a source draft"
            latest = Source.objects.get(pk=source.pk).get_latest_revision()
            assert latest is not None and latest.as_object().title == title
    elif cell.expected == matrix.ALLOWED:
        assert response.status_code == 302, response.status_code
        if cell.surface == "source-save-draft":
            assert live_title == subject.source_title, "a saved draft went live"
            latest = Source.objects.get(pk=source.pk).get_latest_revision()
            assert latest is not None and latest.as_object().title == title
        elif cell.surface == "source-publish":
            assert live_title == title
    else:
        raise AssertionError(f"no check for {cell.expected!r}")

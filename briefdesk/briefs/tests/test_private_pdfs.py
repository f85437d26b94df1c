"""Cached PDFs and private sections: a brief's PDF is never under MEDIA_ROOT, it is served
only through /briefs/<slug>/pdf/ (which checks that the brief is live and public), and it goes
when the brief, its section or what it shows stops being public. Briefs in a private section
are listed nowhere.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from briefdesk.briefs.models import BriefPage, BriefPdf
from briefdesk.briefs.printing import RETRY_FAILED_AFTER, pdf_metadata, print_html
from briefdesk.citations.styles import DEFAULT_STYLE
from tests.factories import SiteTree, make_author, make_brief, make_topic
from tests.pages import html_of
from tests.pdfs import get_pdf

pytestmark = pytest.mark.django_db


def make_private(page: Page, kind: str = PageViewRestriction.PASSWORD) -> PageViewRestriction:
    """Restrict a page (and so its subtree) the way the admin's privacy dialog does."""
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, password="pw")


def unpublish(page: Page) -> Page:
    page.unpublish()
    page.refresh_from_db()
    return page


# --- a private section -------------------------------------------------------------------


@pytest.fixture
def private_section(site_tree: SiteTree) -> dict[str, Any]:
    author = make_author(site_tree, "Open", "Writer")
    topic = make_topic(site_tree, "Open Topic")
    brief = make_brief(
        site_tree,
        title="Sectioned Wombat brief",
        summary="About wombatology.",
        authors=[author],
        topics=[topic],
    )
    make_private(site_tree.briefs)  # the whole /briefs/ section
    return {"brief": brief, "author": author, "topic": topic}


def test_briefs_in_a_private_section_are_listed_nowhere(
    private_section: dict[str, Any], client: Any
) -> None:
    for url in ("/", "/authors/open-writer/", "/topics/open-topic/"):
        assert "Wombat" not in html_of(client, url), url
    assert "Wombat" not in client.get("/sitemap.xml").content.decode()
    assert "0 results" in html_of(client, f"{reverse('search')}?q=wombatology")
    assert client.get("/briefs/sectioned-wombat-brief/cite.bib").status_code == 404
    assert client.get("/briefs/sectioned-wombat-brief/pdf/").status_code == 404


def test_a_public_brief_does_not_suggest_briefs_in_a_private_section_by_topic(
    site_tree: SiteTree, client: Any
) -> None:
    topic = make_topic(site_tree, "Shared Topic")
    shown = make_brief(site_tree, title="Shown brief", topics=[topic])
    hidden = make_brief(site_tree, title="Hidden Ibex brief", topics=[topic])
    make_private(hidden)

    assert "Ibex" not in html_of(client, shown.url)
    assert [b.pk for b in BriefPage.objects.get(pk=shown.pk).related_briefs()] == []


# --- cached PDFs -------------------------------------------------------------------------


def files_under(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def pdf_files_in_media() -> list[Path]:
    return [p for p in files_under(settings.MEDIA_ROOT) if p.suffix == ".pdf"]


@pytest.fixture
def pdf_brief(site_tree: SiteTree) -> BriefPage:
    topic = make_topic(site_tree, "Kumquat Studies")
    return make_brief(
        site_tree,
        title="Printable brief",
        summary="A brief to print.",
        authors=[make_author(site_tree)],
        topics=[topic],
        body=[
            ("paragraph", "<p>Text to print.</p>"),
            ("topic_box", {"topic": topic, "text": "Kumquat box text."}),
        ],
    )


def stored_pdf(client: Any, brief: BriefPage) -> tuple[bytes, Path]:
    content = get_pdf(client, reverse("brief_pdf", args=[brief.slug]))
    record = BriefPdf.objects.get(page=brief)
    return content, Path(record.file.path)


def test_a_cached_pdf_is_stored_outside_media_and_has_no_public_url(
    pdf_brief: BriefPage, client: Any
) -> None:
    _, path = stored_pdf(client, pdf_brief)

    assert path.is_file()
    assert Path(settings.MEDIA_ROOT).resolve() not in path.resolve().parents
    assert pdf_files_in_media() == []
    with pytest.raises(ValueError, match="no public URL"):
        _ = BriefPdf.objects.get(page=pdf_brief).file.url


@pytest.mark.parametrize(
    "restrict", ["brief", "section"], ids=["brief made private", "section made private"]
)
def test_making_a_brief_private_deletes_its_cached_pdf(
    pdf_brief: BriefPage,
    site_tree: SiteTree,
    client: Any,
    restrict: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, path = stored_pdf(client, pdf_brief)

    with django_capture_on_commit_callbacks(execute=True):
        make_private(pdf_brief if restrict == "brief" else site_tree.briefs)

    assert not BriefPdf.objects.filter(page=pdf_brief).exists()
    assert not path.exists()
    assert client.get(reverse("brief_pdf", args=[pdf_brief.slug])).status_code == 404


def test_unpublishing_a_brief_deletes_its_cached_pdf(
    pdf_brief: BriefPage, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, path = stored_pdf(client, pdf_brief)

    with django_capture_on_commit_callbacks(execute=True):
        unpublish(pdf_brief)

    assert not path.exists()
    assert client.get(reverse("brief_pdf", args=[pdf_brief.slug])).status_code == 404


def test_deleting_a_brief_deletes_its_cached_pdf(
    pdf_brief: BriefPage, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, path = stored_pdf(client, pdf_brief)

    with django_capture_on_commit_callbacks(execute=True):
        pdf_brief.delete()

    assert not path.exists()


def test_a_pdf_never_shows_a_private_topic_and_shows_it_again_once_public(
    pdf_brief: BriefPage, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    topic = Page.objects.get(slug="kumquat-studies")
    url = reverse("brief_pdf", args=[pdf_brief.slug])
    get_pdf(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        restriction = make_private(topic)
    # The stored PDF showed the topic's box and keyword: it is gone, and the next one has neither.
    assert not BriefPdf.objects.filter(page=pdf_brief).exists()
    assert "Kumquat" not in print_html(pdf_brief, DEFAULT_STYLE)
    assert "Kumquat Studies" not in pdf_metadata(pdf_brief).keywords
    get_pdf(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert not BriefPdf.objects.filter(page=pdf_brief).exists()
    assert "Kumquat box text." in print_html(pdf_brief, DEFAULT_STYLE)
    assert pdf_metadata(pdf_brief).keywords == ["Kumquat Studies"]


def test_no_generated_file_of_a_brief_is_ever_under_media(
    pdf_brief: BriefPage, client: Any
) -> None:
    for style in ("", "?style=apa"):
        get_pdf(client, reverse("brief_pdf", args=[pdf_brief.slug]) + style)

    assert pdf_files_in_media() == []
    assert not any(pdf_brief.slug in str(p) for p in files_under(settings.MEDIA_ROOT))


def test_the_migration_drops_pdfs_cached_under_media(pdf_brief: BriefPage, client: Any) -> None:
    migration = importlib.import_module("briefdesk.briefs.migrations.0005_private_pdf_storage")
    get_pdf(client, reverse("brief_pdf", args=[pdf_brief.slug]))
    # A record and its file as they were before private storage, and a file left behind.
    old = default_storage.save(f"briefs/pdf/{pdf_brief.pk}/old-r1-apa.pdf", ContentFile(b"%PDF"))
    BriefPdf.objects.filter(page=pdf_brief).update(file=old)
    default_storage.save("briefs/pdf/999/stray.pdf", ContentFile(b"%PDF"))

    migration.drop_public_pdfs(django_apps, None)

    assert not BriefPdf.objects.exists()
    assert pdf_files_in_media() == []
    assert not (Path(settings.MEDIA_ROOT) / "briefs" / "pdf").exists()


# --- storage that cannot be written --------------------------------------------------------


@pytest.fixture
def unwritable_private_root(settings: Any, tmp_path: Path) -> Path:
    """A private root under a regular file: creating anything there fails even for root."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    settings.BRIEFDESK_PRIVATE_ROOT = blocker / "private"
    return blocker


def test_a_pdf_that_cannot_be_stored_reaches_its_reader_once_then_readers_get_the_503_page(
    pdf_brief: BriefPage, client: Any, unwritable_private_root: Path, caplog: Any
) -> None:
    url = reverse("brief_pdf", args=[pdf_brief.slug])
    caplog.set_level(logging.INFO)

    first = client.get(url)
    record = BriefPdf.objects.get(page=pdf_brief)
    second = client.get(url)
    third = client.get(url)

    # The reader whose request made the PDF gets it, uncached.
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF")
    assert first["Cache-Control"] == "no-store"
    # The failure is recorded for the admin and said once in the log, without a traceback.
    assert "could not be stored" in record.error
    assert not record.file
    warnings = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith(("briefdesk", "django"))
    ]
    assert [r.name for r in warnings] == ["briefdesk.briefs.printing"]
    assert "not stored" in warnings[0].getMessage() and warnings[0].exc_info is None
    # The next readers get the documented page at once: nothing is rendered again.
    for response in (second, third):
        assert response.status_code == 503
        assert response["Retry-After"] == "300"
        assert "could not be made" in response.content.decode()
    assert BriefPdf.objects.get(page=pdf_brief).made_at == record.made_at


def test_once_storage_is_writable_again_the_pdf_is_stored_after_the_retry_delay(
    pdf_brief: BriefPage, client: Any, unwritable_private_root: Path, settings: Any, tmp_path: Path
) -> None:
    url = reverse("brief_pdf", args=[pdf_brief.slug])
    client.get(url)
    settings.BRIEFDESK_PRIVATE_ROOT = tmp_path / "private"
    assert client.get(url).status_code == 503  # still within the retry delay
    BriefPdf.objects.update(made_at=timezone.now() - RETRY_FAILED_AFTER - dt.timedelta(seconds=1))

    content = get_pdf(client, url)

    record = BriefPdf.objects.get(page=pdf_brief)
    assert record.error == ""
    assert Path(record.file.path).read_bytes() == content
    assert Path(record.file.path).is_relative_to(tmp_path / "private")


# --- links in rich text ------------------------------------------------------------------


def test_rich_text_links_only_to_pages_a_reader_can_open(site_tree: SiteTree, client: Any) -> None:
    shown = make_brief(site_tree, title="Shown brief")
    draft = make_brief(site_tree, title="Secret merger plan", publish=False)
    private = make_brief(site_tree, title="Members briefing")
    make_private(private)

    def link(page: Page, text: str) -> str:
        return f'<a linktype="page" id="{page.pk}">{text}</a>'

    brief = make_brief(
        site_tree,
        title="Linking brief",
        body=[
            (
                "paragraph",
                f"<p>{link(shown, 'see shown')}, {link(draft, 'see draft')}, "
                f"{link(private, 'see private')}.</p>",
            )
        ],
    )
    body = html_of(client, brief.url)

    assert '<a href="/briefs/shown-brief/">see shown</a>' in body
    assert "<a>see draft</a>" in body and "<a>see private</a>" in body
    assert "secret-merger-plan" not in body and "members-briefing" not in body

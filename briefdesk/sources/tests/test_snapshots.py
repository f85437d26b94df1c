"""Snapshots of sources, captured from a local web (briefdesk.archive.testweb): an HTML page and
a PDF are stored through the snapshots storage with their text and hash; a failure stores
nothing and says why; a re-run stores no duplicate; `archive` prints a line per source and
exits 1 when one failed; publishing captures newly cited sources; readers see the archived
view (banner, text, a sandboxed frame), the raw page under a strict policy, the downloads, and
404 where the source has no public page or the snapshot is another source's."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from warcio.archiveiterator import ArchiveIterator

from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.briefs.models import BriefPage
from briefdesk.core.storage import PrivateStorage
from briefdesk.sources.archiving import CaptureFailed, capture, capture_source
from briefdesk.sources.models import Snapshot, Source
from tests.db import rolled_back
from tests.factories import SourceFactory, cite, make_brief, make_site_tree

PDF_BYTES = (
    Path(__file__).resolve().parents[2] / "archive" / "tests" / "files" / "report.pdf"
).read_bytes()
PAGE = (
    "<!doctype html><html><head><title>Reservoirs at a low</title></head><body>"
    "<article><h1>Reservoirs at a low</h1><p>Storage in the region's reservoirs fell by a "
    "third over the dry season, the water authority said on Monday, the steepest fall since "
    "records began in 1961.</p><p>Engineers expect levels to recover only if the winter rains "
    "come on time.</p></article><script>window.parent.pwned = 1</script></body></html>"
)


@dataclass
class World:
    web: LocalWeb
    page: Source
    pdf: Source
    gone: Source
    hidden: Source
    brief: BriefPage


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with LocalWeb() as web, rolled_back(django_db_blocker):
        web.route("news", "/reservoirs", Route.html(PAGE))
        web.route("news", "/old-reservoirs", Route.redirect(web.url("news", "/reservoirs")))
        web.route(
            "files",
            "/report.pdf",
            Route(body=PDF_BYTES, headers={"Content-Type": "application/pdf"}),
        )
        web.route("news", "/gone", Route.html("<p>Not here</p>", status=404))
        tree = make_site_tree()
        page = SourceFactory(title="Reservoirs at a low", url=web.url("news", "/old-reservoirs"))
        pdf = SourceFactory(title="Reservoir report", url=web.url("files", "/report.pdf"))
        gone = SourceFactory(title="Gone story", url=web.url("news", "/gone"))
        hidden = SourceFactory(title="Never cited", url=web.url("news", "/reservoirs"))
        brief = make_brief(
            tree,
            body=[("paragraph", f"<p>Low {cite(page)}, report {cite(pdf)}, {cite(gone)}.</p>")],
        )
        yield World(web, page, pdf, gone, hidden, brief)


@pytest.fixture(autouse=True)
def _own_files(db: Any, settings: Any, tmp_path: Path) -> None:
    """Each test stores its snapshots' files apart: files do not roll back with the rows."""
    settings.BRIEFDESK_PRIVATE_ROOT = tmp_path / "private"


def serve(world: World, path: str, route: Route, source: Source) -> None:
    """Answer `path` with `route` and point `source` there (for this test only: the row
    change rolls back; each test uses a path of its own)."""
    world.web.route("news", path, route)
    Source.objects.filter(pk=source.pk).update(url=world.web.url("news", path))


def stored_files() -> list[str]:
    root = Path(settings.BRIEFDESK_PRIVATE_ROOT) / "snapshots"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- capture ---------------------------------------------------------------------------


def test_capturing_a_page_stores_its_warc_text_and_hash(world: World) -> None:
    snapshot = capture_source(world.page.pk)

    assert isinstance(snapshot, Snapshot)
    assert snapshot.url == world.web.url("news", "/old-reservoirs")
    assert snapshot.final_url == world.web.url("news", "/reservoirs")
    assert (snapshot.status, snapshot.content_type) == (200, "text/html")
    assert snapshot.title == "Reservoirs at a low"
    assert "fell by a third" in snapshot.text
    assert "pwned" not in snapshot.text
    assert not snapshot.document
    with snapshot.warc.open("rb") as stream:
        types = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
            for r in ArchiveIterator(stream)
        ]
    assert types[1:] == [
        ("response", world.web.url("news", "/old-reservoirs")),
        ("request", world.web.url("news", "/reservoirs")),
        ("response", world.web.url("news", "/reservoirs")),
        ("metadata", world.web.url("news", "/reservoirs")),
    ]
    assert snapshot.size == len(PAGE.encode())
    assert stored_files() == [snapshot.warc.name.removeprefix("snapshots/")]
    assert snapshot.warc.name.startswith(f"snapshots/{world.page.pk}/")


def test_capturing_a_pdf_keeps_the_file_itself_and_its_text(world: World) -> None:
    snapshot = capture_source(world.pdf.pk)

    assert isinstance(snapshot, Snapshot)
    assert snapshot.content_type == "application/pdf"
    assert snapshot.title == "Reservoir report 2025"
    assert "Annual report on reservoir levels" in snapshot.text
    with snapshot.document.open("rb") as stream:
        assert stream.read() == PDF_BYTES
    assert snapshot.document.name.endswith(".pdf")
    assert len(stored_files()) == 2


@pytest.mark.parametrize(
    ("path", "route", "kind", "words"),
    [
        ("/gone", Route.html("<p>Not here</p>", status=404), "http-status", "404"),
        ("/broken", Route.html("oops", status=500), "http-status", "500"),
        ("/empty", Route(body=b""), "empty", "empty body"),
    ],
    ids=["404", "500", "empty"],
)
def test_an_answer_that_is_not_a_page_stores_nothing_and_says_why(
    world: World, path: str, route: Route, kind: str, words: str
) -> None:
    serve(world, path, route, world.gone)

    failure = capture_source(world.gone.pk)

    assert isinstance(failure, CaptureFailed)
    assert failure.kind == kind
    assert words in failure.reason
    assert not Snapshot.objects.exists()
    assert stored_files() == []


def test_a_fetch_error_or_a_source_without_url_stores_nothing(world: World) -> None:
    Source.objects.filter(pk=world.gone.pk).update(url="http://127.0.0.1:9/nothing-listens")
    refused = capture_source(world.gone.pk)
    Source.objects.filter(pk=world.gone.pk).update(url="")
    no_url = capture_source(world.gone.pk)

    assert isinstance(refused, CaptureFailed)
    assert refused.kind == "connect"
    assert isinstance(no_url, CaptureFailed)
    assert no_url.kind == "no-url"
    assert not Snapshot.objects.exists()
    assert stored_files() == []


class RefusesDocuments(PrivateStorage):
    """Private storage that fails to save a document (a full disk, a bucket refusing a write)."""

    def _save(self, name: str, content: Any) -> str:
        if name.endswith(".pdf"):
            raise OSError("No space left on device")
        return super()._save(name, content)  # type: ignore[misc]  # django-stubs omit _save


def test_a_storage_failure_leaves_no_row_and_no_files(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A FileField takes its storage once, when the model loads: swap the field's.
    monkeypatch.setattr(Snapshot._meta.get_field("document"), "storage", RefusesDocuments())

    failure = capture_source(world.pdf.pk)

    assert isinstance(failure, CaptureFailed)
    assert failure.kind == "storage"
    assert "No space left" in failure.reason
    assert not Snapshot.objects.exists()
    assert stored_files() == []


def test_a_rerun_with_the_same_payload_stores_no_duplicate_and_a_change_does(
    world: World,
) -> None:
    serve(world, "/rerun", Route.html(PAGE), world.page)
    first = capture(world.page.pk)
    again = capture(world.page.pk)
    world.web.route("news", "/rerun", Route.html(PAGE.replace("third", "half")))
    changed = capture(world.page.pk)

    assert (first.state, again.state, changed.state) == ("captured", "unchanged", "captured")
    assert again.snapshot == first.snapshot
    assert world.page.snapshots.count() == 2
    assert len(stored_files()) == 2


def test_deleting_a_source_removes_its_snapshot_files_once_the_deletion_commits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    snapshot = capture_source(world.hidden.pk)
    assert isinstance(snapshot, Snapshot) and len(stored_files()) == 1

    with django_capture_on_commit_callbacks(execute=False) as pending:
        Source.objects.filter(pk=world.hidden.pk).delete()
    assert len(stored_files()) == 1  # not before the commit: a rollback keeps them
    for callback in pending:
        callback()

    assert stored_files() == []


# --- the command -------------------------------------------------------------------------


def test_archive_prints_a_line_per_source_and_exits_1_after_trying_every_one(
    world: World,
) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("archive", "--all", stdout=out)

    lines = out.getvalue().splitlines()
    assert failed.value.returncode == 1
    assert "1 of 4 captures failed" in str(failed.value)
    assert lines[0].startswith(
        f"source {world.page.pk}: captured {world.web.url('news', '/reservoirs')}"
    )
    assert lines[1].startswith(f"source {world.pdf.pk}: captured")
    assert (
        lines[2]
        == f"source {world.gone.pk}: failed: The server answered 404 Not Found, not the page."
    )
    assert lines[3].startswith(f"source {world.hidden.pk}: captured")
    assert len(lines) == 4


def test_archive_of_one_source_says_unchanged_the_second_time_and_exits_0(world: World) -> None:
    out = io.StringIO()
    call_command("archive", "--source", str(world.page.pk), stdout=out)
    call_command("archive", "--source", str(world.page.pk), stdout=out)

    first, second = out.getvalue().splitlines()
    assert first.startswith(f"source {world.page.pk}: captured")
    assert second.startswith(f"source {world.page.pk}: unchanged")


def test_archive_needs_all_or_a_source(world: World) -> None:
    with pytest.raises(CommandError):
        call_command("archive", stdout=io.StringIO())


# --- capture on first citation -------------------------------------------------------------


def test_publishing_a_brief_captures_its_sources_without_a_snapshot(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    tree_brief = BriefPage.objects.get(pk=world.brief.pk)  # a fresh latest_revision
    fresh = SourceFactory(title="Fresh", url=world.web.url("news", "/reservoirs"))
    capture_source(world.page.pk)
    tree_brief.body = [("paragraph", f"<p>{cite(world.page)} and {cite(fresh)}</p>")]

    with (
        override_settings(BRIEFDESK_CAPTURE_ON_PUBLISH=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tree_brief.save_revision().publish()

    assert fresh.snapshots.count() == 1
    assert world.page.snapshots.count() == 1  # had one: not captured again
    assert not world.pdf.snapshots.exists()  # no longer cited by the brief


def test_publishing_captures_nothing_when_the_setting_is_off(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        BriefPage.objects.get(pk=world.brief.pk).save_revision().publish()

    assert not Snapshot.objects.exists()


# --- readers' views ------------------------------------------------------------------------


def archived(source: Source, snapshot: Snapshot, name: str = "archive") -> str:
    return reverse(f"sources:{name}", args=[source.pk, snapshot.pk])


def test_the_archived_view_shows_the_banner_the_text_and_a_sandboxed_frame(
    world: World, client: Any
) -> None:
    snapshot = capture_source(world.page.pk)
    assert isinstance(snapshot, Snapshot)

    response = client.get(archived(world.page, snapshot))
    html = response.content.decode()

    assert response.status_code == 200
    date = f"{snapshot.captured_at:%-d %B %Y}"
    assert f"Archived by {settings.WAGTAIL_SITE_NAME} on" in html
    assert date in html
    assert f'from <a href="{snapshot.final_url}"' in html
    assert "fell by a third" in html
    frame = html[html.index("<iframe") : html.index("</iframe>")]
    assert " sandbox " in frame
    assert "allow-" not in frame
    assert f'src="{archived(world.page, snapshot, "archive_raw")}"' in frame
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_raw_page_is_served_under_a_strict_policy_for_the_frame_only(
    world: World, client: Any
) -> None:
    snapshot = capture_source(world.page.pk)
    assert isinstance(snapshot, Snapshot)

    response = client.get(archived(world.page, snapshot, "archive_raw"))

    assert response.status_code == 200
    assert response.content.decode() == PAGE
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
    )
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("sources:detail", args=[world.page.pk]))["X-Frame-Options"] == "DENY"


def test_a_pdf_is_a_download_and_has_no_raw_page(world: World, client: Any) -> None:
    snapshot = capture_source(world.pdf.pk)
    assert isinstance(snapshot, Snapshot)

    response = client.get(archived(world.pdf, snapshot, "archive_document"))
    page = client.get(archived(world.pdf, snapshot)).content.decode()

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(archived(world.pdf, snapshot, "archive_raw")).status_code == 404
    assert "<iframe" not in page
    assert archived(world.pdf, snapshot, "archive_document") in page


def test_the_warc_and_the_wacz_download(world: World, client: Any) -> None:
    serve(world, "/twice", Route.html(PAGE), world.page)
    first = capture_source(world.page.pk)
    world.web.route("news", "/twice", Route.html(PAGE.replace("third", "half")))
    second = capture_source(world.page.pk)
    assert isinstance(first, Snapshot) and isinstance(second, Snapshot)

    warc = client.get(archived(world.page, first, "archive_warc"))
    wacz = client.get(reverse("sources:wacz", args=[world.page.pk]))

    assert warc["Content-Disposition"].startswith("attachment;")
    with first.warc.open("rb") as stream:
        assert b"".join(warc.streaming_content) == stream.read()
    assert wacz.status_code == 200
    assert wacz["Content-Disposition"] == f'attachment; filename="source-{world.page.pk}.wacz"'
    archive = zipfile.ZipFile(io.BytesIO(wacz.content))
    assert f"archive/snapshot-{first.pk}.warc.gz" in archive.namelist()
    assert f"archive/snapshot-{second.pk}.warc.gz" in archive.namelist()
    assert json.loads(archive.read("datapackage.json"))["mainPageUrl"] == second.final_url
    assert client.get(reverse("sources:wacz", args=[world.pdf.pk])).status_code == 404


def test_archive_views_are_404_without_a_public_source_or_for_another_sources_snapshot(
    world: World, client: Any
) -> None:
    public = capture_source(world.page.pk)
    hidden = capture_source(world.hidden.pk)
    assert isinstance(public, Snapshot) and isinstance(hidden, Snapshot)

    for name in ("archive", "archive_raw", "archive_warc"):
        assert client.get(archived(world.hidden, hidden, name)).status_code == 404
        assert client.get(archived(world.page, hidden, name)).status_code == 404
        assert client.get(archived(world.page, public, name)).status_code == 200
    assert client.get(reverse("sources:wacz", args=[world.hidden.pk])).status_code == 404


def test_the_source_page_lists_its_snapshots(world: World, client: Any) -> None:
    snapshot = capture_source(world.page.pk)
    assert isinstance(snapshot, Snapshot)

    html = client.get(reverse("sources:detail", args=[world.page.pk])).content.decode()

    assert "Archived copies" in html
    assert f'href="{archived(world.page, snapshot)}"' in html
    assert f"{snapshot.captured_at:%-d %B %Y}" in html
    assert reverse("sources:wacz", args=[world.page.pk]) in html
    no_copies = client.get(reverse("sources:detail", args=[world.pdf.pk])).content.decode()
    assert "Archived copies" not in no_copies


def test_the_sources_list_gives_the_archived_copy_after_the_original(
    world: World, client: Any
) -> None:
    snapshot = capture_source(world.page.pk)
    assert isinstance(snapshot, Snapshot)

    html = client.get(world.brief.url).content.decode()
    entry = html[html.index(f'<li id="source-{world.page.pk}">') :]
    entry = entry[: entry.index("</li>")]

    url = f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{archived(world.page, snapshot)}"
    assert f'Archived copy: <a href="{url}">{url}</a> ({snapshot.captured_at:%-d %B %Y}).' in entry
    assert entry.index(world.page.url) < entry.index("Archived copy")
    assert '<span class="source-list__archived print-only">' in entry
    # On screen a short link; the printed page spells the address out.
    assert f'<a class="source-list__archived-link" href="{url}">Archived copy' in entry

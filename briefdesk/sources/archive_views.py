"""Readers' views of snapshots: the archived copy, its raw page, its files, and the WACZ.

    /sources/<id>/archive/<snapshot>/           banner, main text, the page in a sandboxed frame
    /sources/<id>/archive/<snapshot>/raw/       the archived HTML, for that frame only
    /sources/<id>/archive/<snapshot>/document/  a PDF or other document, as a download
    /sources/<id>/archive/<snapshot>/warc/      the snapshot's WARC, as a download
    /sources/<id>/archive.wacz                  every snapshot of the source, for ReplayWeb.page

Archived HTML is someone else's markup and must never run script in the site's origin. The raw
view serves it with its own Content-Security-Policy (`default-src 'none'; img-src data:;
style-src 'unsafe-inline'; sandbox`: no script, no request to anywhere, an opaque origin even
when opened on its own), which the site's CSP middleware leaves alone because the response
already has one; `X-Frame-Options: SAMEORIGIN` so only the archived view can frame it; and the
archived view frames it with `sandbox` without allow-scripts or allow-same-origin.

Everything answers only for a source with a public page (views.public_source) and only for a
snapshot of that source; 404 otherwise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from warcio.archiveiterator import ArchiveIterator

from briefdesk.archive.wacz import WaczCapture, build_wacz

from .archiving import software
from .models import Snapshot, Source
from .views import public_source

RAW_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
_PAGE_TYPES = {"text/html", "application/xhtml+xml"}


def _snapshot(pk: int, snapshot_id: int) -> tuple[Source, Snapshot]:
    source = public_source(pk)
    return source, get_object_or_404(Snapshot, pk=snapshot_id, source=source)


def is_page(snapshot: Snapshot) -> bool:
    """Whether the snapshot is a web page (shown framed) rather than a document (downloaded)."""
    return snapshot.content_type in _PAGE_TYPES


def snapshot_archived(request: HttpRequest, pk: int, snapshot_id: int) -> HttpResponse:
    source, snapshot = _snapshot(pk, snapshot_id)
    return TemplateResponse(
        request,
        "sources/archived.html",
        {
            "source": source,
            "snapshot": snapshot,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "is_page": is_page(snapshot),
            "has_document": bool(snapshot.document),
        },
    )


def final_response(snapshot: Snapshot) -> tuple[str, bytes]:
    """The Content-Type and body of the WARC's final response record (the last one)."""
    content_type, body = "", b""
    with snapshot.warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                headers = record.http_headers
                content_type = headers.get_header("Content-Type", "") if headers else ""
                body = record.content_stream().read()
    return content_type, body


def snapshot_raw(request: HttpRequest, pk: int, snapshot_id: int) -> HttpResponse:
    _, snapshot = _snapshot(pk, snapshot_id)
    if not is_page(snapshot):
        raise Http404("Only an archived web page has a raw view")
    content_type, body = final_response(snapshot)
    media = content_type.split(";")[0].strip().lower()
    if media not in _PAGE_TYPES:
        content_type = "text/html"
    # Keep the charset the server named; never let a recorded type other than HTML through.
    response = HttpResponse(body, content_type=content_type.replace("\n", " ")[:200])
    response["Content-Security-Policy"] = RAW_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_cache_control(response, private=True, max_age=3600)
    return response


def _download(field_file: Any, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def snapshot_document(request: HttpRequest, pk: int, snapshot_id: int) -> FileResponse:
    source, snapshot = _snapshot(pk, snapshot_id)
    if not snapshot.document:
        raise Http404("This snapshot has no document")
    extension = (
        snapshot.document.name.rsplit(".", 1)[-1] if "." in snapshot.document.name else "bin"
    )
    return _download(
        snapshot.document,
        f"source-{source.pk}-snapshot-{snapshot.pk}.{extension}",
        snapshot.content_type or "application/octet-stream",
    )


def snapshot_warc(request: HttpRequest, pk: int, snapshot_id: int) -> FileResponse:
    source, snapshot = _snapshot(pk, snapshot_id)
    return _download(
        snapshot.warc,
        f"source-{source.pk}-snapshot-{snapshot.pk}.warc.gz",
        "application/warc",
    )


def source_wacz(request: HttpRequest, pk: int) -> HttpResponse:
    source = public_source(pk)
    snapshots = list(source.snapshots.order_by("captured_at", "pk"))
    if not snapshots:
        raise Http404("This source has no snapshots")
    captures = []
    for snapshot in snapshots:
        with snapshot.warc.open("rb") as stream:
            data = stream.read()
        captures.append(
            WaczCapture(
                f"snapshot-{snapshot.pk}.warc.gz",
                data,
                snapshot.final_url,
                snapshot.title or source.display_title,
                snapshot.captured_at,
            )
        )
    wacz = build_wacz(
        captures,
        title=f"{source.display_title} ({settings.WAGTAIL_SITE_NAME} snapshots)",
        description=f"Snapshots of {source.url}",
        software=software(),
    )
    response = HttpResponse(wacz, content_type="application/wacz")
    response["Content-Disposition"] = f'attachment; filename="source-{source.pk}.wacz"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

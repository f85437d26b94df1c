"""Handing out a file after a view has checked that the reader may have it.

    response = file_response(path, content_type="application/pdf", filename="brief.pdf")

With BRIEFDESK_SENDFILE="" (the default) Django streams the file. With BRIEFDESK_SENDFILE="nginx"
the response is empty and carries `X-Accel-Redirect`: nginx then sends the file itself from an
internal location (one a client cannot request), as deploy/nginx/briefdesk.conf sets up:

    MEDIA_ROOT              ->  /_protected/media/    (Wagtail documents, images)
    BRIEFDESK_PRIVATE_ROOT  ->  /_protected/private/  (cached brief PDFs)

`sendfile(request, filename, **kwargs)` is the same in the shape of a django-sendfile backend,
for Wagtail's document view (settings.SENDFILE_BACKEND names this module): Wagtail checks the
collection's privacy first, then calls it.

Why not django-sendfile2's nginx backend: it maps one SENDFILE_ROOT to one SENDFILE_URL, and
briefdesk has two roots that may be configured apart (BRIEFDESK_PRIVATE_ROOT is kept outside
MEDIA_ROOT on purpose). A common parent (the data directory) as its root would make every file
there, the SQLite database included, one internal redirect away from a reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date

# Internal nginx locations, one per root (deploy/nginx/briefdesk.conf aliases them).
LOCATIONS = (
    ("MEDIA_ROOT", "/_protected/media/"),
    ("BRIEFDESK_PRIVATE_ROOT", "/_protected/private/"),
)


def by_nginx() -> bool:
    """Whether files go out as X-Accel-Redirect (read per call, so tests can switch it)."""
    return settings.BRIEFDESK_SENDFILE == "nginx"


def accel_location(path: Path | str) -> str:
    """The internal URL nginx serves `path` at, e.g. /_protected/media/documents/a.pdf.

    Raises ValueError for a file under neither root: nginx could not reach it, and a view
    must never hand out a file from elsewhere.
    """
    resolved = Path(path).resolve()
    for setting, location in LOCATIONS:
        root = Path(getattr(settings, setting)).resolve()
        if resolved.is_relative_to(root) and resolved != root:
            return location + quote(resolved.relative_to(root).as_posix())
    raise ValueError(f"{resolved} is under neither MEDIA_ROOT nor BRIEFDESK_PRIVATE_ROOT")


class _NoNoneHeaders:
    """wagtail.utils.sendfile sets `Content-Encoding` to None for a file with no encoding,
    which Django sends as the header `Content-Encoding: None`: a None value sets nothing."""

    def __setitem__(self, header: str, value: Any) -> None:
        if value is None:
            self.headers.pop(header, None)  # type: ignore[attr-defined]
            return
        super().__setitem__(header, value)  # type: ignore[misc]


class _StreamedFile(_NoNoneHeaders, FileResponse):
    pass


class _NotModified(_NoNoneHeaders, HttpResponseNotModified):
    pass


class _AccelRedirect(_NoNoneHeaders, HttpResponse):
    """An empty response nginx replaces with the file. It has no Content-Length of the file
    (Wagtail sets one): the body is empty, and a length that says otherwise would leave any
    client other than nginx waiting for bytes that never come."""

    def __setitem__(self, header: str, value: Any) -> None:
        if header.lower() == "content-length":
            return
        super().__setitem__(header, value)


def _accel(path: Path | str, content_type: str) -> HttpResponse:
    response = _AccelRedirect(content_type=content_type)
    response["X-Accel-Redirect"] = accel_location(path)
    return response


def file_response(
    path: Path | str, *, content_type: str, filename: str | None = None
) -> HttpResponseBase:
    """The file at `path`, shown inline (named `filename` when saved), by Django or nginx.

    The caller has checked access and answered conditional requests; it adds its own
    Cache-Control, ETag and Last-Modified (nginx's internal locations pass them on).
    """
    if by_nginx():
        response = _accel(path, content_type)
        disposition = content_disposition_header(False, filename) if filename else None
        if disposition:
            response["Content-Disposition"] = disposition
        return response
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    return _StreamedFile(handle, content_type=content_type, filename=filename or "")


def sendfile(request: HttpRequest, filename: str, **kwargs: Any) -> HttpResponseBase:
    """A django-sendfile backend for Wagtail's document view (settings.SENDFILE_BACKEND).

    Wagtail sets Content-Type, Content-Disposition and Content-Length afterwards, and answers
    If-None-Match itself (the document's hash); this answers If-Modified-Since when streaming.
    """
    content_type = kwargs.get("mimetype") or "application/octet-stream"
    if by_nginx():
        return _accel(filename, content_type)
    modified = int(Path(filename).stat().st_mtime)
    if get_conditional_response(request, last_modified=modified) is not None:
        return _NotModified()
    handle = open(filename, "rb")  # noqa: SIM115 (FileResponse closes it)
    response = _StreamedFile(handle, content_type=content_type)
    response["Last-Modified"] = http_date(modified)
    return response

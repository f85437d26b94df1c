"""HTML to PDF with WeasyPrint, offline.

The brief's print layout (its page HTML under print.css) becomes a tagged PDF. Nothing is
fetched from the network while rendering: stylesheets and images under STATIC_URL and MEDIA_URL
(or the media storage's own URL, an S3 bucket's) are read from local files or the storage,
`data:` URIs are decoded, and any other URL is refused. A resource that cannot be loaded is
left out and reported in `RenderedPdf.problems`, which the admin shows; the document still
renders.

This module knows nothing about pages or the database: callers give it HTML and metadata.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage

from briefdesk.core.media import PUBLIC_PREFIXES

# The default variant (settings.BRIEFDESK_PDF_VARIANT) is PDF/UA-1: tagged structure, with the
# document language and title, for screen readers. It renders our layout correctly in WeasyPrint
# 70 (the tests check it with pdfinfo and pdftotext). PDF/A-3u, the archival choice, also works.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}


class PdfRenderError(Exception):
    """WeasyPrint could not make a document of this HTML."""


@dataclass(frozen=True)
class PdfMetadata:
    """The document information of a PDF. `report_type` and `report_number` (the brief type
    and series number, as a reference manager names them) are written as the custom entries
    ReportType and ReportNumber, each only when it has a value."""

    title: str
    authors: list[str]
    subject: str
    keywords: list[str]
    created: dt.date
    modified: dt.date | None = None
    lang: str = "en"
    report_type: str = ""
    report_number: str = ""

    def custom(self) -> dict[str, str]:
        entries = {"ReportType": self.report_type, "ReportNumber": self.report_number}
        return {key: value for key, value in entries.items() if value}


@dataclass
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float
    problems: list[str] = field(default_factory=list)


def _local_roots() -> list[tuple[str, str]]:
    return [(settings.STATIC_URL, "static"), (settings.MEDIA_URL, "media")]


class NotLoaded(Exception):
    """A resource the PDF asked for that is not given to it (the message says why)."""


def local_resource(url: str, base_url: str) -> tuple[bytes, str]:
    """The bytes and content type behind a static or media URL of this site.
    Raises NotLoaded for anything else, or for a file that is not there."""
    parts, base = urlsplit(url), urlsplit(base_url)
    path = unquote(parts.path)
    remote = _remote_media_prefix()
    if remote and url.startswith(remote):
        name = unquote(urlsplit(url).path[len(urlsplit(remote).path) :])
        if name.split("/", 1)[0] not in PUBLIC_PREFIXES or ".." in Path(name).parts:
            raise NotLoaded("PDFs use only the public media files (image renditions)")
        found = _media_file(name)
        if found is None:
            raise NotLoaded("the file is missing from storage")
        return found, mimetypes.guess_type(name)[0] or "application/octet-stream"
    if parts.scheme in ("http", "https") and parts.netloc == base.netloc:
        for prefix, kind in _local_roots():
            name = path[len(prefix) :] if path.startswith(prefix) else ""
            if not name or ".." in Path(name).parts:
                continue
            found = _media_file(name) if kind == "media" else _static_file(name)
            if found is None:
                raise NotLoaded("the file is missing from storage")
            if kind == "media" and name.split("/", 1)[0] not in PUBLIC_PREFIXES:
                # A document (possibly in a private collection) or an original upload: only
                # what /media/ serves to anyone may end up in a PDF served to anyone.
                raise NotLoaded("PDFs use only the public media files (image renditions)")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return found, content_type
    raise NotLoaded("PDFs use only this site's own static and media files")


def _remote_media_prefix() -> str | None:
    """The URL that public media files start with when the media storage is not this site
    (an S3 bucket or its custom domain), e.g. https://bucket.example/media/; None on disk.
    Those files are read through the storage, never fetched over the network."""
    probe = "images/briefdesk-probe"
    url = default_storage.url(probe)
    if not url.startswith(("http://", "https://")) or probe not in url:
        return None
    return url[: url.index(probe)]


def _media_file(name: str) -> bytes | None:
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def _static_file(name: str) -> bytes | None:
    try:
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:  # a remote storage: use the app's own copy
        collected = None
    if collected is None or not collected.is_file():
        found = finders.find(name)
        collected = Path(found) if isinstance(found, str) else None
    return collected.read_bytes() if collected is not None else None


def _url_fetcher(base_url: str) -> Any:  # WeasyPrint's URLFetcher subclass (untyped)
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            body, content_type = local_resource(url, base_url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return LocalOnlyFetcher(timeout=5, allow_redirects=False)


# WeasyPrint's "Failed to load image at 'URL': NotLoaded: reason" and the like.
_FAILED_TO_LOAD = re.compile(
    r"Failed to load (?P<what>[\w -]+?) at '?(?P<url>[^' ]+)'?: (?:\w+: )?(?P<why>.*)"
)


def problem_text(message: str) -> str:
    """An editor-readable line for one of WeasyPrint's resource warnings."""
    match = _FAILED_TO_LOAD.match(message)
    if not match:
        return message
    return f"{match['what'].capitalize()} not loaded: {match['url']} ({match['why'].strip()})"


class _ProblemCollector(logging.Handler):
    """Collects WeasyPrint's warnings for the rendering thread only."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Only what the reader would miss: resources that did not load. WeasyPrint also warns
        # about screen CSS it does not support, which print.css does not rely on.
        if record.thread == self.thread and record.getMessage().startswith("Failed to load"):
            message = problem_text(record.getMessage().strip().splitlines()[0])
            if message not in self.messages:
                self.messages.append(message)


@contextmanager
def _collect_problems() -> Iterator[_ProblemCollector]:
    logger = logging.getLogger("weasyprint")
    collector = _ProblemCollector()
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)


def page_size_css(size: str | None = None) -> str:
    key = (size or settings.BRIEFDESK_PDF_PAGE_SIZE).lower()
    return f"@page {{ size: {PAGE_SIZES.get(key, 'A4')}; }}"


def render_pdf(html: str, metadata: PdfMetadata, *, base_url: str) -> RenderedPdf:
    """Render print-media HTML to PDF bytes. Raises PdfRenderError if WeasyPrint fails."""
    from weasyprint import CSS, HTML

    started = time.perf_counter()
    with _collect_problems() as problems:
        try:
            document = HTML(
                string=html, base_url=base_url, url_fetcher=_url_fetcher(base_url)
            ).render(stylesheets=[CSS(string=page_size_css())])
            meta = document.metadata
            meta.title = metadata.title
            meta.authors = list(metadata.authors)
            meta.description = metadata.subject
            meta.keywords = list(metadata.keywords)
            meta.created = metadata.created.isoformat()
            meta.modified = (metadata.modified or metadata.created).isoformat()
            meta.generator = "briefdesk (WeasyPrint)"
            meta.lang = metadata.lang
            meta.custom = metadata.custom()
            content = document.write_pdf(
                pdf_variant=settings.BRIEFDESK_PDF_VARIANT or None,
                custom_metadata=bool(meta.custom),
            )
        except Exception as exc:  # WeasyPrint raises many kinds; the caller reports it
            raise PdfRenderError(f"{type(exc).__name__}: {exc}") from exc
    return RenderedPdf(
        content=content,
        pages=len(document.pages),
        seconds=time.perf_counter() - started,
        problems=problems.messages,
    )

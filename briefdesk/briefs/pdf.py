"""HTML to PDF with WeasyPrint, offline.

The brief's print layout (its page HTML under print.css) becomes a tagged PDF. Nothing is
fetched from the network while rendering: stylesheets and images under STATIC_URL and MEDIA_URL
are read from local files, `data:` URIs are decoded, and any other URL is refused. A resource
that cannot be loaded is left out and reported in `RenderedPdf.problems`, which the admin shows;
the document still renders.

This module knows nothing about pages or the database: callers give it HTML and metadata.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
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

# The default variant (settings.BRIEFDESK_PDF_VARIANT) is PDF/UA-1: tagged structure, with the
# document language and title, for screen readers. It renders our layout correctly in WeasyPrint
# 70 (the tests check it with pdfinfo and pdftotext). PDF/A-3u, the archival choice, also works.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}


class PdfRenderError(Exception):
    """WeasyPrint could not make a document of this HTML."""


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    authors: list[str]
    subject: str
    keywords: list[str]
    created: dt.date
    modified: dt.date | None = None
    lang: str = "en"


@dataclass
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float
    problems: list[str] = field(default_factory=list)


def _local_roots() -> list[tuple[str, str]]:
    return [(settings.STATIC_URL, "static"), (settings.MEDIA_URL, "media")]


def local_file_for(url: str, base_url: str) -> Path | None:
    """The file behind a static or media URL of this site, or None (any other URL)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None
    path = unquote(parts.path)
    for prefix, kind in _local_roots():
        if not path.startswith(prefix):
            continue
        name = path[len(prefix) :]
        if not name or ".." in Path(name).parts:
            return None
        if kind == "media":
            candidate = Path(settings.MEDIA_ROOT) / name
            return candidate if candidate.is_file() else None
        try:
            collected = Path(staticfiles_storage.path(name))
        except NotImplementedError:  # a remote storage: use the app's own copy
            collected = None
        if collected is not None and collected.is_file():
            return collected
        found = finders.find(name)
        return Path(found) if isinstance(found, str) else None
    return None


def _url_fetcher(base_url: str) -> Any:  # WeasyPrint's URLFetcher subclass (untyped)
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            local = local_file_for(url, base_url)
            if local is None:
                raise ValueError(f"not loaded (only this site's static and media files are): {url}")
            content_type = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=local.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalOnlyFetcher(timeout=5, allow_redirects=False)


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
            message = record.getMessage().strip().splitlines()[0]
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
            content = document.write_pdf(pdf_variant=settings.BRIEFDESK_PDF_VARIANT or None)
        except Exception as exc:  # WeasyPrint raises many kinds; the caller reports it
            raise PdfRenderError(f"{type(exc).__name__}: {exc}") from exc
    return RenderedPdf(
        content=content,
        pages=len(document.pages),
        seconds=time.perf_counter() - started,
        problems=problems.messages,
    )

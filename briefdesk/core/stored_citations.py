"""Re-format every stored citation (sources and briefs) in one transaction.

    sources, briefs = reformat_stored_citations()

Citations are formatted when a record is saved and stored on it; pages never format. Anything
that changes what they print without saving the records (a new citeproc-js or style file,
BRIEFDESK_PUBLISHER, the base URL in brief citations) needs this run once; `migrate` runs it
when the base URL or the engine changed (briefdesk.core.origin). It also drops the
cached PDFs, whose endnotes and "Cite as:" are made from the stored citations, and records
the base URL and engine the citations now carry (briefdesk.core.origin compares them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from django.conf import settings
from django.db import transaction

T = TypeVar("T")
# Sources formatted per engine call and written per UPDATE.
CHUNK = 50


def chunked(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most `size` rows, in order."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def current_base_url() -> str:
    """The canonical origin citations print, without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def record_base_url(base_url: str | None = None) -> None:
    """Remember that the stored citations were made with `base_url` (default: the current)
    and the current citation engine (briefdesk.citations.fingerprint)."""
    from briefdesk.citations.fingerprint import engine_fingerprint

    from .models import CitationOrigin

    value = base_url if base_url is not None else current_base_url()
    engine = engine_fingerprint() or ""
    row = CitationOrigin.objects.order_by("pk").first()
    if row is None:
        CitationOrigin.objects.create(base_url=value, engine=engine)
    elif (row.base_url, row.engine) != (value, engine):
        row.base_url, row.engine = value, engine
        row.save(update_fields=["base_url", "engine", "formatted_at"])


@transaction.atomic
def reformat_stored_citations() -> tuple[int, int]:
    """Re-format the stored citations of every source and every brief (drafts included) in
    every style, drop the cached PDFs and record the base URL used.

    Returns (sources, briefs) re-formatted. Runs citeproc-js (V8) in this process: call it
    from a command or a child process, never in a server process before it forks.
    """
    from briefdesk.briefs.models import BriefPage
    from briefdesk.briefs.printing import invalidate_pdfs
    from briefdesk.citations.proper_nouns import read_once
    from briefdesk.sources.models import Source, format_sources

    sources = briefs = 0
    with read_once():  # the site's names, once for every record rather than once each
        for chunk in chunked(Source.objects.select_related("outlet").order_by("pk"), CHUNK):
            format_sources(chunk)
            Source.objects.bulk_update(chunk, ["formatted"])
            sources += len(chunk)
        for brief in BriefPage.objects.all():
            brief.refresh_citations()
            BriefPage.objects.filter(pk=brief.pk).update(citations=brief.citations)
            briefs += 1
    invalidate_pdfs()
    record_base_url()
    return sources, briefs

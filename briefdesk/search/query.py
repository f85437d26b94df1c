"""One search over briefs, topic guides, experts and sources: matching, ranking, pages.

    params, problems = read_params(request.GET)   # briefdesk.search.params
    outcome = run_search(params)                  # Outcome: .page of (Hit, record), .facets

Matching, ranking and facet counts are the search index's (engine.py: tantivy, the same on
SQLite and PostgreSQL), kept true to the database by sync.py, which this applies pending
changes through before each search. Every word must be found; each match scores points per
word by where the word is (engine.POINTS: a title counts most, then an outlet's name, a
summary or description, the rest), plus a bonus when the query is the whole title (a guide,
an expert, a source asked for by name); BM25 orders records with equal points. Only the
best `RANKED_LIMIT` are paged (narrow with a facet, or sort by date).

The records shown are loaded from the database with the visibility rules of their kind, so
an index that lags (a change not applied yet) can miss a record but never show one a reader
may not open.

When nothing matches, each word no title holds is replaced by the closest word one does
(`spelling.correct`), and the corrected query is searched and said so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet

from . import engine, sync
from .engine import Hit
from .params import BRIEF, KINDS, SOURCE, SearchParams

logger = logging.getLogger(__name__)

PER_PAGE = 20
# The columns a brief result reads (includes/brief_item.html, its COinS and its URL) and
# those of its authors' byline; a test renders the page in a fixed number of queries.
BRIEF_FIELDS = ("title", "slug", "url_path", "path", "depth", "live", "locale_id",
                "content_type_id", "first_published_at", "go_live_at", "brief_type",
                "number", "date", "summary")  # fmt: skip
AUTHOR_FIELDS = ("title", "slug", "url_path", "path", "depth", "live", "locale_id",
                 "content_type_id", "given_name", "family_name")  # fmt: skip
RANKED_LIMIT = 500  # results paged in relevance or date order (25 pages)

__all__ = ["Hit", "Outcome", "SearchParams", "run_search"]


@dataclass
class Outcome:
    """What the page shows. `page.object_list` holds (Hit, record) pairs; `total` counts
    every match (the pages stop at RANKED_LIMIT); `corrected` is the query searched instead
    when the typed one found nothing."""

    page: PaginatorPage[tuple[Hit, Model]]
    total: int
    counts: dict[str, int]
    facets: dict[str, list[Any]] = field(default_factory=dict)
    corrected: str = ""


def visible_querysets(
    kinds: Sequence[str] = KINDS, restricted: list[str] | None = None
) -> dict[str, QuerySet[Any]]:
    """Per kind, what an anonymous reader may open (`restricted`: the private sections'
    paths, when already read for this request)."""
    from briefdesk.core.visibility import restricted_paths

    from .documents import visible

    restricted = restricted_paths() if restricted is None else restricted
    return {kind: visible(kind, restricted) for kind in kinds}


def request_for(
    params: SearchParams, terms: str, offset: int = 0, limit: int = 0
) -> engine.Request:
    """The index's request for `params` with the words of `terms`."""
    filters: dict[str, int | str] = {}
    if params.brief_type:
        filters["brief_type"] = params.brief_type
    if params.topic is not None:
        filters["topics"] = params.topic.pk
    if params.expert is not None:
        filters["experts"] = params.expert.pk
    if params.year is not None:
        filters["year"] = params.year
    if params.outlet is not None:
        filters["outlet_id"] = params.outlet.pk
    if params.kind:
        filters["source_kind"] = params.kind
    return engine.Request(
        words=terms.split(),
        kinds=params.kinds,
        filters=filters,
        sort=params.sort,
        offset=offset,
        limit=limit,
    )


class RankedResults:
    """A sequence for Django's Paginator: the ranked hits, asked of the index per page, their
    records loaded per page."""

    def __init__(
        self, params: SearchParams, terms: str, first: engine.Found, restricted: list[str]
    ) -> None:
        self.params, self.terms, self.first = params, terms, first
        self.restricted = restricted

    def count(self) -> int:
        return min(self.first.total, RANKED_LIMIT)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[Hit, Model]]:
        if not isinstance(index, slice):
            raise TypeError("RankedResults is read by slices")
        start, stop = index.start or 0, min(index.stop or RANKED_LIMIT, RANKED_LIMIT)
        if stop <= start:
            return []
        if stop <= len(self.first.hits):
            found = self.first  # the first page: already asked
            hits = found.hits[start:stop]
        else:
            found = sync.store().search(request_for(self.params, self.terms, start, stop - start))
            hits = found.hits
        records = load_records(hits, self.restricted)
        return [(hit, record) for hit, record in zip(hits, records, strict=True) if record]


def load_records(found: Sequence[Hit], restricted: list[str] | None = None) -> list[Model | None]:
    """The records for `found`, in order, with what their result shows, in one query per
    kind (briefs with their authors); None for one a reader may no longer open."""
    from django.db.models import Prefetch

    from briefdesk.briefs.models import BriefAuthor

    wanted: dict[str, list[int]] = {}
    for hit in found:
        wanted.setdefault(hit.kind, []).append(hit.pk)
    visible = visible_querysets(list(wanted), restricted)
    if BRIEF in visible:
        # The byline needs the authors' names only: an author page has some thirty columns.
        authors = BriefAuthor.objects.select_related("author").only(
            "page_id", "sort_order", "author_id", *(f"author__{f}" for f in AUTHOR_FIELDS)
        )
        visible[BRIEF] = (
            visible[BRIEF]
            # What a result shows, its link and its COinS: the body (the passage comes from
            # the index's stored text), citations and revisions' columns stay in the database.
            .only(*BRIEF_FIELDS)
            .prefetch_related(Prefetch("brief_authors", queryset=authors))
        )
    if SOURCE in visible:
        visible[SOURCE] = visible[SOURCE].select_related("outlet")
    records = {
        (kind, record.pk): record
        for kind, pks in wanted.items()
        # No ORDER BY: Page's default (path) makes SQLite walk every page in path order.
        for record in visible[kind].filter(pk__in=pks).order_by()
    }
    _load_bodies_for_teasers([r for (kind, _), r in records.items() if kind == BRIEF])
    return [records.get((hit.kind, hit.pk)) for hit in found]


def _load_bodies_for_teasers(briefs: list[Any]) -> None:
    """A brief without a summary takes its teaser from its body: read those bodies in one
    query (the body is deferred for the others)."""
    from briefdesk.briefs.models import BriefPage

    wanted = {b.pk: b for b in briefs if not (b.summary or "").strip()}
    if wanted:
        for pk, body in BriefPage.objects.filter(pk__in=wanted).values_list("pk", "body"):
            wanted[pk].body = body


def run_search(params: SearchParams) -> Outcome:
    """The page of results `params` asks for, with facet counts over every match (never
    more than the reader may see). Nothing is searched without words: an empty Outcome."""
    from briefdesk.core.visibility import restricted_paths

    from .facets import facet_counts
    from .spelling import correct

    if not params.terms:
        return _empty()
    try:
        sync.sync_before_search()
    except Exception:  # a stale index still answers; the next search retries
        logger.exception("search index: applying changes before a search failed")
    index = sync.store()
    terms, corrected = params.terms, ""
    request = request_for(params, terms, 0, PER_PAGE)
    found = index.search(request, facets=False)
    if not found.total:
        better = correct(terms)
        if better:
            retry_request = request_for(params, better, 0, PER_PAGE)
            retry = index.search(retry_request, facets=False)
            if retry.total:
                terms, corrected, found, request = better, better, retry, retry_request
    # The facets are counted (in tantivy, without the GIL) while the records load.
    counting = _counter().submit(index.facets, request) if found.total else None
    restricted = restricted_paths()
    results = RankedResults(params, terms, found, restricted)
    # django-stubs wants an indexable iterable; Paginator only slices and counts the results.
    paginator: Paginator[tuple[Hit, Model]] = Paginator(results, PER_PAGE)  # type: ignore[arg-type]
    page = paginator.get_page(params.page)
    page.object_list = list(page.object_list)
    counted = counting.result() if counting else {}
    counts = {kind: counted.get("kind", {}).get(kind, 0) for kind in KINDS}
    facets = facet_counts(counted, counts, params, restricted) if found.total else {}
    return Outcome(page, found.total, counts, facets, corrected)


_COUNTERS: dict[int, ThreadPoolExecutor] = {}


def _counter() -> ThreadPoolExecutor:
    """This process's facet-counting threads (made after any fork: a pool's threads do not
    survive one)."""
    pid = os.getpid()
    if pid not in _COUNTERS:
        _COUNTERS.clear()
        _COUNTERS[pid] = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-facets")
    return _COUNTERS[pid]


def _empty() -> Outcome:
    return Outcome(Paginator([], PER_PAGE).get_page(1), 0, dict.fromkeys(KINDS, 0))

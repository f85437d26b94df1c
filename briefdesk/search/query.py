"""One search over briefs, topic guides, experts and sources: matching, ranking, pages.

    params, problems = read_params(request.GET)   # briefdesk.search.params
    outcome = run_search(params)                  # Outcome: .page of (Hit, record), .facets

Matching is Wagtail's search index (SQLite FTS5, PostgreSQL full text), asked once for
every word (AND) and kept for the request (`hits`); only what a reader may open is kept: live
pages outside private sections, and the sources the public source pages show
(`public_sources`).

Ranking is ours, the same on both engines, because Wagtail's SQLite backend stores two
columns per record (the fields named "title", and everything else) and ignores `boost`: a
topic guide whose introduction says "Pakistan" twenty times outranked briefs with Pakistan in
the title. Each matched record scores in SQL by where the words are (`WEIGHTS`: a word in the
title counts 10, in a summary or description 3, in an outlet's name 6; matching at all counts
1) plus 20 when the title is the query itself (a guide, an expert, a source asked for by
name). Ties go to the broader kind (guide, expert, brief, source), then the newest. Only the
best `RANKED_LIMIT` results are paged (narrow with a facet, or sort by date).

When nothing matches, each word no title or name holds is replaced by the closest word one
does (`spelling.correct`), and the corrected query is searched and said so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When

from . import hits
from .hits import Hit
from .params import BRIEF, EXPERT, GUIDE, KINDS, SOURCE, SearchParams

PER_PAGE = 20
RANKED_LIMIT = 500  # results paged in relevance or date order (25 pages)
EXACT_TITLE = 20
MATCHED = 1
# Where a query word is found, per kind: field lookup -> points per word.
WEIGHTS: dict[str, dict[str, int]] = {
    BRIEF: {"title": 10, "summary": 3},
    GUIDE: {"title": 10, "description": 3},
    EXPERT: {"title": 10, "role": 2},
    SOURCE: {"title": 10, "outlet__name": 6, "outlet__short_label": 6},
}

__all__ = ["Hit", "Outcome", "SearchParams", "run_search"]


@dataclass
class Outcome:
    """What the page shows. `page.object_list` holds (Hit, record) pairs; `total` counts
    every match (the pages stop at RANKED_LIMIT); `corrected` is the query searched instead
    when the typed one found nothing."""

    page: PaginatorPage
    total: int
    counts: dict[str, int]
    facets: dict[str, list[Any]] = field(default_factory=dict)
    corrected: str = ""


def visible_querysets() -> dict[str, QuerySet[Any]]:
    """Per kind, what an anonymous reader may open."""
    from briefdesk.briefs.models import AuthorPage, BriefPage, BriefSource
    from briefdesk.core.visibility import private_q, restricted_paths
    from briefdesk.sources.models import Source
    from briefdesk.topics.models import TopicGuidePage

    restricted = restricted_paths()
    # The public source pages' rule (sources.views.public_sources: a live source cited by a
    # live, public brief), asked from the citations' side: the citation table is small, where
    # "every public brief" is a scan of every brief.
    cited = (
        BriefSource.objects.filter(page__live=True)
        .exclude(private_q(restricted, prefix="page__"))
        .values("source_id")
    )
    return {
        BRIEF: BriefPage.objects.live().exclude(private_q(restricted)),
        GUIDE: TopicGuidePage.objects.live().exclude(private_q(restricted)),
        EXPERT: AuthorPage.objects.live().exclude(private_q(restricted)),
        SOURCE: Source.objects.filter(live=True, pk__in=cited),
    }


def filtered(kind: str, queryset: QuerySet[Any], params: SearchParams) -> QuerySet[Any]:
    """`queryset` narrowed by the facets that apply to `kind` (see SearchParams.kinds)."""
    from briefdesk.briefs.models import BriefAuthor, BriefTopic

    if kind == BRIEF:
        if params.brief_type:
            queryset = queryset.filter(brief_type=params.brief_type)
        if params.topic is not None:
            tagged = BriefTopic.objects.filter(topic=params.topic).values("page_id")
            queryset = queryset.filter(pk__in=tagged)
        if params.expert is not None:
            written = BriefAuthor.objects.filter(author=params.expert).values("page_id")
            queryset = queryset.filter(pk__in=written)
        if params.year is not None:
            queryset = queryset.filter(date__year=params.year)
    elif kind == GUIDE and params.topic is not None:
        queryset = queryset.filter(path__startswith=params.topic.path)
    elif kind == EXPERT and params.expert is not None:
        queryset = queryset.filter(pk=params.expert.pk)
    elif kind == SOURCE:
        if params.outlet is not None:
            queryset = queryset.filter(outlet=params.outlet)
        if params.kind:
            queryset = queryset.filter(kind=params.kind)
        if params.year is not None:
            queryset = queryset.filter(issued__startswith=f"{params.year:04d}")
    return queryset


def score_expression(kind: str, terms: str) -> Any:
    """The score of a record of `kind` for `terms`, as a database expression (see WEIGHTS)."""
    score: Any = Value(MATCHED)
    for word in terms.split():
        for lookup, weight in WEIGHTS[kind].items():
            score += Case(
                When(Q(**{f"{lookup}__icontains": word}), then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return score + Case(
        When(Q(title__iexact=terms), then=Value(EXACT_TITLE)),
        default=Value(0),
        output_field=IntegerField(),
    )


class RankedResults:
    """A sequence for Django's Paginator: the ranked hits, read as far as the page asked for,
    their records loaded per page."""

    def __init__(self, total: int, sort: str) -> None:
        self.total, self.sort = total, sort

    def count(self) -> int:
        return min(self.total, RANKED_LIMIT)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[Hit, Model]]:
        if not isinstance(index, slice):
            raise TypeError("RankedResults is read by slices")
        start, stop = index.start or 0, min(index.stop or RANKED_LIMIT, RANKED_LIMIT)
        chosen = hits.ranked(self.sort, stop)[start:stop]
        return list(zip(chosen, load_records(chosen), strict=True))


def load_records(found: Sequence[Hit]) -> list[Model]:
    """The records for `found`, in order, with what their result shows, in one query per
    kind (briefs with their authors)."""
    from django.db.models import Prefetch

    from briefdesk.briefs.models import AuthorPage, BriefAuthor, BriefPage
    from briefdesk.sources.models import Source
    from briefdesk.topics.models import TopicGuidePage

    wanted: dict[str, list[int]] = {}
    for hit in found:
        wanted.setdefault(hit.kind, []).append(hit.pk)
    loaders: dict[str, QuerySet[Any]] = {
        BRIEF: BriefPage.objects.defer("citations", "additional_analysis").prefetch_related(
            Prefetch("brief_authors", queryset=BriefAuthor.objects.select_related("author"))
        ),
        GUIDE: TopicGuidePage.objects.all(),
        EXPERT: AuthorPage.objects.all(),
        SOURCE: Source.objects.select_related("outlet"),
    }
    records = {
        (kind, record.pk): record
        for kind, pks in wanted.items()
        # No ORDER BY: Page's default (path) makes SQLite walk every page in path order.
        for record in loaders[kind].filter(pk__in=pks).order_by()
    }
    return [records[(hit.kind, hit.pk)] for hit in found]


def run_search(params: SearchParams) -> Outcome:
    """The page of results `params` asks for, with facet counts over every match (never
    more than the reader may see). Nothing is searched without words: an empty Outcome."""
    from .facets import facet_counts
    from .spelling import correct

    if not params.terms:
        return _empty()
    corrected = ""
    hits.collect(params.terms, params)
    counts = _counts()
    if not any(counts.values()):
        better = correct(params.terms)
        if better:
            hits.collect(better, params)
            counts = _counts()
            corrected = better if any(counts.values()) else ""
    total = sum(counts.values())
    page = Paginator(RankedResults(total, params.sort), PER_PAGE).get_page(params.page)
    page.object_list = list(page.object_list)
    facets = facet_counts(counts, params) if total else {}
    return Outcome(page, total, counts, facets, corrected)


def _counts() -> dict[str, int]:
    found = hits.counts()
    return {kind: found.get(kind, 0) for kind in KINDS}


def _empty() -> Outcome:
    return Outcome(Paginator([], PER_PAGE).get_page(1), 0, dict.fromkeys(KINDS, 0))

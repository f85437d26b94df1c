"""Facet counts over every match of a search, as the search index counted them.

    facets = facet_counts(found.facets, counts, params)   # {"type": [Facet…], "topic": […], …}

Each count is what choosing that value would show (the filters already chosen apply): a
topic counts its briefs plus the guide itself and its sub-guides when they match, an expert
their briefs plus their own page, a year the briefs and sources dated in it. Only values a
reader may open are listed (names come from the database with the visibility rules): a
brief's private or unpublished topic or author is no facet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import slugify

from .params import BRIEF, KIND_LABELS, KINDS, SearchParams


@dataclass(frozen=True)
class Facet:
    """One value of a facet: what the URL says (`value`), what the reader reads, how many."""

    name: str
    value: str
    label: str
    count: int
    chosen: bool = False
    nested: bool = False  # a brief type, shown under "Briefs"


def facet_counts(
    grouped: dict[str, dict[str, int]],
    counts: dict[str, int],
    params: SearchParams,
    restricted: list[str] | None = None,
) -> dict[str, list[Facet]]:
    """The facets of this search, each value with its count, largest first (years newest
    first); a facet with no values is left out."""
    from wagtail.models import Page

    from briefdesk.core.visibility import private_q, restricted_paths
    from briefdesk.sources.kinds import KIND_LABELS as SOURCE_KINDS
    from briefdesk.sources.kinds import Kind
    from briefdesk.sources.models import Outlet

    restricted = restricted_paths() if restricted is None else restricted

    types: list[Facet] = []
    for kind in KINDS:
        if counts.get(kind):
            types.append(Facet("type", kind, KIND_LABELS[kind], counts[kind], params.type == kind))
        if kind == BRIEF:
            for label, n in sorted(grouped.get("brief_type", {}).items(), key=_largest):
                slug = slugify(label)
                types.append(Facet("type", slug, label, n, params.type == slug, nested=True))

    topic_counts = {int(k): n for k, n in grouped.get("topics", {}).items()}
    expert_counts = {int(k): n for k, n in grouped.get("experts", {}).items()}
    # One query names both: the ids come from the index's topic and expert fields, which
    # hold only guides' and experts' ids; only live, public pages are named.
    named = (
        {
            pk: (slug, title)
            for pk, slug, title in Page.objects.live()
            .exclude(private_q(restricted))
            .filter(pk__in=[*topic_counts, *expert_counts])
            .order_by()
            .values_list("pk", "slug", "title")
        }
        if topic_counts or expert_counts
        else {}
    )
    topics = [
        Facet("topic", named[pk][0], named[pk][1], n,
              params.topic is not None and params.topic.pk == pk)
        for pk, n in topic_counts.items() if pk in named
    ]  # fmt: skip
    experts = [
        Facet("expert", named[pk][0], named[pk][1], n,
              params.expert is not None and params.expert.pk == pk)
        for pk, n in expert_counts.items() if pk in named
    ]  # fmt: skip

    years = [
        Facet("year", year, year, n, params.year is not None and str(params.year) == year)
        for year, n in sorted(grouped.get("year", {}).items(), reverse=True)
        if year.isdigit() and len(year) == 4
    ]

    outlet_counts = {int(k): n for k, n in grouped.get("outlet_id", {}).items()}
    names = dict(
        Outlet.objects.filter(pk__in=list(outlet_counts)).order_by().values_list("pk", "name")
    )
    outlets = [
        Facet("outlet", str(pk), names[pk], n, params.outlet is not None and params.outlet.pk == pk)
        for pk, n in outlet_counts.items()
        if pk in names
    ]
    known = {k.value for k in Kind}
    source_kinds = [
        Facet("kind", value, SOURCE_KINDS[Kind(value)], n, params.kind == value)
        for value, n in grouped.get("source_kind", {}).items()
        if value in known
    ]
    facets = {
        "type": types,
        "topic": sorted(topics, key=_by_count),
        "expert": sorted(experts, key=_by_count),
        "year": years,
        "outlet": sorted(outlets, key=_by_count),
        "kind": sorted(source_kinds, key=_by_count),
    }
    return {name: values for name, values in facets.items() if values}


def _largest(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _by_count(facet: Facet) -> tuple[int, str]:
    return (-facet.count, facet.label.casefold())

"""Facet counts over every match of a search, in one grouped query over the hits table.

    facets = facet_counts(counts, params)   # {"type": [Facet…], "topic": […], …}

Each count is what choosing that value would show (the filters already chosen apply): a
topic counts its briefs plus the guide itself and its sub-guides when they match, an expert
their briefs plus their own page, a year the briefs and sources dated in it. Only values a
reader may open are listed: a brief's private or unpublished topic or author is no facet,
and the hits counted are the reader's own (see hits.collect).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.utils.text import slugify

from .hits import HITS
from .params import BRIEF, EXPERT, GUIDE, KIND_LABELS, KINDS, SearchParams


@dataclass(frozen=True)
class Facet:
    """One value of a facet: what the URL says (`value`), what the reader reads, how many."""

    name: str
    value: str
    label: str
    count: int
    chosen: bool = False
    nested: bool = False  # a brief type, shown under "Briefs"


def _grouped() -> dict[str, Counter[str]]:
    """facet name -> value -> count, from one query over the hits."""
    from briefdesk.briefs.models import BriefAuthor, BriefTopic
    from briefdesk.sources.models import Source

    topics, authors = BriefTopic._meta.db_table, BriefAuthor._meta.db_table
    sources = Source._meta.db_table
    text = "varchar" if connection.vendor == "postgresql" else "text"
    sql = f"""
        SELECT 'brief_type', h.brief_type, COUNT(*) FROM {HITS} h
            WHERE h.kind = 'brief' GROUP BY h.brief_type
        UNION ALL
        SELECT 'topic', CAST(t.topic_id AS {text}), COUNT(DISTINCT t.page_id) FROM {topics} t
            WHERE t.page_id IN (SELECT id FROM {HITS} WHERE kind = 'brief') GROUP BY t.topic_id
        UNION ALL
        SELECT 'expert', CAST(a.author_id AS {text}), COUNT(DISTINCT a.page_id) FROM {authors} a
            WHERE a.page_id IN (SELECT id FROM {HITS} WHERE kind = 'brief') GROUP BY a.author_id
        UNION ALL
        SELECT 'year', SUBSTR(h.sortdate, 1, 4), COUNT(*) FROM {HITS} h
            WHERE h.sortdate IS NOT NULL GROUP BY SUBSTR(h.sortdate, 1, 4)
        UNION ALL
        SELECT 'outlet', CAST(s.outlet_id AS {text}), COUNT(*) FROM {HITS} h
            JOIN {sources} s ON s.id = h.id
            WHERE h.kind = 'source' AND s.outlet_id IS NOT NULL GROUP BY s.outlet_id
        UNION ALL
        SELECT 'kind', s.kind, COUNT(*) FROM {HITS} h
            JOIN {sources} s ON s.id = h.id WHERE h.kind = 'source' GROUP BY s.kind
    """
    grouped: dict[str, Counter[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for name, value, count in cursor.fetchall():
            grouped.setdefault(name, Counter())[str(value)] += count
    return grouped


def facet_counts(counts: dict[str, int], params: SearchParams) -> dict[str, list[Facet]]:
    """The facets of this search, each value with its count, largest first (years newest
    first); a facet with no values is left out."""
    from briefdesk.briefs.models import AuthorPage
    from briefdesk.core.visibility import private_q, restricted_paths
    from briefdesk.sources.kinds import KIND_LABELS as SOURCE_KINDS
    from briefdesk.sources.kinds import Kind
    from briefdesk.sources.models import Outlet
    from briefdesk.topics.models import TopicGuidePage

    from .hits import hit_ids

    grouped = _grouped()
    restricted = restricted_paths()

    types: list[Facet] = []
    for kind in KINDS:
        if counts.get(kind):
            types.append(Facet("type", kind, KIND_LABELS[kind], counts[kind], params.type == kind))
        if kind == BRIEF:
            for label, n in sorted(grouped.get("brief_type", {}).items(), key=_largest):
                slug = slugify(label)
                types.append(Facet("type", slug, label, n, params.type == slug, nested=True))

    topic_counts = Counter({int(k): n for k, n in grouped.get("topic", {}).items()})
    # No ORDER BY: Page's default (path) makes SQLite walk every page in path order.
    guides = TopicGuidePage.objects.live().exclude(private_q(restricted)).order_by()
    matched_paths = (
        list(guides.filter(pk__in=hit_ids(GUIDE)).values_list("path", flat=True))
        if counts.get(GUIDE)
        else []
    )
    topics = []
    if topic_counts or matched_paths:
        shown = guides if matched_paths else guides.filter(pk__in=list(topic_counts))
        for pk, slug, title, path in shown.values_list("pk", "slug", "title", "path"):
            # A matching guide counts under its own topic and every guide above it.
            n = topic_counts.get(pk, 0) + sum(p.startswith(path) for p in matched_paths)
            if n:
                chosen = params.topic is not None and params.topic.pk == pk
                topics.append(Facet("topic", slug, title, n, chosen))

    expert_counts = Counter({int(k): n for k, n in grouped.get("expert", {}).items()})
    if counts.get(EXPERT):
        experts_matched = AuthorPage.objects.filter(pk__in=hit_ids(EXPERT)).order_by()
        expert_counts.update(experts_matched.values_list("pk", flat=True))
    experts = [
        Facet("expert", slug, title, expert_counts[pk],
              params.expert is not None and params.expert.pk == pk)
        for pk, slug, title in AuthorPage.objects.live().exclude(private_q(restricted))
        .filter(pk__in=list(expert_counts)).order_by().values_list("pk", "slug", "title")
    ] if expert_counts else []  # fmt: skip

    years = [
        Facet("year", year, year, n, params.year is not None and str(params.year) == year)
        for year, n in sorted(grouped.get("year", {}).items(), reverse=True)
        if year.isdigit() and len(year) == 4
    ]

    outlet_counts = {int(k): n for k, n in grouped.get("outlet", {}).items()}
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
        for value, n in grouped.get("kind", {}).items()
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

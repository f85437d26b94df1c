"""What a topic guide page shows, in a fixed number of queries however long its timeline:

    context = guide_page_context(guide, request.GET)   # raises Http404 for an unknown ?type=

A guide covers its sub-guides: its brief list (and type counts, most cited sources) holds the
briefs filed under it or under any sub-guide a reader may open through it, once each. The
topic feed, the sitemap's date for a guide and the read API's topic filter use the same rule:

    covered = covered_guide_ids([guide], restricted)       # the guide and its open sub-guides
    briefs = filed_briefs(covered, restricted)             # live, public, filed under any

Everything in it is what an anonymous reader may open: briefs linked from events or filed
under the guide only when live and outside a private section, sub-guides likewise, cited
sources only when live (a draft source's citation shows its stored text, unlinked), and a
source's page on the site only when a live, public brief cites it (sources.views).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.text import slugify

from briefdesk.citations.styles import DEFAULT_STYLE
from briefdesk.core.visibility import private_q, restricted_paths
from briefdesk.sources.richtext import CitedSource, LabelledSource, distinct_labels

from .timeline import TimelineEvent

if TYPE_CHECKING:
    from briefdesk.briefs.models import BriefPage
    from briefdesk.sources.models import Source

    from .models import TopicGuidePage

BRIEFS_PER_PAGE = 20
MOST_CITED = 5

# A guide in the page tree, as coverage needs it: id, tree path, live.
GuideRow = tuple[int, str, bool]


@dataclass(frozen=True)
class TimelineEntry:
    """An event as the guide page shows it: with the linked briefs a reader may open."""

    event: TimelineEvent
    briefs: list[BriefPage]


@dataclass(frozen=True)
class BriefType:
    """A brief type among the guide's briefs, for the type filter."""

    slug: str
    name: str
    count: int


@dataclass(frozen=True)
class CitedUnderTopic:
    source: Source
    count: int
    page_url: str


def guide_page_context(guide: TopicGuidePage, params: Mapping[str, str]) -> dict[str, Any]:
    """The guide page's context: `timeline` (TimelineEntry, newest first), `cited` and
    `source_entries` for the citations of the introduction and timeline, `briefs` (a
    paginator page, newest first, of ?type= when given), `brief_types`, `brief_type` (the
    chosen BriefType or None), `most_cited` (CitedUnderTopic), `subtopics` and
    `covers_subtopics` (True when briefs of sub-guides are listed too).

    The briefs, type counts and most cited sources are over the briefs filed under the
    guide or any sub-guide it covers (`covered_guide_ids`).

    ?page= follows the site: not a number is the first page, past the end the last. A
    ?type= naming no brief type at all raises Http404; a type with no briefs under this
    guide is an empty list."""
    from briefdesk.briefs.models import BRIEF_TYPES, BriefPage

    restricted = restricted_paths()
    events = guide.events()

    linked_ids = {pk for event in events for pk in event.brief_ids}
    linked = (
        BriefPage.objects.live()
        .exclude(private_q(restricted))
        .defer("citations", "additional_analysis", "body")
        .in_bulk(linked_ids)
        if linked_ids
        else {}
    )
    timeline = [
        TimelineEntry(event, [linked[pk] for pk in event.brief_ids if pk in linked])
        for event in events
    ]

    covered = covered_guide_ids([guide], restricted)
    filed = filed_briefs(covered, restricted)
    counts = dict(filed.order_by().values_list("brief_type").annotate(n=Count("pk", distinct=True)))
    brief_types = [
        BriefType(slugify(name), name, counts[name]) for name in BRIEF_TYPES if counts.get(name)
    ]
    chosen = choose_brief_type(params.get("type", ""), BRIEF_TYPES)
    listed = BriefPage.objects.for_listing().filter(pk__in=filed.values("pk"))
    if chosen is not None:
        listed = listed.filter(brief_type=chosen.name)
        chosen = BriefType(chosen.slug, chosen.name, counts.get(chosen.name, 0))
    briefs: PaginatorPage[BriefPage] = Paginator(listed, BRIEFS_PER_PAGE).get_page(
        params.get("page")
    )

    # The introduction may cite sources too: one numbering for the page.
    texts = [guide.introduction or "", *(event.text for event in events)]
    sources, entries, cited = guide_sources(texts, restricted)
    return {
        "timeline": timeline,
        "cited": cited,
        "guide_sources": sources,
        "source_entries": entries,
        "briefs": briefs,
        "brief_types": brief_types,
        "brief_type": chosen,
        "most_cited": most_cited_sources(filed),
        "subtopics": subtopics(guide, restricted),
        "covers_subtopics": len(covered) > 1,
    }


def covered_by(root: str, rows: Iterable[GuideRow], restricted: Sequence[str]) -> set[int]:
    """The ids of the guide at tree path `root` and of the guides under it (at any depth)
    that a reader may open through it: each live and public, and so is every guide between
    it and the root. Empty when the root itself is hidden. No query."""
    under = [(pk, path, live) for pk, path, live in rows if path.startswith(root)]
    hidden = [
        path
        for _, path, live in under
        if not live or any(path.startswith(private) for private in restricted)
    ]
    return {pk for pk, path, _ in under if not any(path.startswith(h) for h in hidden)}


def covered_guide_ids(guides: Iterable[TopicGuidePage], restricted: Sequence[str]) -> set[int]:
    """These guides and the sub-guides they cover (`covered_by`): the topics whose briefs a
    guide's page, feed and API filter list. One query."""
    from .models import TopicGuidePage

    roots = [guide.path for guide in guides]
    if not roots:
        return set()
    under = Q(pk__in=[])
    for root in roots:
        under |= Q(path__startswith=root)
    rows = list(TopicGuidePage.objects.filter(under).values_list("pk", "path", "live"))
    return set().union(*(covered_by(root, rows, restricted) for root in roots))


def guide_coverage(restricted: Sequence[str]) -> dict[int, set[int]]:
    """Every guide a reader may open -> the ids it covers (itself included). One query, for
    pages that date or count every guide at once (the sitemap)."""
    from .models import TopicGuidePage

    rows = list(TopicGuidePage.objects.values_list("pk", "path", "live"))
    coverage = {pk: covered_by(path, rows, restricted) for pk, path, _ in rows}
    return {pk: ids for pk, ids in coverage.items() if ids}


def filed_briefs(topic_ids: Iterable[int], restricted: Sequence[str]) -> QuerySet[BriefPage]:
    """Live briefs outside private sections filed under any of these topics, each once
    (unordered: add the listing's order)."""
    from briefdesk.briefs.models import BriefPage, BriefTopic

    return (
        BriefPage.objects.live()
        .exclude(private_q(restricted))
        .filter(pk__in=BriefTopic.objects.filter(topic__in=list(topic_ids)).values("page"))
    )


def choose_brief_type(value: str, names: list[str]) -> BriefType | None:
    """The brief type ?type= names — by its slug ("op-ed") or its name ("Op-Ed"), any case —
    or None when empty. Raises Http404 when it names none."""
    value = value.strip()
    if not value:
        return None
    for name in names:
        if value.casefold() in (slugify(name), name.casefold()):
            return BriefType(slugify(name), name, 0)
    raise Http404("There is no such brief type.")


def guide_sources(
    texts: list[str], restricted: list[str]
) -> tuple[list[Source], list[dict[str, Any]], dict[int, CitedSource]]:
    """The live sources these rich texts cite (order of first citation),
    their Sources entries and the citation map `cited_richtext` reads. A source links to its
    page on the site only when it has one (a live, public brief cites it)."""
    from briefdesk.briefs.models import BriefSource
    from briefdesk.briefs.rendering import cited_sources, source_entries

    sources = cited_sources(texts)
    if not sources:
        return [], [], {}
    # sources.views.public_sources, for these sources, without asking for the restrictions
    # again.
    with_pages = set(
        BriefSource.objects.filter(source__in=[s.pk for s in sources], page__live=True)
        .exclude(private_q(restricted, "page__"))
        .values_list("source_id", flat=True)
    )
    entries = source_entries(sources, DEFAULT_STYLE, source_pages=True)
    for entry in entries:
        if entry["source"].pk not in with_pages:
            entry["page_url"] = ""
    labels = distinct_labels(
        [LabelledSource(s.pk, s.parenthetical_label, s.issued) for s in sources]
    )
    cited = {
        s.pk: CitedSource(
            id=s.pk,
            label=labels[s.pk],
            url=s.url,
            number=n,
            page_url=_source_page(s) if s.pk in with_pages else "",
        )
        for n, s in enumerate(sources, start=1)
    }
    return sources, entries, cited


def most_cited_sources(filed: Any, limit: int = MOST_CITED) -> list[CitedUnderTopic]:
    """The live sources cited by the most of these briefs (live, public briefs filed under a
    guide), with how many cite each; ties by newest source first. Each has a public page:
    a live, public brief cites it."""
    from briefdesk.briefs.models import BriefSource
    from briefdesk.sources.models import Source

    rows = list(
        BriefSource.objects.filter(page__in=filed.values("pk"), source__live=True)
        .values_list("source")
        .annotate(n=Count("page", distinct=True))
        .order_by("-n", "-source__issued", "-source")[:limit]
    )
    if not rows:
        return []
    by_id = Source.objects.select_related("outlet").in_bulk([pk for pk, _ in rows])
    return [CitedUnderTopic(by_id[pk], n, _source_page(by_id[pk])) for pk, n in rows if pk in by_id]


def subtopics(guide: TopicGuidePage, restricted: list[str]) -> list[TopicGuidePage]:
    """The guide's sub-guides a reader may open, by title."""
    from .models import TopicGuidePage

    return list(
        TopicGuidePage.objects.child_of(guide)
        .live()
        .exclude(private_q(restricted))
        .order_by("title")
    )


def _source_page(source: Source) -> str:
    return reverse("sources:detail", args=[source.pk])

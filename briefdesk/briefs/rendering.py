"""What a brief page shows, gathered in a fixed number of queries however many sources the
brief cites: the sources are looked up once, in order of first citation.

Citations and Sources entries link to each source's page (/sources/<id>/) only where a reader
can open it: on a live, public brief (its own citation makes the page public), never in the
admin preview, whose draft sources have no page yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, router

from briefdesk.citations.styles import DEFAULT_STYLE, DIALOG_STYLES, STYLES
from briefdesk.core.urlpatterns import url_pattern
from briefdesk.core.visibility import (
    is_visible,
    restricted_paths,
    visible_ids,
)
from briefdesk.sources.linkhealth import (
    ARCHIVED_STATES,
    latest_check_column,
    latest_snapshot_column,
)
from briefdesk.sources.models import Source
from briefdesk.sources.richtext import (
    CitedSource,
    LabelledSource,
    cited_source_ids,
    distinct_labels,
    linkify_url,
)

if TYPE_CHECKING:
    from .models import BriefPage


def cited_sources(values: list[str], include_drafts: bool = False) -> list[Source]:
    """The Source records cited in these rich-text values, in order of first citation, in
    one query. Citations of deleted sources are skipped, and so are those of sources that are
    not live unless `include_drafts` (the admin preview only): readers see a draft source's
    citation as its plain text, with no link and no Sources entry."""
    ids = cited_source_ids(values)
    if not ids:
        return []
    # The link's health and its archived copy come in the same query (Robust Links, cited_map).
    sources = (
        Source.objects.select_related("outlet")
        .order_by()
        .annotate(
            link_state=latest_check_column("state"),
            snapshot_id=latest_snapshot_column("pk"),
            snapshot_at=latest_snapshot_column("captured_at"),
        )
    )
    by_id = (sources if include_drafts else sources.filter(live=True)).in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def source_entries(
    sources: list[Source], style: str, source_pages: bool = True
) -> list[dict[str, Any]]:
    """The Sources list in one style: each source's stored entry, its URL made a link, and
    with `source_pages` the address of its page on the site (`page_url`, else "") and of its
    latest archived copy (`archived_url`, else "": read from the `snapshot_id` that
    `cited_sources` annotates)."""
    entries = []
    for source in sources:
        formatted = source.formatted_in(style)
        # A style that cites the work in notes only has no bibliography entry: show its note.
        entry_html = formatted.get("bibliography_html") or formatted.get("note_html", "")
        snapshot_id = getattr(source, "snapshot_id", None) if source_pages else None
        entries.append(
            {
                "source": source,
                "html": linkify_url(entry_html, source.url),
                "notes_only_label": formatted.get("notes_only_label", ""),
                "page_url": source_page_url(source) if source_pages else "",
                "archived_url": archived_view_url(source.pk, snapshot_id) if snapshot_id else "",
            }
        )
    return entries


def source_page_url(source: Source) -> str:
    """The site-relative address of the source's public page (no query)."""
    return url_pattern("sources:detail", 1).format(source.pk)


def cited_map(sources: list[Source], source_pages: bool) -> dict[int, CitedSource]:
    """What each citation shows, by source id: its label — made distinct when two sources of
    the brief share one ("Cable, Feb. 2009") — its link and its number in the Sources list.

    Every web link carries Robust Links attributes (its URL and a version date); with
    `source_pages` (a public brief) it also names its latest archived copy and, when its
    latest check found it gone, unreachable, a soft 404 or drifted, leads there instead; the
    copy's view is public only where the source's page is. Reads the `link_state`,
    `snapshot_id` and `snapshot_at` that `cited_sources` annotates (no query).
    """
    labels = distinct_labels(
        [LabelledSource(s.pk, s.parenthetical_label, s.issued) for s in sources]
    )
    cited = {}
    for n, s in enumerate(sources, start=1):
        snapshot_id = getattr(s, "snapshot_id", None) if source_pages else None
        snapshot_at = getattr(s, "snapshot_at", None)
        cited[s.pk] = CitedSource(
            id=s.pk,
            label=labels[s.pk],
            url=s.url,
            number=n,
            page_url=source_page_url(s) if source_pages else "",
            version_url=archived_view_url(s.pk, snapshot_id) if snapshot_id else "",
            version_date=snapshot_at.date().isoformat() if snapshot_id and snapshot_at else "",
            archived=bool(snapshot_id) and getattr(s, "link_state", None) in ARCHIVED_STATES,
            linked_date=_linked_date(s),
        )
    return cited


def _linked_date(source: Source) -> str:
    """The day the source was linked, for Robust Links: when its URL was read, else when it
    was recorded (YYYY-MM-DD)."""
    if source.accessed:
        return source.accessed.isoformat()
    return source.created_at.date().isoformat() if source.created_at else ""


def archived_view_url(source_id: int, snapshot_id: int) -> str:
    """A snapshot's archived view on the canonical origin (WAGTAILADMIN_BASE_URL): Robust
    Links' data-versionurl is an absolute URI, and a copied citation keeps working."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + url_pattern("sources:archive", 2).format(source_id, snapshot_id)


def topic_box_topics(page: BriefPage) -> list[Any]:
    """The topic guides the brief's body has boxes for (loaded with the body, no query)."""
    return [
        block.value["topic"]
        for block in page.body
        if block.block_type == "topic_box" and block.value["topic"] is not None
    ]


def visible_topics(page: BriefPage) -> list[Any]:
    """The brief's topics, in order, that a reader may open (for PDF keywords and the like)."""
    restricted = restricted_paths()
    topics = [link.topic for link in page.brief_topics.select_related("topic")]
    return [topic for topic in topics if is_visible(topic, restricted)]


@dataclass
class BriefLinks:
    """What the brief links to by its own rows, each list in the database's order:
    (brief or guide id, order, row id) per pin, stored choice, exclusion and topic."""

    pins: list[tuple[int, int | None, int]] = field(default_factory=list)
    positions: list[tuple[int, int | None, int]] = field(default_factory=list)
    exclusions: list[tuple[int, int | None, int]] = field(default_factory=list)
    topics: list[tuple[int, int | None, int]] = field(default_factory=list)


@lru_cache(maxsize=1)
def _brief_links_sql() -> str:
    from .models import BriefRelatedExclusion, BriefRelatedPin, BriefTopic, RelatedBrief

    def part(kind: int, model: Any, target: str, order: str) -> str:
        def column(name: str) -> str:
            return f'"{model._meta.get_field(name).column}"'

        return (
            f"SELECT {kind:d}, {column(target)}, {column(order)}, {column('id')}"
            f' FROM "{model._meta.db_table}" WHERE {column("page")} = %s'
        )

    # Standard SQL, which both supported databases (SQLite, PostgreSQL) read.
    return " UNION ALL ".join(
        (
            part(0, BriefRelatedPin, "related", "sort_order"),
            part(1, RelatedBrief, "related", "position"),
            part(2, BriefRelatedExclusion, "excluded", "sort_order"),
            part(3, BriefTopic, "topic", "sort_order"),
        )
    )


def brief_links(page: BriefPage) -> BriefLinks:
    """The brief's pins, stored More on This Topic choice, exclusions and topic links in one
    query, written out: Django takes longer to build a UNION of four querysets than the
    database takes to run it. Rows without a target (a topic link whose guide was deleted)
    are left out."""
    from .models import BriefTopic

    alias = router.db_for_read(BriefTopic, instance=page)
    with connections[alias].cursor() as cursor:
        cursor.execute(_brief_links_sql(), [page.pk] * 4)
        rows = cursor.fetchall()
    links = BriefLinks()
    kinds = (links.pins, links.positions, links.exclusions, links.topics)
    # Unordered rows first (as SQLite sorts NULL), then by order, then by row id.
    for kind, target, order, row_id in sorted(
        rows, key=lambda row: (row[2] is not None, row[2] or 0, row[3])
    ):
        if target is not None:
            kinds[kind].append((target, order, row_id))
    return links


def related_briefs(
    page: BriefPage, limit: int = 3, links: BriefLinks | None = None
) -> list[BriefPage]:
    """More on This Topic: what `BriefPage.related_briefs` promises (pinned briefs first, then
    the stored choice by position, never an excluded brief, only briefs a reader may open).

    Plain queries only, with privacy decided in Python from the site's restricted paths
    (kept between changes: sitecache): Django takes longer to build a query with subqueries
    than SQLite takes to run it. `links` is `brief_links(page)` when the caller has it. The
    authors of these briefs and of `page` itself are read together in one more query."""
    from briefdesk.core.sitecache import restricted_paths as cached_restricted_paths

    from .models import BriefAuthor, BriefPage

    restricted = cached_restricted_paths()
    if links is None:
        links = brief_links(page)
    # Each brief's first pin and first stored position.
    pins: dict[int, tuple[int | None, int]] = {}
    positions: dict[int, int | None] = {}
    for related_id, order, row_id in links.pins:
        pins.setdefault(related_id, (order, row_id))
    for related_id, order, _row_id in links.positions:
        positions.setdefault(related_id, order)
    excluded = {related_id for related_id, _order, _row_id in links.exclusions}
    # Unordered (ordering by the tree path costs Django more than the query costs SQLite);
    # whether each is live is decided with its privacy.
    candidates = [
        brief
        for brief in BriefPage.objects.filter(pk__in={*pins, *positions} - {page.pk}).order_by()
        if is_visible(brief, restricted)
    ]
    pinned = sorted(
        (b for b in candidates if b.pk in pins),
        key=lambda b: (pins[b.pk][0] is not None, pins[b.pk][0] or 0, pins[b.pk][1]),
    )[:limit]
    chosen = {b.pk for b in pinned}
    rest = sorted(
        (
            b
            for b in candidates
            if b.pk in positions and b.pk not in excluded and b.pk not in chosen
        ),
        key=lambda b: positions[b.pk] or 0,
    )
    shown = [*pinned, *rest][:limit]
    # The authors of these briefs and of the brief itself, in one query: each brief's
    # `authors` (what the byline and the listings read) set from it.
    briefs = [page, *(b for b in shown if "authors" not in b.__dict__)]
    by_brief: dict[int, list[Any]] = {brief.pk: [] for brief in briefs}
    authors = BriefAuthor.objects.filter(page_id__in=by_brief).select_related("author")
    for link in authors.order_by("sort_order", "pk"):
        if link.author_id is not None:
            by_brief[link.page_id].append(link.author)
    for brief in briefs:
        brief.__dict__["authors"] = by_brief[brief.pk]
    return shown


def _visible_authors(page: BriefPage) -> set[int]:
    """The ids of the brief's authors a reader may open, from the authors `related_briefs`
    read (no query)."""
    from briefdesk.core.sitecache import restricted_paths as cached_restricted_paths

    return visible_ids(page.authors, cached_restricted_paths())


def _topics_and_boxes(page: BriefPage, links: BriefLinks) -> tuple[list[Any], set[int]]:
    """The brief's topics in order (its topic `links`: `brief_links(page)`), and the ids of
    those of its topics and topic boxes a reader may open. The topic boxes' guides are the
    ones the body loaded for its blocks; only topics without a box are read (usually none),
    and privacy is decided from the site's restricted paths (sitecache)."""
    from briefdesk.core.sitecache import restricted_paths as cached_restricted_paths
    from briefdesk.topics.models import TopicGuidePage

    boxes = {guide.pk: guide for guide in topic_box_topics(page)}
    # The brief's first link to each guide.
    first: dict[int, tuple[int | None, int]] = {}
    for topic_id, order, row_id in links.topics:
        first.setdefault(topic_id, (order, row_id))
    unboxed = [pk for pk in first if pk not in boxes]
    guides = {**boxes, **(TopicGuidePage.objects.order_by().in_bulk(unboxed) if unboxed else {})}
    topics = sorted(
        (guides[pk] for pk in first if pk in guides),
        key=lambda g: (first[g.pk][0] is not None, first[g.pk][0] or 0, first[g.pk][1]),
    )
    return topics, visible_ids(guides.values(), cached_restricted_paths())


def brief_page_context(
    page: BriefPage, style: str = DEFAULT_STYLE, include_drafts: bool = False
) -> dict[str, Any]:
    """What brief_page.html shows. Each author, topic, topic box and related brief is shown
    only as a reader may open it (live and outside private sections): for a published brief
    decided from the site's restricted paths (core.sitecache), with no query of its own."""
    sources = cited_sources(page.rich_text_values(), include_drafts=include_drafts)
    if include_drafts:
        # The admin preview: the draft's own topics, authors and pins, held in memory (the
        # queries below read the published ones); decided with one query for the private
        # sections.
        restricted = restricted_paths()
        all_topics = [link.topic for link in page.brief_topics.select_related("topic")]
        visible = visible_ids([*page.authors, *all_topics, *topic_box_topics(page)], restricted)
        related = page.related_briefs(restricted=restricted)
        source_pages = False
    else:
        links = brief_links(page)
        related = related_briefs(page, links=links)
        all_topics, visible = _topics_and_boxes(page, links)
        visible |= _visible_authors(page)
        # A live source cited by this live, public brief has a public page (sources.views).
        # Wagtail read the brief's restrictions before serving it (briefs.restrictions).
        source_pages = page.live and not page.get_view_restrictions()
    topics = [topic for topic in all_topics if topic.pk in visible]
    return {
        "sources": sources,
        "cited": cited_map(sources, source_pages),
        "topics": topics,
        "visible_page_ids": visible,
        "related_briefs": related,
        "citations": page.dialog_citations(),
        "source_style": style,
        "default_style": DEFAULT_STYLE,
        "source_entries": source_entries(sources, style, source_pages),
        "source_styles": [STYLES[key] for key in DIALOG_STYLES],
    }

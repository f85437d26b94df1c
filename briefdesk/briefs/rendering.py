"""What a brief page shows, gathered in a fixed number of queries however many sources the
brief cites: the sources are looked up once, in order of first citation.

Citations and Sources entries link to each source's page (/sources/<id>/) only where a reader
can open it: on a live, public brief (its own citation makes the page public), never in the
admin preview, whose draft sources have no page yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

from briefdesk.citations.styles import DEFAULT_STYLE, DIALOG_STYLES, STYLES
from briefdesk.core.visibility import is_visible, restricted_paths, visible_ids
from briefdesk.sources.linkhealth import (
    ARCHIVED_STATES,
    latest_check_subquery,
    latest_snapshot_subquery,
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
    sources = Source.objects.select_related("outlet").annotate(
        link_state=latest_check_subquery("state"),
        snapshot_id=latest_snapshot_subquery("pk"),
        snapshot_at=latest_snapshot_subquery("captured_at"),
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
    return reverse("sources:detail", args=[source.pk])


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
    return f"{base}{reverse('sources:archive', args=[source_id, snapshot_id])}"


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


def brief_page_context(
    page: BriefPage, style: str = DEFAULT_STYLE, include_drafts: bool = False
) -> dict[str, Any]:
    sources = cited_sources(page.rich_text_values(), include_drafts=include_drafts)
    all_topics = [link.topic for link in page.brief_topics.select_related("topic")]
    # What the page links to or names must be what a reader may open: one query for the
    # private sections, then every author, topic and topic box is decided without another.
    restricted = restricted_paths()
    visible = visible_ids([*page.authors, *all_topics, *topic_box_topics(page)], restricted)
    topics = [topic for topic in all_topics if topic.pk in visible]
    # A live source cited by this live, public brief has a public page (sources.views).
    source_pages = not include_drafts and is_visible(page, restricted)
    return {
        "sources": sources,
        "cited": cited_map(sources, source_pages),
        "topics": topics,
        "visible_page_ids": visible,
        "related_briefs": page.related_briefs(
            topic_ids=[t.pk for t in all_topics], restricted=restricted
        ),
        "citations": page.dialog_citations(),
        "source_style": style,
        "default_style": DEFAULT_STYLE,
        "source_entries": source_entries(sources, style, source_pages),
        "source_styles": [STYLES[key] for key in DIALOG_STYLES],
    }

"""What a brief page shows, gathered in a fixed number of queries however many sources the
brief cites: the sources are looked up once, in order of first citation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefdesk.citations.styles import DEFAULT_STYLE, DIALOG_STYLES, STYLES
from briefdesk.core.visibility import is_visible, restricted_paths, visible_ids
from briefdesk.sources.models import Source
from briefdesk.sources.richtext import CitedSource, cited_source_ids, linkify_url

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
    sources = Source.objects.select_related("outlet")
    by_id = (sources if include_drafts else sources.filter(live=True)).in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def source_entries(sources: list[Source], style: str) -> list[dict[str, Any]]:
    """The Sources list in one style: each source's stored entry, its URL made a link."""
    return [
        {
            "source": source,
            "html": linkify_url(
                source.formatted_in(style).get("bibliography_html", ""), source.url
            ),
        }
        for source in sources
    ]


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
    return {
        "sources": sources,
        "cited": {
            s.pk: CitedSource(id=s.pk, label=s.parenthetical_label, url=s.url, number=n)
            for n, s in enumerate(sources, start=1)
        },
        "topics": topics,
        "visible_page_ids": visible,
        "related_briefs": page.related_briefs(
            topic_ids=[t.pk for t in all_topics], restricted=restricted
        ),
        "citations": page.dialog_citations(),
        "source_style": style,
        "default_style": DEFAULT_STYLE,
        "source_entries": source_entries(sources, style),
        "source_styles": [STYLES[key] for key in DIALOG_STYLES],
    }

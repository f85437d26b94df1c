"""What a brief page shows, gathered in a fixed number of queries however many sources the
brief cites: the sources are looked up once, in order of first citation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefdesk.sources.models import Source
from briefdesk.sources.richtext import CitedSource, cited_source_ids

if TYPE_CHECKING:
    from .models import BriefPage


LISTED_FIELDS = (
    "id",
    "kind",
    "outlet",
    "title",
    "issued",
    "url",
    "medium",
    "label",
    "publisher",
    "container_title",
)


def cited_sources(values: list[str]) -> list[Source]:
    """The Source records cited in these rich-text values, in order of first citation.
    Citations of deleted sources are skipped."""
    ids = cited_source_ids(values)
    if not ids:
        return []
    # Only what the page shows: the stored citation formats are large JSON, not needed here.
    by_id = (
        Source.objects.select_related("outlet")
        .only(*LISTED_FIELDS, "outlet__name", "outlet__short_label")
        .in_bulk(ids)
    )
    return [by_id[i] for i in ids if i in by_id]


def brief_page_context(page: BriefPage) -> dict[str, Any]:
    sources = cited_sources(page.rich_text_values())
    topics = [link.topic for link in page.brief_topics.select_related("topic")]
    return {
        "sources": sources,
        "cited": {
            s.pk: CitedSource(id=s.pk, label=s.parenthetical_label, url=s.url) for s in sources
        },
        "topics": topics,
        "related_briefs": page.related_briefs(topic_ids=[t.pk for t in topics]),
        "citations": page.dialog_citations(),
    }

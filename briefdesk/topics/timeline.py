"""A guide's timeline as plain data, read from the StreamField's stored JSON. No ORM here.

    events = timeline_events(guide.timeline.raw_data)   # newest first, no query
    events[0].summary                                     # "Floods cover a fifth of the country."

Reading the stored JSON rather than the StreamField's blocks costs no query: the blocks would
load every linked brief (its PageChooserBlock) as soon as one event is read, which the front
page and the box on a brief, showing one event's date and words, do not need. The guide page
loads the linked briefs itself, once for the whole timeline (`brief_ids`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from briefdesk.briefs.teasers import prose_text, shorten

# The box on a brief and the front page show this much of an event.
SUMMARY_LIMIT = 160


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event: its stored rich text (Wagtail's database HTML, source citations as
    entities) and the ids of the briefs it links to, in the editor's order, whether or not a
    reader may open them (the caller decides)."""

    date: dt.date
    text: str
    brief_ids: tuple[int, ...] = ()
    # The event's place in the stream, as the editor ordered it (ties on one date keep it).
    position: int = 0

    @property
    def summary(self) -> str:
        """The event's words as one line of plain text, without its source citations,
        shortened at a sentence or word boundary: for the box on a brief, the front page,
        link previews."""
        return shorten(prose_text(self.text), SUMMARY_LIMIT)


def timeline_events(raw_items: Iterable[Mapping[str, Any]]) -> list[TimelineEvent]:
    """The events of a timeline StreamField's raw data, newest first; events on one date keep
    the editor's order. Items that are not events, or whose date is missing or not a date
    (hand-edited JSON, a half-migrated row), are skipped rather than failing the page."""
    events = []
    for position, item in enumerate(raw_items):
        if not isinstance(item, Mapping) or item.get("type") != "event":
            continue
        value = item.get("value") or {}
        date = _date(value.get("date"))
        if date is None:
            continue
        events.append(
            TimelineEvent(
                date=date,
                text=str(value.get("text") or ""),
                brief_ids=tuple(_ids(value.get("briefs"))),
                position=position,
            )
        )
    events.sort(key=lambda event: (-event.date.toordinal(), event.position))
    return events


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _ids(items: Any) -> list[int]:
    """Page ids from a ListBlock's raw data: [{"type": "item", "value": 12, "id": …}] or,
    as older Wagtail stored it, [12]. Empty choosers (None) are skipped."""
    ids = []
    for item in items or []:
        value = item.get("value") if isinstance(item, Mapping) else item
        if isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
        elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
            ids.append(int(value))
    return ids

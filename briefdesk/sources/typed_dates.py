"""Dates as editors type them -> the partial ISO dates a Source stores. No ORM here.

    typed_date("Nov. 27, 2026")  # -> "2026-11-27"
    typed_date("November 2026")  # -> "2026-11"
    typed_day("27 Nov 2026")     # -> datetime.date(2026, 11, 27)

Accepted: ISO (`2026-11-27`, `2026-11`, `2026`) and words in the usual English orders
(`27 November 2026`, `November 27, 2026`, `Nov. 27, 2026`, `27 Nov 2026`, `November 2026`).
Unlike the importers, which keep an unreadable date as a literal, an editor typing into a form
is told at once: anything else raises `InvalidDate` with a one-line message. Numeric forms with
slashes (`11/12/2026`) are refused, since they read differently in the US and elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re

from briefdesk.importers.dates import from_words, iso_parts, word_parts

from .csl import InvalidDate, format_partial_date

EXAMPLES = "27 November 2026, November 2026, 2026 or 2026-11-27"

_ISO_SHAPE = re.compile(r"^\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?$")


def typed_date(text: str) -> str:
    """A date as typed -> "YYYY-MM-DD", "YYYY-MM" or "YYYY"; "" for blank text.

    Raises:
        InvalidDate: the text is not one of the accepted shapes, or names no calendar day
            ("2026-02-30", "31 April 2026"); the message quotes the text and fits one line.
    """
    text = " ".join(text.split())
    if not text:
        return ""
    shown = text if len(text) <= 60 else text[:59] + "…"
    if _ISO_SHAPE.match(text):
        parts = iso_parts(text)
        if parts is None:
            raise InvalidDate(f"{shown!r} is not a real date")
        return format_partial_date(parts)
    found = word_parts(text)
    # A day and month without a year ("Dec 6") is a date only with a year to go with it.
    if found is None or found[0] is None:
        raise InvalidDate(f"{shown!r} is not a date: type e.g. {EXAMPLES}")
    parts = from_words(text)
    if parts is None:  # the words name a day the calendar does not have (31 April)
        raise InvalidDate(f"{shown!r} is not a real date")
    return format_partial_date(parts)


def typed_day(text: str) -> dt.date | None:
    """A full date as typed -> a date; None for blank text.

    Raises:
        InvalidDate: as `typed_date`, and when the text names only a month or a year.
    """
    value = typed_date(text)
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    if len(parts) < 3:
        raise InvalidDate(f"{text.strip()!r} has no day: type e.g. 27 November 2026")
    return dt.date(*parts)

"""Dates as reference managers write them -> CSL-JSON dates. No ORM here.

A date that reads as a calendar date becomes `{"date-parts": ...}`. Anything else ("Winter
2010", "circa 1990", "2010-02-30") is kept word for word as `{"literal": ...}`: every style
prints a literal date as written, so nothing the editor typed is lost or guessed at. It is
never an error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T[\d:.]+Z?)?$")
_RIS = re.compile(r"^(\d{4})/(\d{0,2})/(\d{0,2})(?:/(.*))?$")

DateParts = list[int]


def real_date(parts: DateParts) -> bool:
    """True for [Y], [Y, M] and [Y, M, D] that name a day, month or year of the calendar."""
    if not 1 <= len(parts) <= 3 or not 1 <= parts[0] <= 9999:
        return False
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def month_number(text: str) -> int | None:
    """'jan', 'January', 'Jan.', '1', '01' -> 1; anything else -> None."""
    text = text.strip().rstrip(".").lower()
    if text.isdecimal():  # not isdigit(): int() refuses "²", which isdigit() accepts
        if len(text) > 2:  # never int() a runaway number (over 4,300 digits it raises)
            return None
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text)


def iso_parts(text: str) -> DateParts | None:
    """'2010', '2010-12', '2010-12-06' (a time after T is dropped) -> date parts, else None."""
    match = _ISO.match(text.strip())
    if not match:
        return None
    parts = [int(p) for p in match.groups() if p]
    return parts if real_date(parts) else None


def iso_range(text: str) -> list[DateParts] | None:
    """A single ISO date or a biblatex/EDTF range '2010-12-06/2010-12-08' -> date parts."""
    pieces = text.strip().split("/")
    if len(pieces) > 2:
        return None
    parts = [iso_parts(p) for p in pieces]
    if any(p is None for p in parts):
        return None
    return [p for p in parts if p is not None]


def ris_parts(text: str) -> DateParts | None:
    """RIS 'YYYY/MM/DD/other' with any part after the year left empty -> date parts."""
    match = _RIS.match(text.strip())
    if not match:
        return None
    year, month, day = (match.group(i) for i in (1, 2, 3))
    parts = [int(year)]
    if month:
        parts.append(int(month))
        if day:
            parts.append(int(day))
    elif day:
        return None
    return parts if real_date(parts) else None


def word_parts(text: str) -> tuple[int | None, int | None, int | None] | None:
    """Year, month and day of 'December 6, 2010', '6 Dec. 2010', 'December 2010' or 'Dec 6'.

    Returns None when any word is not a year, a month name or a day, so that 'Winter 2010'
    is left alone. Missing parts are None (EndNote writes 'Dec 6' and the year apart)."""
    words = [w for w in re.split(r"[\s,]+", text.strip()) if w]
    year = month = day = None
    for word in words:
        bare = word.rstrip(".")
        if re.fullmatch(r"\d{4}", bare) and year is None:
            year = int(bare)
        elif re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", bare.lower()) and day is None:
            day = int(re.sub(r"\D", "", bare))
        elif not bare.isdigit() and bare.lower() in MONTHS and month is None:
            month = MONTHS[bare.lower()]
        else:
            return None
    if day is not None and month is None:
        return None
    if year is None and month is None:
        return None
    return year, month, day


def from_words(text: str, default_year: int | None = None) -> DateParts | None:
    found = word_parts(text)
    if found is None:
        return None
    year, month, day = found
    year = year if year is not None else default_year
    if year is None:
        return None
    parts = [year] + ([month] if month else []) + ([day] if month and day else [])
    return parts if real_date(parts) else None


def literal(text: str) -> dict[str, Any] | None:
    text = " ".join(text.split())
    return {"literal": text} if text else None


def csl_date(text: str) -> dict[str, Any] | None:
    """A date written as text (ISO, ISO range, RIS, or words) -> a CSL date; None if empty."""
    text = " ".join(text.split())
    if not text:
        return None
    parts = iso_range(text) or ([p] if (p := ris_parts(text) or from_words(text)) else None)
    return {"date-parts": parts} if parts else literal(text)


def from_parts(year: str, month: str = "", day: str = "") -> dict[str, Any] | None:
    """BibTeX-style separate year, month and day fields -> a CSL date; None if all empty.

    When they do not make a calendar date together, they are kept as one literal
    ('Winter 2010' from month = {Winter}, year = {2010})."""
    year, month, day = (" ".join(v.split()) for v in (year, month, day))
    if not (year or month or day):
        return None
    if re.fullmatch(r"\d{4}", year):
        parts = [int(year)]
        number = month_number(month) if month else None
        if number:
            parts.append(number)
            if day.isdecimal() and len(day) <= 2:
                parts.append(int(day))
        consumed = (not month or number) and (not day or len(parts) == 3)
        if consumed and real_date(parts):
            return {"date-parts": [parts]}
    if not month and not day:
        return csl_date(year)
    words = " ".join(v for v in (month, day, year) if v)
    word_parts = from_words(words)  # month = dec # "~6" gives 'December 6'
    return {"date-parts": [word_parts]} if word_parts else literal(words)

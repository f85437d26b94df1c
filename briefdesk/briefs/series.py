"""Series numbers: how a brief is numbered and how the number is printed.

A brief's number is `<year>-<n>` ("2026-7"): the year of its publication date and its place
among that year's briefs, counted across all brief types. `next_number` gives the number a
brief takes when it first goes live; `series_label` is what the page, the PDF and every
citation print ("Analysis Brief No. 2026-7"). Editors may set any other number by hand.

    number = next_number(2026, ["2026-1", "2026-6", "2025-40", "special"])  # "2026-7"
    series_label("Analysis Brief", number)  # "Analysis Brief No. 2026-7"

No ORM here: the page model asks the database for the numbers already taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_YEAR_NUMBER = re.compile(r"^(?P<year>\d{4})-(?P<n>\d+)$")


def year_prefix(year: int) -> str:
    """What every automatic number of `year` starts with ("2026-")."""
    return f"{year:04d}-"


def next_number(year: int, taken: Iterable[str]) -> str:
    """The number after the highest `<year>-<n>` among `taken` ("2026-1" when there is none).
    Numbers of other years and numbers not of that form (set by hand) are ignored; gaps are
    not filled, so a number once printed is never given to a second brief."""
    highest = 0
    for number in taken:
        match = _YEAR_NUMBER.match(number.strip())
        if match and int(match["year"]) == year:
            highest = max(highest, int(match["n"]))
    return f"{year_prefix(year)}{highest + 1}"


def series_label(brief_type: str, number: str) -> str:
    """The label the page, the PDF and the citations print: "Analysis Brief No. 2026-7",
    or the type alone when the brief has no number."""
    number = number.strip()
    return f"{brief_type} No. {number}" if number else brief_type

"""Dates typed the way people type them become the partial ISO dates a source stores, and a
DOI pasted as a link becomes the DOI; anything else is a one-line error."""

from __future__ import annotations

import datetime as dt

import pytest

from briefdesk.sources.csl import InvalidDate
from briefdesk.sources.doi import InvalidDoi, doi
from briefdesk.sources.typed_dates import typed_date, typed_day

DATES = [
    ("27 November 2026", "2026-11-27"),
    ("Nov. 27, 2026", "2026-11-27"),
    ("November 27, 2026", "2026-11-27"),
    ("27 Nov 2026", "2026-11-27"),
    ("27th Nov. 2026", "2026-11-27"),
    ("Sept. 3, 2026", "2026-09-03"),
    ("2026-11-27", "2026-11-27"),
    ("2026-3-7", "2026-03-07"),
    ("November 2026", "2026-11"),
    ("Nov 2026", "2026-11"),
    ("2026-11", "2026-11"),
    ("2026", "2026"),
    ("  27   November\t2026 ", "2026-11-27"),
    ("", ""),
    ("   ", ""),
]


@pytest.mark.parametrize(("typed", "stored"), DATES)
def test_a_typed_date_is_stored_as_a_partial_iso_date(typed: str, stored: str) -> None:
    assert typed_date(typed) == stored


NOT_DATES = [
    ("Winter 2010", "'Winter 2010' is not a date: type e.g. 27 November 2026"),
    ("27/11/2026", "'27/11/2026' is not a date: type e.g."),
    ("11/27/2026", "'11/27/2026' is not a date: type e.g."),
    ("Nov 27", "'Nov 27' is not a date: type e.g."),
    ("tomorrow", "'tomorrow' is not a date: type e.g."),
    ("2026-02-30", "'2026-02-30' is not a real date"),
    ("2026-13", "'2026-13' is not a real date"),
    ("31 April 2026", "'31 April 2026' is not a real date"),
    ("0000", "'0000' is not a real date"),
    ("9" * 5000, "is not a date"),
]


@pytest.mark.parametrize(("typed", "message"), NOT_DATES)
def test_anything_else_is_a_one_line_error_quoting_what_was_typed(typed: str, message: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        typed_date(typed)

    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) < 200


DAYS = [
    ("27 November 2026", dt.date(2026, 11, 27)),
    ("2026-11-27", dt.date(2026, 11, 27)),
    ("", None),
]


@pytest.mark.parametrize(("typed", "day"), DAYS)
def test_a_typed_day_is_a_date(typed: str, day: dt.date | None) -> None:
    assert typed_day(typed) == day


@pytest.mark.parametrize("typed", ["November 2026", "2026"])
def test_a_day_needs_a_day(typed: str) -> None:
    with pytest.raises(InvalidDate, match="has no day"):
        typed_day(typed)


DOIS = [
    ("10.1016/j.jfineco.2011.04.005", "10.1016/j.jfineco.2011.04.005"),
    ("  10.1000/ABC.def ", "10.1000/ABC.def"),
    ("https://doi.org/10.1016/j.jfineco.2011.04.005", "10.1016/j.jfineco.2011.04.005"),
    ("http://dx.doi.org/10.1000/xyz", "10.1000/xyz"),
    ("doi.org/10.1000/xyz", "10.1000/xyz"),
    ("https://doi.org/10.1000/a%2Fb", "10.1000/a/b"),
    ("doi:10.1000/xyz", "10.1000/xyz"),
    ("DOI: 10.1000/xyz", "10.1000/xyz"),
    ("10.1000.5/xyz", "10.1000.5/xyz"),
    ("", ""),
]


@pytest.mark.parametrize(("typed", "stored"), DOIS)
def test_a_doi_or_its_link_is_stored_as_the_doi(typed: str, stored: str) -> None:
    assert doi(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "10.1000/",
        "10.10/xyz",
        "11.1000/xyz",
        "10.1000/has space",
        "https://example.org/10.1000/xyz",
        "not a doi",
        "10.1000/" + "x" * 400,
    ],
)
def test_what_is_not_a_doi_is_a_one_line_error(typed: str) -> None:
    with pytest.raises(InvalidDoi) as caught:
        doi(typed)

    assert "is not a DOI (10.xxxx/…" in str(caught.value)
    assert "\n" not in str(caught.value)

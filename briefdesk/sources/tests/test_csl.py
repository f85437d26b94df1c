"""The Source <-> CSL-JSON mapping, as plain data (no database)."""

import datetime as dt

import pytest

from briefdesk.sources import csl
from briefdesk.sources.kinds import CSL_TYPE, Kind

DATES = [("2010-12-06", [2010, 12, 6]), ("2010-12", [2010, 12]), ("2010", [2010])]
BAD_DATES = ["Winter 2010", "2010-13", "2010-02-30", "10-12-06", "2010/12/06", "201"]


@pytest.mark.parametrize(("text", "parts"), DATES)
def test_partial_dates_parse_to_csl_date_parts_and_back(text: str, parts: list[int]) -> None:
    assert csl.parse_partial_date(text) == parts
    assert csl.format_partial_date(parts) == text


@pytest.mark.parametrize("text", BAD_DATES)
def test_impossible_or_unsupported_dates_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(csl.InvalidDate) as excinfo:
        csl.parse_partial_date(text)
    assert text in str(excinfo.value)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_maps_to_a_csl_type_and_back(kind: Kind) -> None:
    fields = csl.SourceFields(kind=kind.value, title="T", outlet_name="Outlet", issued="2010")
    item = csl.to_csl(fields, "id-1")
    assert item["type"] == CSL_TYPE[kind]
    again = csl.from_csl(item)
    assert csl.to_csl(again, "id-1") == item


def test_the_outlet_fills_the_container_for_articles_and_the_publisher_for_reports() -> None:
    article = csl.to_csl(csl.SourceFields(kind="news_article", title="T", outlet_name="Dawn"), "a")
    report = csl.to_csl(csl.SourceFields(kind="report", title="T", outlet_name="CRS"), "r")
    assert article["container-title"] == "Dawn" and "publisher" not in article
    assert report["publisher"] == "CRS" and "container-title" not in report


def test_an_explicit_container_title_wins_over_the_outlet() -> None:
    fields = csl.SourceFields(
        kind="blog_post", title="T", outlet_name="CNAS", container_title="Abu Muqawama"
    )
    assert csl.to_csl(fields, "b")["container-title"] == "Abu Muqawama"


def test_unknown_fields_types_and_literal_dates_survive_a_round_trip() -> None:
    item = {
        "id": "x",
        "type": "thesis",
        "title": "On Borders",
        "issued": {"literal": "Winter 2010"},
        "accessed": {"date-parts": [[2011, 2]]},
        "custom-field": {"nested": [1, 2]},
        "author": [{"family": "Beg", "given": "M.", "suffix": "Jr."}],
    }
    fields = csl.from_csl(item)
    assert fields.csl_extra["type"] == "thesis"
    assert csl.to_csl(fields, "x") == item


def test_accessed_dates_become_date_columns() -> None:
    fields = csl.from_csl(
        {"id": "x", "type": "webpage", "accessed": {"date-parts": [[2024, 3, 10]]}}
    )
    assert fields.accessed == dt.date(2024, 3, 10)


NAME_LINES = [
    ({"family": "Shane", "given": "Scott"}, "Shane, Scott"),
    ({"literal": "U.S. Embassy Islamabad"}, "U.S. Embassy Islamabad"),
    ({"family": "Madonna"}, "Madonna,"),
    (
        {"family": "Gaulle", "given": "Charles", "non-dropping-particle": "de"},
        '{"family": "Gaulle", "given": "Charles", "non-dropping-particle": "de"}',
    ),
]


@pytest.mark.parametrize(("name", "line"), NAME_LINES)
def test_author_names_edit_as_lines_without_loss(name: dict, line: str) -> None:
    assert csl.name_to_line(name) == line
    assert csl.line_to_name(line) == name


@pytest.mark.parametrize("line", ["{not json", "{}", ", Given"])
def test_malformed_author_lines_are_refused(line: str) -> None:
    with pytest.raises(ValueError):
        csl.line_to_name(line)


def test_author_display_reads_naturally() -> None:
    names = [
        {"family": "Perlez", "given": "Jane"},
        {"family": "Sanger", "given": "David E."},
        {"literal": "Reuters staff"},
    ]
    assert csl.authors_display(names[:1]) == "Jane Perlez"
    assert csl.authors_display(names[:2]) == "Jane Perlez and David E. Sanger"
    assert csl.authors_display(names) == "Jane Perlez, David E. Sanger, and Reuters staff"

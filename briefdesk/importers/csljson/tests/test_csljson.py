"""CSL-JSON in: items are kept as they are (unknown variables too), checked, and named by id
or position when they are bad; broken JSON fails as a whole with its line and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefdesk.importers.csljson import parse
from briefdesk.importers.entries import ImportFailed

FILES = Path(__file__).parent / "files"

# (one CSL-JSON item as given, the item import keeps)
ITEMS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"id": "a", "type": "webpage", "title": "Page", "URL": "https://example.org/"},
        {"id": "a", "type": "webpage", "title": "Page", "URL": "https://example.org/"},
    ),
    # Variables briefdesk has no column for are kept verbatim.
    (
        {
            "id": "a",
            "type": "book",
            "title": "Book",
            "x-custom": "kept as written",
            "archive": "WL",
        },
        {
            "id": "a",
            "type": "book",
            "title": "Book",
            "x-custom": "kept as written",
            "archive": "WL",
        },
    ),
    # Zotero writes years in date-parts as strings.
    (
        {"id": "a", "title": "T", "issued": {"date-parts": [["2010", 12, "6"]]}},
        {"id": "a", "title": "T", "issued": {"date-parts": [[2010, 12, 6]]}},
    ),
    ({"id": 7, "title": "Numeric id"}, {"id": "7", "title": "Numeric id"}),
    ({"id": "a", "title": "  Spaced \n title "}, {"id": "a", "title": "Spaced title"}),
    # Dates given as text become CSL dates; what is not a calendar date stays as written.
    (
        {"id": "a", "title": "T", "issued": "2010-12-06"},
        {"id": "a", "title": "T", "issued": {"date-parts": [[2010, 12, 6]]}},
    ),
    (
        {"id": "a", "title": "T", "issued": "Winter 2010"},
        {"id": "a", "title": "T", "issued": {"literal": "Winter 2010"}},
    ),
    (
        {"id": "a", "title": "T", "issued": {"raw": "Winter 2010"}},
        {"id": "a", "title": "T", "issued": {"raw": "Winter 2010"}},
    ),
    (
        {"id": "a", "title": "T", "author": [{"family": "王", "given": "小明"}]},
        {"id": "a", "title": "T", "author": [{"family": "王", "given": "小明"}]},
    ),
]


@pytest.mark.parametrize(("given", "kept"), ITEMS)
def test_it_keeps_each_item_as_csl_json(given: dict[str, Any], kept: dict[str, Any]) -> None:
    [entry] = parse(json.dumps([given], ensure_ascii=False))

    assert entry.error is None
    assert entry.item == kept


# (item, the error the entry reports)
BAD_ITEMS: list[tuple[Any, str]] = [
    ({"id": "a", "type": "webpage"}, "no title"),
    ({"id": "a", "title": ""}, "no title"),
    ({"id": "a", "title": " \n "}, "no title"),
    ({"id": "a", "title": ["A", "list"]}, "the title is not text"),
    ({"id": "a", "title": "T", "type": "scroll"}, "unknown CSL type 'scroll'"),
    ({"id": "a", "title": "T", "author": "Rashid, Ahmed"}, "author: not a list of names"),
    # An unknown variable is kept only as text or a number (the CSL-JSON schema check).
    (
        {"id": "a", "title": "T", "x-custom": {"k": [1]}},
        "x-custom: must be text or a number, not an object",
    ),
    ({"id": "a", "title": "T", "editor": [{"given": ""}]}, "editor 1: a name needs a family name"),
    ({"id": "a", "title": "T", "author": ["Rashid"]}, "author 1: not a CSL name"),
    ({"id": "a", "title": "T", "issued": 2010}, "issued: not a CSL date"),
    ({"id": "a", "title": "T", "issued": {"date-parts": [["x"]]}}, "issued: ['x'] is not a date"),
    ({"id": "a", "title": "T", "URL": 12}, "the URL is not text"),
    ({"id": ["a"], "title": "T"}, "the id is not text"),
    (["not", "an", "item"], "not a CSL-JSON object (found a list)"),
]


@pytest.mark.parametrize(("given", "error"), BAD_ITEMS)
def test_a_bad_item_is_an_entry_error(given: Any, error: str) -> None:
    [entry] = parse(json.dumps([given]))

    assert entry.error is not None
    assert error in entry.error


def test_every_bad_item_of_a_file_is_named_by_id_or_position_and_line() -> None:
    entries = parse((FILES / "bad-items.json").read_text())

    assert [(e.label, e.error) for e in entries] == [
        ("fine (line 2)", None),
        ("no-title (line 3)", "no title"),
        ("blank-title (line 4)", "no title"),
        ("strange-type (line 5)", "unknown CSL type 'scroll'"),
        ("bad-author (line 6)", "author: not a list of names"),
        ("bad-date (line 7)", "issued: ['two thousand'] is not a date"),
        ("entry 7 (line 8)", "not a CSL-JSON object (found a list)"),
        ("fine (line 9)", "the id is used twice (also by fine (line 2))"),
    ]


def test_broken_json_fails_as_a_whole_with_line_and_column() -> None:
    with pytest.raises(ImportFailed) as failed:
        parse((FILES / "broken.json").read_text())

    assert str(failed.value) == "CSL-JSON: line 8, column 3: Expecting ',' delimiter."


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ('{"id": "one", "title": "Single item"}', ["one"]),
        ('{"items": [{"id": "a", "title": "A"}, {"title": "B"}]}', ["a", "entry 2"]),
        ("[]", []),
    ],
)
def test_it_reads_a_list_a_single_item_or_an_items_wrapper(text: str, keys: list[str]) -> None:
    assert [e.key for e in parse(text)] == keys


@pytest.mark.parametrize("text", ['"just text"', "42", "null"])
def test_json_that_holds_no_items_is_refused(text: str) -> None:
    with pytest.raises(ImportFailed, match="a list of items or a single item object"):
        parse(text)


def test_a_zotero_export_reads_with_zotero_ids_and_numeric_dates() -> None:
    entries = parse((FILES / "zotero.json").read_text())

    assert [e.error for e in entries] == [None] * 4
    assert [e.line for e in entries] == [2, 39, 78, 101]
    fair = entries[0].item
    assert fair is not None
    assert fair["id"] == "http://zotero.org/users/local/kQ3aT9xZ/items/8JZ2C4QF"
    assert fair["issued"] == {"date-parts": [[2011, 1]]}
    assert fair["accessed"] == {"date-parts": [[2024, 3, 10]]}
    assert fair["source"] == "Project MUSE"
    assert entries[3].item is not None
    assert entries[3].item["issued"] == {"raw": "Winter 2010"}

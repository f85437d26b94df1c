"""Every download says what the CSL-JSON says, field by field: each item of the fixture corpus
and a brief (a CSL report with genre, number, abstract and language) is exported to BibTeX
and RIS, read back with the parsers reference managers' tools use (bibtexparser 2, rispy),
and every field is compared with the CSL variable it comes from, through the mapping table
in tests/download_fields.py. A download that drops or misplaces a date, a DOI, a URL, a
report number or an abstract fails here, naming the item and the field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from briefdesk.citations.export import to_bibtex, to_ris
from tests.download_fields import (
    BIBTEX_TYPES,
    ITEMS,
    NOT_IN_BIBTEX,
    NOT_IN_RIS,
    PERIODICALS,
    RIS_TYPES,
    bibtex_field,
    expected_bibtex,
    expected_ris,
    read_bibtex,
    read_ris,
    ris_tag,
)

IDS = [item["id"] for item in ITEMS]


@pytest.mark.parametrize("item", ITEMS, ids=IDS)
def test_bibtex_keeps_every_field_of_each_item(item: dict[str, Any]) -> None:
    entries = read_bibtex(to_bibtex([item]))

    assert entries == {item["id"]: expected_bibtex(item)}


def test_a_brief_is_a_techreport_with_institution_type_number_abstract_and_language() -> None:
    [entry] = read_bibtex(to_bibtex([ITEMS[-1]])).values()

    assert entry["ENTRYTYPE"] == "techreport"
    assert (entry["institution"], entry["type"], entry["number"]) == (
        "Briefdesk",
        "Analysis Brief",
        "2026-7",
    )
    assert entry["title"] == "Pakistan After the Cables: What 50% of {Islamabad} Heard"
    assert entry["abstract"].startswith("Costs & benefits of the cables, ten years on")
    assert (entry["date"], entry["year"], entry["month"]) == ("2026-03-09", "2026", "3")
    assert entry["language"] == "en"


def test_the_whole_corpus_is_one_bibtex_file_with_every_entry() -> None:
    entries = read_bibtex(to_bibtex(ITEMS))

    assert entries == {item["id"]: expected_bibtex(item) for item in ITEMS}


# --- RIS -------------------------------------------------------------------------------


@pytest.mark.parametrize("item", ITEMS, ids=IDS)
def test_ris_keeps_every_field_of_each_item(item: dict[str, Any]) -> None:
    [record] = read_ris(to_ris([item]))

    assert record == expected_ris(item)


def test_a_brief_is_a_rprt_with_its_number_in_sn() -> None:
    [record] = read_ris(to_ris([ITEMS[-1]]))

    assert record["TY"] == "RPRT"
    assert (record["PB"], record["M3"], record["SN"]) == ("Briefdesk", "Analysis Brief", "2026-7")
    assert "IS" not in record
    assert record["UR"] == ["http://127.0.0.1:8000/briefs/pakistan-after-the-cables/"]
    assert (record["DA"], record["PY"], record["LA"]) == ("2026/03/09/", "2026", "en")
    assert (
        record["AB"] == "Costs & benefits of the cables, ten years on: what changed in Islamabad."
    )


def test_the_whole_corpus_is_one_ris_file_with_every_record() -> None:
    assert read_ris(to_ris(ITEMS)) == [expected_ris(item) for item in ITEMS]


def test_a_ris_file_starts_with_ty_and_records_follow_each_other() -> None:
    text = to_ris(ITEMS)
    lines = text.split("\n")

    assert text.startswith("TY  - ")
    assert text.endswith("ER  - \n")
    assert not [line for line in lines if re.fullmatch(r"\d+\.?", line.strip())]
    assert lines.count("") == 1  # only after the last ER
    after_er = [lines[i + 1] for i, line in enumerate(lines[:-2]) if line.startswith("ER  -")]
    assert after_er and all(line.startswith("TY  - ") for line in after_er)
    assert sum(line.startswith("TY  - ") for line in lines) == len(ITEMS)


# --- The table covers the corpus -------------------------------------------------------


def test_every_variable_of_the_corpus_has_a_place_or_a_reason_in_each_format() -> None:
    variables = {variable for item in ITEMS for variable in item}
    kinds = {item["type"] for item in ITEMS}

    for variable in variables:
        for kind in kinds:
            if variable not in NOT_IN_BIBTEX:
                assert bibtex_field(variable, kind)
            if variable not in NOT_IN_RIS:
                ris_tag(variable, kind)  # KeyError when the table forgot it
    assert kinds <= set(BIBTEX_TYPES) & set(RIS_TYPES)
    assert {"issued", "DOI", "URL", "abstract", "language", "genre", "number"} <= variables
    assert kinds >= PERIODICALS

"""Export -> import -> export gives the same CSL-JSON, for every item of the shared fixture
corpus (tests/cite-fixtures/corpus.json, kept in the repository):
the items go in as one CSL-JSON text, each
becomes a Source, and each Source exports the item it came from; exporting the Sources and
importing that again changes nothing. briefdesk's own BibTeX and RIS downloads of the corpus
and of a brief read back into the same CSL for every variable the format carries
(tests/download_fields.py says which)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefdesk.citations.export import bibtex_key, to_bibtex, to_ris
from briefdesk.importers import bibtex, ris
from briefdesk.importers.apply import import_entries
from briefdesk.importers.references import parse_references
from briefdesk.sources.models import Source
from tests.download_fields import (
    ITEMS,
    NOT_IN_BIBTEX,
    NOT_IN_RIS,
    RIS_NOT_READ_BACK,
    RIS_READS_BACK_AS,
    ris_tag,
)

CORPUS_FILE = Path(__file__).resolve().parents[3] / "tests" / "cite-fixtures" / "corpus.json"
CORPUS: list[dict[str, Any]] = json.loads(CORPUS_FILE.read_text())

pytestmark = pytest.mark.django_db


def import_text(text: str) -> dict[str, Source]:
    report = import_entries(parse_references(text).entries)
    assert report.ok, [r.as_line() for r in report.errors]
    sources = Source.objects.in_bulk([r.source_id for r in report.results])
    return {r.key: sources[r.source_id] for r in report.results if r.source_id}


def test_the_corpus_round_trips_through_import_and_export() -> None:
    sources = import_text(json.dumps(CORPUS, indent=2, ensure_ascii=False))

    assert len(CORPUS) == 35
    assert Source.objects.count() == 35
    assert [sources[item["id"]].to_csl() for item in CORPUS] == CORPUS


def test_importing_an_export_again_changes_nothing_and_exports_the_same() -> None:
    import_text(json.dumps(CORPUS))
    exported = [s.to_csl() for s in Source.objects.order_by("pk")]

    report = import_entries(parse_references(json.dumps(exported)).entries)

    assert {r.outcome for r in report.results} == {"unchanged"}
    assert [s.to_csl() for s in Source.objects.order_by("pk")] == exported == CORPUS


# --- briefdesk's own BibTeX and RIS downloads read back unchanged ------------------------


def carried(item: dict[str, Any], fmt: str) -> dict[str, Any]:
    """`item` as briefdesk's importer must read it back from its own `fmt` download: the
    variables the format carries (tests/download_fields.py), text on one line; for RIS the
    kind RIS can tell apart and names as 'Family, Given' reads."""
    csl_type = item["type"]
    out: dict[str, Any] = {}
    for variable, value in item.items():
        if fmt == "bib" and variable in NOT_IN_BIBTEX and variable not in {"id", "type"}:
            continue
        if (
            fmt == "ris"
            and variable != "type"
            and (
                variable in NOT_IN_RIS
                or variable in RIS_NOT_READ_BACK
                or not ris_tag(variable, csl_type)
            )
        ):
            continue
        out[variable] = " ".join(value.split()) if isinstance(value, str) else value
    if fmt == "bib":
        out["id"] = bibtex_key(item)
    else:
        out["type"] = RIS_READS_BACK_AS.get(csl_type, csl_type)
        if "author" in out:
            out["author"] = [ris_read_name(n) for n in out["author"]]
    return out


def ris_read_name(name: dict[str, str]) -> dict[str, str]:
    # RIS has no mark for an organisation: a comma in one splits it like a person's name.
    literal = name.get("literal", "")
    if "," not in literal:
        return name
    family, given = (part.strip() for part in literal.split(",", 1))
    return {"family": family, "given": given}


EXPORTS = {"bib": (to_bibtex, bibtex.parse), "ris": (to_ris, ris.parse)}


@pytest.mark.parametrize("fmt", EXPORTS)
@pytest.mark.parametrize("item", ITEMS, ids=[i["id"] for i in ITEMS])
def test_each_download_reads_back_into_the_same_csl(fmt: str, item: dict[str, Any]) -> None:
    export, parse = EXPORTS[fmt]

    [entry] = parse(export([item]))

    assert entry.error is None
    # A medium ("PDF") is a note (N1) in RIS, which briefdesk says it does not import.
    assert entry.notes == (["not imported: N1"] if fmt == "ris" and "medium" in item else [])
    assert entry.item == carried(item, fmt)


@pytest.mark.parametrize("fmt", EXPORTS)
def test_importing_a_download_of_the_corpus_makes_sources_that_export_the_same(fmt: str) -> None:
    export, _ = EXPORTS[fmt]
    sources = import_text(export(ITEMS))

    assert len(sources) == len(ITEMS)
    for item in ITEMS:
        expected = carried(item, fmt)
        assert sources[expected["id"]].to_csl() == expected

    report = import_entries(parse_references(export(ITEMS)).entries)
    assert {r.outcome for r in report.results} == {"unchanged"}

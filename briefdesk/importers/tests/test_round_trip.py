"""Export -> import -> export gives the same CSL-JSON, for every item of the shared fixture
corpus (tests/cite-fixtures/corpus.json, kept in the repository):
the items go in as one CSL-JSON text, each
becomes a Source, and each Source exports the item it came from; exporting the Sources and
importing that again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefdesk.importers.apply import import_entries
from briefdesk.importers.references import parse_references
from briefdesk.sources.models import Source

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

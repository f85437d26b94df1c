"""Downloads cannot be forged or broken by what a source holds: a CR/LF (or any line break)
in a field never starts an RIS tag or record, BibTeX values never close a field or start an
entry, CSL-JSON is always valid JSON, and CSL extras of an unexpected shape (stored before
validation existed, or by a path that skipped it) are left out instead of answering 500.
Each output is parsed back with rispy / bibtexparser / json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from briefdesk.citations.export import to_bibtex, to_csl_json, to_ris
from briefdesk.sources.models import Source
from tests.db import rolled_back
from tests.factories import OutletFactory, SourceFactory, cite, make_brief, make_site_tree

BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e", "\x00"]


@pytest.mark.parametrize("brk", BREAKS)
def test_a_line_break_in_any_ris_field_cannot_forge_a_record_or_a_tag(brk: str) -> None:
    forged = f"Real{brk}ER  - {brk}{brk}TY  - JOUR{brk}TI  - Forged{brk}UR  - https://evil.example/"
    item = {
        "id": f"key{brk}ER  - ",
        "type": "article-journal",
        "title": forged,
        "author": [{"family": forged, "given": forged}, {"literal": forged}],
        "container-title": forged,
        "page": f"1{brk}-2",
        "URL": f"https://a.example/{brk}TY  - BOOK",
        "medium": forged,
    }

    text = to_ris([item, {"id": "second", "type": "book", "title": "Second"}])
    records = rispy.loads(text)

    assert len(records) == 2
    assert [r["type_of_reference"] for r in records] == ["JOUR", "BOOK"]
    assert records[0]["title"] == "Real ER - TY - JOUR TI - Forged UR - https://evil.example/"
    assert "urls" not in records[1]
    assert all(
        line[:2] in {"TY", "ID", "AU", "TI", "T2", "SP", "EP", "UR", "N1", "ER", ""}
        or line.rstrip(".").isdigit()
        for line in text.split("\n")
    )


BIBTEX_TRAPS = [
    "}, author = {Forged",
    "@misc{forged, title={x}}",
    "{{{ unbalanced",
    "}}} unbalanced",
    "50% off % a comment",
    "back\\slash\\",
    "line\nbreak\r\n@book{x,",
    "Smith and Jones",
]


@pytest.mark.parametrize("trap", BIBTEX_TRAPS)
def test_bibtex_values_never_close_a_field_or_start_an_entry(trap: str) -> None:
    item = {
        "id": f"k{trap}",
        "type": "book",
        "title": trap,
        "author": [{"family": trap, "given": "A"}],
        "publisher": trap,
        "URL": f"https://a.example/{trap}",
    }

    library = bibtexparser.parse_string(to_bibtex([item, {"id": "b", "title": "B"}]))

    assert library.failed_blocks == []
    assert len(library.entries) == 2
    entry = library.entries[0]
    assert set(entry.fields_dict) == {"title", "author", "publisher", "url"}
    assert entry.key.replace("-", "").replace("k", "").isalnum() or entry.key.startswith("k")
    assert " and " not in entry.fields_dict["author"].value.replace("{", "").split("}")[-1]


ODD_EXTRAS = [
    {"editor": "abc"},
    {"editor": ["abc", None, {"family": {"x": 1}}, {"family": 5}]},
    {"author": {"family": "x"}},
    {"issued": {"date-parts": [5]}},
    {"issued": {"date-parts": "2010"}},
    {"issued": {"date-parts": [[]]}},
    {"issued": {"date-parts": [["99999", 13]]}},
    {"issued": [2010]},
    {"accessed": {"date-parts": [[10**5000]]}},
    {"page": {"a": [1, {"b": None}]}},
    {"volume": float("nan"), "issue": float("inf")},
    {"number": 10**5000},
    {"title": ["a", "b"]},
    {"type": {"x": 1}},
    {"custom": [[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]},
    {"note": "lone \ud800 surrogate"},
]


@pytest.mark.parametrize("extra", ODD_EXTRAS, ids=range(len(ODD_EXTRAS)))
def test_writers_leave_out_odd_shapes_and_still_parse(extra: dict[str, Any]) -> None:
    item = {"id": "odd", "type": "book", "title": "Odd", **extra}
    items = [item, {"id": "plain", "type": "book", "title": "Plain"}]

    assert len(json.loads(to_csl_json(items))) == 2
    assert len(rispy.loads(to_ris(items))) == 2
    library = bibtexparser.parse_string(to_bibtex(items))
    assert (len(library.entries), library.failed_blocks) == (2, [])
    # Every output is encodable as the UTF-8 the response sends.
    for text in (to_csl_json(items), to_ris(items), to_bibtex(items)):
        text.encode("utf-8")


# --- over HTTP: a source and a brief citing it, extras stored without validation ----------


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        source = SourceFactory(outlet=OutletFactory(name="Reuters"), title="Odd story")
        brief = make_brief(tree, body=[("paragraph", f"<p>Claim {cite(source)}.</p>")])
        yield {"brief": brief, "source": source}


@pytest.mark.django_db
@pytest.mark.parametrize("extra", ODD_EXTRAS[:8], ids=range(8))
@pytest.mark.parametrize("fmt", ["bib", "ris", "json"])
def test_downloads_of_a_source_with_odd_extras_answer_200_and_parse(
    world: dict[str, Any], client: Any, extra: dict[str, Any], fmt: str
) -> None:
    # .update() skips Source.clean, as rows stored before validation existed did.
    Source.objects.filter(pk=world["source"].pk).update(csl_extra=extra)
    urls = [
        reverse("sources:cite_file", args=[world["source"].pk, fmt]),
        reverse("brief_cite_file", args=[world["brief"].slug, fmt]) + "?with=sources",
    ]
    for url, count in zip(urls, [1, 2], strict=True):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        if fmt == "json":
            assert len(json.loads(text)) == count
        elif fmt == "ris":
            assert len(rispy.loads(text)) == count
        else:
            assert len(bibtexparser.parse_string(text).entries) == count

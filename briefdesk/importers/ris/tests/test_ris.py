"""RIS in, as Zotero, Mendeley and EndNote export it: each record becomes CSL-JSON with
names split at the comma, dates from DA/PY read or kept as written; a record with no end or
tags outside a record is an error naming its line, and the others are still read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from briefdesk.importers.ris import parse

FILES = Path(__file__).parent / "files"


def ris(*lines: str) -> str:
    return "\n".join(["TY  - JOUR", "TI  - T", *lines, "ER  - ", ""])


def item(text: str) -> dict[str, Any]:
    [entry] = parse(text)
    assert entry.error is None, entry.error
    assert entry.item is not None
    return entry.item


# (one RIS record, what its CSL-JSON item contains)
FIELDS: list[tuple[str, dict[str, Any]]] = [
    (ris(), {"type": "article-journal", "title": "T"}),
    ("TY  - NEWS\nTI  - T\nER  - ", {"type": "article-newspaper"}),
    ("TY  - MGZN\nTI  - T\nER  - ", {"type": "article-magazine"}),
    ("TY  - ELEC\nTI  - T\nER  - ", {"type": "webpage"}),
    ("TY  - BLOG\nTI  - T\nER  - ", {"type": "post-weblog"}),
    ("TY  - RPRT\nTI  - T\nER  - ", {"type": "report"}),
    ("TY  - GOVDOC\nTI  - T\nER  - ", {"type": "report"}),
    ("TY  - BOOK\nTI  - T\nER  - ", {"type": "book"}),
    ("TY  - CHAP\nTI  - T\nER  - ", {"type": "chapter"}),
    ("TY  - GEN\nTI  - T\nER  - ", {"type": "document"}),
    ("TY  - ICOMM\nTI  - T\nER  - ", {"type": "webpage"}),
    ("TY  - JOUR\nT1  - Title in T1\nER  - ", {"title": "Title in T1"}),
    (ris("ID  - Fair2011"), {"id": "Fair2011"}),
    # Names: 'Family, Given[, Suffix]'; no comma is an organisation or a name kept whole.
    (
        ris("AU  - Shane, Scott", "AU  - Lehren, Andrew W."),
        {
            "author": [
                {"family": "Shane", "given": "Scott"},
                {"family": "Lehren", "given": "Andrew W."},
            ]
        },
    ),
    (ris("A1  - Fair, C. Christine"), {"author": [{"family": "Fair", "given": "C. Christine"}]}),
    (
        ris("AU  - Beeblebrox, Zaphod, IV"),
        {"author": [{"family": "Beeblebrox", "given": "Zaphod", "suffix": "IV"}]},
    ),
    (
        ris("AU  - U.S. Department of Defense"),
        {"author": [{"literal": "U.S. Department of Defense"}]},
    ),
    (ris("AU  - Madonna,"), {"author": [{"family": "Madonna"}]}),
    (ris("AU  - حقاني, حسين"), {"author": [{"family": "حقاني", "given": "حسين"}]}),
    (
        ris("AU  - 王, 小明", "AU  - 李华"),
        {"author": [{"family": "王", "given": "小明"}, {"literal": "李华"}]},
    ),
    (ris("A2  - Schmidt, Anna"), {"editor": [{"family": "Schmidt", "given": "Anna"}]}),
    # Dates.
    (ris("PY  - 2010"), {"issued": {"date-parts": [[2010]]}}),
    (ris("PY  - 2010///"), {"issued": {"date-parts": [[2010]]}}),
    (ris("PY  - 2010/12/06/"), {"issued": {"date-parts": [[2010, 12, 6]]}}),
    (ris("DA  - 2010/12/06/", "PY  - 2010"), {"issued": {"date-parts": [[2010, 12, 6]]}}),
    (ris("DA  - 2010/12//", "PY  - 2010"), {"issued": {"date-parts": [[2010, 12]]}}),
    (ris("DA  - 2010-12-06"), {"issued": {"date-parts": [[2010, 12, 6]]}}),
    (ris("PY  - 2010", "DA  - Dec 6"), {"issued": {"date-parts": [[2010, 12, 6]]}}),
    (ris("PY  - 2009", "DA  - September 23, 2009"), {"issued": {"date-parts": [[2009, 9, 23]]}}),
    (ris("Y1  - 2010/11/28/"), {"issued": {"date-parts": [[2010, 11, 28]]}}),
    (ris("PY  - 2010", "DA  - Winter"), {"issued": {"literal": "Winter 2010"}}),
    (ris("DA  - Winter 2010"), {"issued": {"literal": "Winter 2010"}}),
    (ris("PY  - n.d."), {"issued": {"literal": "n.d."}}),
    (ris("Y2  - 2024/03/10/"), {"accessed": {"date-parts": [[2024, 3, 10]]}}),
    # Containers, publishers, numbers, identifiers.
    (ris("T2  - Asia Policy"), {"container-title": "Asia Policy"}),
    (ris("JO  - Asia Policy"), {"container-title": "Asia Policy"}),
    (
        ris("JF  - Asia Policy", "JA  - Asia Pol."),
        {"container-title": "Asia Policy", "container-title-short": "Asia Pol."},
    ),
    (
        "TY  - BOOK\nTI  - T\nT2  - Studies in War\nER  - ",
        {"collection-title": "Studies in War", "container-title": None},
    ),
    ("TY  - CHAP\nTI  - T\nBT  - The Book\nER  - ", {"container-title": "The Book"}),
    (ris("PB  - Viking", "CY  - New York"), {"publisher": "Viking", "publisher-place": "New York"}),
    (
        ris("VL  - 11", "IS  - 1", "SP  - 105", "EP  - 137"),
        {"volume": "11", "issue": "1", "page": "105-137"},
    ),
    (ris("SP  - A1"), {"page": "A1"}),
    (
        "TY  - RPRT\nTI  - T\nIS  - RL34248\nM3  - CRS Report\nER  - ",
        {"number": "RL34248", "genre": "CRS Report"},
    ),
    # A report's number is in SN and its series in T2, as Zotero writes and reads them.
    (
        "TY  - RPRT\nTI  - T\nSN  - RL34248\nT2  - Task Force Report\nER  - ",
        {"number": "RL34248", "collection-title": "Task Force Report", "ISSN": None},
    ),
    (
        "TY  - SLIDE\nTI  - T\nT2  - Press availability\nCY  - Washington, DC\nER  - ",
        {"type": "speech", "event-title": "Press availability", "event-place": "Washington, DC"},
    ),
    (ris("AB  - What it says."), {"abstract": "What it says."}),
    (ris("N2  - What it says."), {"abstract": "What it says."}),
    (ris("LA  - en"), {"language": "en"}),
    (ris("DB  - WikiLeaks"), {"archive": "WikiLeaks"}),
    (ris("DO  - 10.1353/asp.2011.0010"), {"DOI": "10.1353/asp.2011.0010"}),
    (ris("DO  - https://doi.org/10.1353/asp.2011.0010"), {"DOI": "10.1353/asp.2011.0010"}),
    (ris("M3  - 10.1353/asp.2011.0010"), {"DOI": "10.1353/asp.2011.0010", "genre": None}),
    (
        ris("UR  - https://a.example/one", "UR  - https://a.example/two"),
        {"URL": "https://a.example/one"},
    ),
    (ris("UR  - https://a.example/one; https://a.example/two"), {"URL": "https://a.example/one"}),
    ("TY  - BOOK\nTI  - T\nSN  - 978-0-670-01970-0\nER  - ", {"ISBN": "978-0-670-01970-0"}),
    (ris("SN  - 1559-0968"), {"ISSN": "1559-0968"}),
    # Layout variants: CRLF, a BOM-less header, a tag with no space after the dash.
    ("TY  - JOUR\r\nTI  - Windows lines\r\nER  - \r\n", {"title": "Windows lines"}),
    (
        "Provider: JSTOR\nDatabase: JSTOR\n\nTY  - JOUR\nTI  - After a header\nER  -",
        {"title": "After a header"},
    ),
    ("TY  -JOUR\nTI  -No space\nER  -", {"type": "article-journal", "title": "No space"}),
]


@pytest.mark.parametrize(("text", "expected"), FIELDS)
def test_each_tag_maps_onto_csl_json(text: str, expected: dict[str, Any]) -> None:
    found = item(text)

    assert {k: found.get(k) for k in expected} == expected


NOTES: list[tuple[str, list[str]]] = [
    (
        ris("AB  - An abstract", "KW  - one", "KW  - two", "N1  - A note"),
        ["not imported: KW, N1"],
    ),
    (ris("ZZ  - Unknown tag"), ["not imported: ZZ"]),
    (
        ris("UR  - internal-pdf://0012/file.pdf"),
        ["UR 'internal-pdf://0012/file.pdf' is not a web address: not imported"],
    ),
    (
        "TY  - XXXX\nTI  - T\nER  - ",
        ["TY XXXX is not a RIS type briefdesk knows: imported as a document"],
    ),
]


@pytest.mark.parametrize(("text", "notes"), NOTES)
def test_what_is_not_imported_is_noted_not_an_error(text: str, notes: list[str]) -> None:
    [entry] = parse(text)

    assert entry.error is None
    assert entry.notes == notes


def test_a_broken_file_reports_each_bad_record_by_line_and_reads_the_rest() -> None:
    entries = parse((FILES / "broken.ris").read_text())

    assert [(e.label, e.error) for e in entries] == [
        ("entry 1 (line 1)", None),
        ("entry 2 (line 7)", "no 'ER  -' end tag before the next reference (line 12)"),
        ("entry 3 (line 12)", "no title"),
        ("entry 4 (line 18)", "AU tag outside a reference: no 'TY  -' before it"),
        ("entry 5 (line 22)", "no 'ER  -' end tag (the text ends inside this reference)"),
    ]


def test_a_record_with_an_empty_type_is_an_error() -> None:
    [entry] = parse("TY  - \nTI  - T\nER  - ")

    assert entry.error == "no reference type after TY"


SAMPLES: list[tuple[str, int, dict[str, Any]]] = [
    (
        "zotero.ris",
        0,
        {
            "type": "article-journal",
            "title": "The militant challenge in Pakistan",
            "issued": {"date-parts": [[2011, 1]]},
            "accessed": {"date-parts": [[2024, 3, 10]]},
            "DOI": "10.1353/asp.2011.0010",
            "page": "105-137",
        },
    ),
    (
        "zotero.ris",
        3,
        {
            "type": "report",
            "author": [{"literal": "U.S. Department of Defense"}],
            "genre": "Report to Congress",
        },
    ),
    (
        "zotero.ris",
        4,
        {"type": "book", "title-short": "Descent into chaos", "ISBN": "978-0-670-01970-0"},
    ),
    (
        "zotero.ris",
        5,
        {
            "type": "post-weblog",
            "container-title": "Abu Muqawama",
            "publisher": "Center for a New American Security",
        },
    ),
    ("mendeley.ris", 0, {"id": "Fair2011", "container-title": "Asia Policy", "page": "105-137"}),
    (
        "mendeley.ris",
        1,
        {"id": "Kerr2010", "number": "RL34248", "genre": "CRS Report for Congress"},
    ),
    (
        "endnote.ris",
        0,
        {
            "title": "The Militant Challenge in Pakistan",
            "issued": {"date-parts": [[2011, 1]]},
            "DOI": "10.1353/asp.2011.0010",
        },
    ),
    (
        "endnote.ris",
        1,
        {
            "type": "article-newspaper",
            "issued": {"date-parts": [[2010, 12, 1]]},
            "section": "World",
        },
    ),
    (
        "endnote.ris",
        2,
        {
            "author": [{"literal": "U.S. Embassy Islamabad"}],
            "issued": {"date-parts": [[2009, 9, 23]]},
        },
    ),
    ("endnote.ris", 3, {"issued": {"literal": "Winter 2010"}}),
    (
        "scripts.ris",
        0,
        {
            "author": [
                {"family": "حقاني", "given": "حسين"},
                {"literal": "وزارة الخارجية الباكستانية"},
            ]
        },
    ),
]


@pytest.mark.parametrize(("name", "index", "expected"), SAMPLES)
def test_exports_from_reference_managers_read_as_expected(
    name: str, index: int, expected: dict[str, Any]
) -> None:
    # EndNote writes a byte-order mark and CRLF line ends.
    entries = parse((FILES / name).read_bytes().decode("utf-8-sig"))

    assert entries[index].error is None
    found = entries[index].item or {}
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("zotero.ris", [1, 20, 33, 43, 54, 65]),
        ("mendeley.ris", [1, 16]),
        ("endnote.ris", [1, 18, 29, 40]),
        ("scripts.ris", [1, 9]),
    ],
)
def test_every_record_of_each_sample_export_is_read_with_its_line(
    name: str, lines: list[int]
) -> None:
    entries = parse((FILES / name).read_bytes().decode("utf-8-sig"))

    assert [e.line for e in entries] == lines
    assert [e.error for e in entries] == [None] * len(lines)

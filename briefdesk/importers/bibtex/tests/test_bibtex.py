"""BibTeX and BibLaTeX in, as Zotero, Mendeley, EndNote and Better BibLaTeX export them:
each entry becomes CSL-JSON with LaTeX decoded, names split (braced names are
organisations), dates read or kept as written; a broken entry is an error naming its key and
line, and the others are still read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from briefdesk.importers.bibtex import parse

FILES = Path(__file__).parent / "files"


def item(text: str) -> dict[str, Any]:
    [entry] = parse(text)
    assert entry.error is None, entry.error
    assert entry.item is not None
    return entry.item


# (one BibTeX entry, what its CSL-JSON item contains)
FIELDS: list[tuple[str, dict[str, Any]]] = [
    ("@article{k, title={T}}", {"id": "k", "type": "article-journal", "title": "T"}),
    ("@book{k, title={T}}", {"type": "book"}),
    ("@incollection{k, title={T}, booktitle={Handbook}}", {"type": "chapter"}),
    ("@inbook{k, title={T}}", {"type": "chapter"}),
    ("@inproceedings{k, title={T}}", {"type": "paper-conference"}),
    ("@techreport{k, title={T}}", {"type": "report"}),
    ("@report{k, title={T}}", {"type": "report"}),
    ("@phdthesis{k, title={T}}", {"type": "thesis", "genre": "PhD thesis"}),
    ("@online{k, title={T}}", {"type": "webpage"}),
    ("@misc{k, title={T}, url={https://a.example/}}", {"type": "webpage"}),
    ("@misc{k, title={T}}", {"type": "document"}),
    ("@unpublished{k, title={T}}", {"type": "manuscript"}),
    ("@article{k, title={T}, entrysubtype={newspaper}}", {"type": "article-newspaper"}),
    ("@article{k, title={T}, entrysubtype={magazine}}", {"type": "article-magazine"}),
    # The kind of a @misc or @online as briefdesk's downloads name it (a CSL type).
    (
        "@misc{k, title={T}, entrysubtype={interview}, url={https://a.example/}}",
        {"type": "interview"},
    ),
    ("@misc{k, title={T}, entrysubtype={speech}}", {"type": "speech"}),
    ("@misc{k, title={T}, entrysubtype={no-such-kind}}", {"type": "document"}),
    ("@online{k, title={T}, entrysubtype={post-weblog}}", {"type": "post-weblog"}),
    ("@online{k, title={T}, entrysubtype={book}}", {"type": "webpage"}),
    # Titles: protective braces dropped, LaTeX decoded, subtitle joined.
    (
        "@book{k, title={The {Militant} Challenge in {Pakistan}}}",
        {"title": "The Militant Challenge in Pakistan"},
    ),
    ("@book{k, title={{The Double-Braced Title}}}", {"title": "The Double-Braced Title"}),
    (r"@book{k, title={{\"U}ber die {Au{\ss}enpolitik}}}", {"title": "Über die Außenpolitik"}),
    (r"@book{k, title={Caf\'{e} \& Bar: 5\% {--} more}}", {"title": "Café & Bar: 5% – more"}),
    ("@book{k, title={Growth of 5% a year}}", {"title": "Growth of 5% a year"}),
    ("@book{k, title={Foreign Affairs & Trade}}", {"title": "Foreign Affairs & Trade"}),
    (
        "@book{k, title={Pakistan{\\textquoteright}s {\\textquotedbl}do more{\\textquotedbl}}}",
        {"title": 'Pakistan’s "do more"'},
    ),
    ("@book{k, title={Split\n    over lines}}", {"title": "Split over lines"}),
    ("@book{k, title={Descent}, subtitle={A History}}", {"title": "Descent: A History"}),
    ('@book{k, title="Quoted title"}', {"title": "Quoted title"}),
    ("@book(k, title={Parenthesised entry})", {"title": "Parenthesised entry"}),
    # Names.
    (
        "@book{k, title={T}, author={Fair, C. Christine}}",
        {"author": [{"family": "Fair", "given": "C. Christine"}]},
    ),
    (
        "@book{k, title={T}, author={C. Christine Fair}}",
        {"author": [{"family": "Fair", "given": "C. Christine"}]},
    ),
    (
        "@book{k, title={T}, author={Shane, Scott and Lehren, Andrew W. and others}}",
        {
            "author": [
                {"family": "Shane", "given": "Scott"},
                {"family": "Lehren", "given": "Andrew W."},
            ]
        },
    ),
    (
        "@book{k, title={T}, author={{Council on Foreign Relations}}}",
        {"author": [{"literal": "Council on Foreign Relations"}]},
    ),
    (
        "@book{k, title={T}, author={{Simon and Schuster}}}",
        {"author": [{"literal": "Simon and Schuster"}]},
    ),
    (
        "@book{k, title={T}, author={van der Berg, Jan}}",
        {"author": [{"family": "van der Berg", "given": "Jan"}]},
    ),
    (
        "@book{k, title={T}, author={Beeblebrox, IV, Zaphod}}",
        {"author": [{"family": "Beeblebrox", "given": "Zaphod", "suffix": "IV"}]},
    ),
    (
        r"@book{k, title={T}, author={{\"O}zt{\"u}rk, Ay{\c{s}}e}}",
        {"author": [{"family": "Öztürk", "given": "Ayşe"}]},
    ),
    (
        "@book{k, title={T}, author={C.~Christine Fair}}",
        {"author": [{"family": "Fair", "given": "C. Christine"}]},
    ),
    (
        "@book{k, title={T}, author={حقاني, حسين}}",
        {"author": [{"family": "حقاني", "given": "حسين"}]},
    ),
    ("@book{k, title={T}, author={王, 小明}}", {"author": [{"family": "王", "given": "小明"}]}),
    (
        "@book{k, title={T}, editor={Schmidt, Anna}}",
        {"editor": [{"family": "Schmidt", "given": "Anna"}]},
    ),
    # Dates: calendar dates as date-parts, anything else word for word.
    ("@book{k, title={T}, year={2010}}", {"issued": {"date-parts": [[2010]]}}),
    ("@book{k, title={T}, year={2010}, month=dec}", {"issued": {"date-parts": [[2010, 12]]}}),
    (
        "@book{k, title={T}, year=2010, month={December}, day={6}}",
        {"issued": {"date-parts": [[2010, 12, 6]]}},
    ),
    ("@book{k, title={T}, year={2010}, month={12}}", {"issued": {"date-parts": [[2010, 12]]}}),
    ("@book{k, title={T}, date={2010-12-06}}", {"issued": {"date-parts": [[2010, 12, 6]]}}),
    (
        "@book{k, title={T}, date={2010-12-06/2010-12-08}}",
        {"issued": {"date-parts": [[2010, 12, 6], [2010, 12, 8]]}},
    ),
    ("@book{k, title={T}, year={2010}, month={Winter}}", {"issued": {"literal": "Winter 2010"}}),
    ("@book{k, title={T}, year={Winter 2010}}", {"issued": {"literal": "Winter 2010"}}),
    ("@book{k, title={T}, date={circa 1990}}", {"issued": {"literal": "circa 1990"}}),
    (
        "@book{k, title={T}, year={2010}, month={feb}, day={30}}",
        {"issued": {"literal": "feb 30 2010"}},
    ),
    ("@book{k, title={T}, urldate={2024-03-10}}", {"accessed": {"date-parts": [[2024, 3, 10]]}}),
    (
        '@book{k, title={T}, year=2010, month=dec # "~6"}',
        {"issued": {"date-parts": [[2010, 12, 6]]}},
    ),
    # @string macros and concatenation.
    (
        '@string{nyt = "The New York Times"}\n@article{k, title={T}, journal=nyt}',
        {"container-title": "The New York Times"},
    ),
    (
        '@string{pre = "Notes: "}\n@book{k, title={T}, note=pre # {read} # " twice"}',
        {"note": "Notes: read twice"},
    ),
    # Containers, publishers, numbers.
    ("@article{k, title={T}, journal={Asia Policy}}", {"container-title": "Asia Policy"}),
    ("@article{k, title={T}, journaltitle={Asia Policy}}", {"container-title": "Asia Policy"}),
    ("@incollection{k, title={T}, booktitle={Handbook}}", {"container-title": "Handbook"}),
    (
        "@techreport{k, title={T}, institution={CRS}, address={Washington, DC}}",
        {"publisher": "CRS", "publisher-place": "Washington, DC"},
    ),
    (
        "@phdthesis{k, title={T}, school={LSE}, location={London}}",
        {"publisher": "LSE", "publisher-place": "London"},
    ),
    (
        "@techreport{k, title={T}, number={RL34248}, type={CRS Report}}",
        {"number": "RL34248", "genre": "CRS Report"},
    ),
    ("@article{k, title={T}, type={Op-ed}}", {"genre": "Op-ed"}),
    ("@article{k, title={T}, type={Journal Article}}", {"genre": None}),
    ("@article{k, title={T}, abstract={What it says.}}", {"abstract": "What it says."}),
    (
        "@misc{k, title={T}, eventtitle={Press}, venue={Washington}, eventdate={2010-11-29}}",
        {
            "event-title": "Press",
            "event-place": "Washington",
            "event-date": {"date-parts": [[2010, 11, 29]]},
        },
    ),
    (
        "@article{k, title={T}, volume={11}, number={1}, pages={105--137}}",
        {"volume": "11", "issue": "1", "page": "105-137"},
    ),
    (
        "@book{k, title={T}, series={Studies}, edition={2}}",
        {"collection-title": "Studies", "edition": "2"},
    ),
    (
        "@misc{k, title={T}, howpublished={Television broadcast}}",
        {"medium": "Television broadcast"},
    ),
    # Identifiers, verbatim.
    ("@article{k, title={T}, doi={10.1353/asp.2011.0010}}", {"DOI": "10.1353/asp.2011.0010"}),
    (
        "@article{k, title={T}, doi={https://doi.org/10.1353/ASP.2011.0010}}",
        {"DOI": "10.1353/ASP.2011.0010"},
    ),
    ("@misc{k, title={T}, url={https://ex.org/a_b%20c}}", {"URL": "https://ex.org/a_b%20c"}),
    (r"@misc{k, title={T}, url={https://ex.org/a{\_}b}}", {"URL": "https://ex.org/a_b"}),
    (
        r"@misc{k, title={T}, howpublished={\url{https://ex.org/page}}}",
        {"URL": "https://ex.org/page"},
    ),
    (
        "@article{k, TITLE={Upper-case field names}, DOI={10.1/x}}",
        {"title": "Upper-case field names", "DOI": "10.1/x"},
    ),
    (
        "@book{k, title={T}, isbn={978-0-670-01970-0}, note={Read ch. 3}}",
        {"ISBN": "978-0-670-01970-0", "note": "Read ch. 3"},
    ),
]


@pytest.mark.parametrize(("bibtex", "expected"), FIELDS)
def test_each_field_maps_onto_csl_json(bibtex: str, expected: dict[str, Any]) -> None:
    found = item(bibtex)

    assert {k: found.get(k) for k in expected} == expected


# (entry, notes the editor sees)
NOTES: list[tuple[str, list[str]]] = [
    (
        "@article{k, title={T}, abstract={A}, keywords={x, y}, file={a.pdf}}",
        ["not imported: file, keywords"],
    ),
    (
        "@article{k, title={T}, url={<Go to ISI>://WOS:0001}}",
        ["url '<Go to ISI>://WOS:0001' is not a web address: not imported"],
    ),
    (
        "@scroll{k, title={T}}",
        ["@scroll is not a BibTeX type briefdesk knows: imported as a document"],
    ),
    ("@article{k, title={T}, journal={J}, year={2010}}", []),
]


@pytest.mark.parametrize(("bibtex", "notes"), NOTES)
def test_what_is_not_imported_is_noted_not_an_error(bibtex: str, notes: list[str]) -> None:
    [entry] = parse(bibtex)

    assert entry.error is None
    assert entry.notes == notes


def test_a_broken_file_reports_each_bad_entry_by_key_and_line_and_reads_the_rest() -> None:
    entries = parse((FILES / "broken.bib").read_text())

    assert [(e.key, e.line, e.error) for e in entries] == [
        ("good_one", 1, None),
        (
            "unclosed_brace",
            8,
            "cannot be read: the next entry starts at line 13 before this one is closed "
            "(is a brace or quote not closed?)",
        ),
        ("no_title", 13, "no title"),
        ("empty_title", 19, "no title"),
        ("good_one", 24, "the key 'good_one' is used twice (first at line 1)"),
        ("bad_name", 29, "the name 'Smith,' cannot be read: trailing comma at end of name"),
    ]


# (sample file, entry key, what its item contains)
SAMPLES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "zotero.bib",
        "fair_militant_2011",
        {
            "type": "article-journal",
            "title": "The militant challenge in Pakistan",
            "container-title": "Asia Policy",
            "issued": {"date-parts": [[2011, 1]]},
            "accessed": {"date-parts": [[2024, 3, 10]]},
            "DOI": "10.1353/asp.2011.0010",
            "page": "105-137",
            "issue": "1",
        },
    ),
    (
        "zotero.bib",
        "bajoria_how_2010",
        {
            "type": "webpage",
            "title": "How WikiLeaks Hurts U.S.-Pakistan Ties",
            "container-title": "Council on Foreign Relations",
        },
    ),
    (
        "zotero.bib",
        "us_department_of_defense_report_2010",
        {
            "type": "report",
            "author": [{"literal": "U.S. Department of Defense"}],
            "URL": "https://www.defense.gov/Portals/1/Documents/pubs/November_1230_Report_FINAL.pdf",
            "genre": "Report to Congress",
        },
    ),
    (
        "zotero.bib",
        "muller_grenzen_2012",
        {
            "type": "chapter",
            "author": [
                {"family": "Müller", "given": "Jörg"},
                {"family": "de la Cruz", "given": "María"},
            ],
            "title": "Über die Grenzen der Diplomatie",
            "container-title": "Handbuch Außenpolitik",
            "publisher-place": "München",
        },
    ),
    (
        "mendeley.bib",
        "DepartmentofDefense2010",
        {
            "author": [{"literal": "U.S. Department of Defense"}],
            "title": "Report on progress toward security and stability in Afghanistan",
            "URL": "https://www.defense.gov/Portals/1/Documents/pubs/November_1230_Report_FINAL.pdf",
            "issued": {"date-parts": [[2010, 11]]},
        },
    ),
    (
        "endnote.bib",
        "RN12",
        {"DOI": "10.1353/asp.2011.0010", "ISSN": "1559-0968", "page": "105-137"},
    ),
    ("endnote.bib", "RN15", {"issued": {"literal": "Winter 2010"}, "URL": None}),
    (
        "biblatex.bib",
        "shane2010",
        {"type": "article-newspaper", "issued": {"date-parts": [[2010, 11, 28]]}},
    ),
    (
        "biblatex.bib",
        "kerr2010",
        {"publisher": "Congressional Research Service", "publisher-place": "Washington, DC"},
    ),
    (
        "biblatex.bib",
        "nawaz2010",
        {
            "event-title": "South Asia Security Conference",
            "event-date": {"date-parts": [[2010, 12, 6], [2010, 12, 8]]},
        },
    ),
    (
        "scripts.bib",
        "haqqani_2010",
        {
            "author": [
                {"family": "حقاني", "given": "حسين"},
                {"literal": "وزارة الخارجية الباكستانية"},
            ]
        },
    ),
    (
        "scripts.bib",
        "wang_2011",
        {
            "author": [{"family": "王", "given": "小明"}, {"family": "李", "given": "华"}],
            "title": "巴基斯坦与美国关系的新变化",
        },
    ),
    ("scripts.bib", "ivanov_2009", {"publisher": "Наука", "publisher-place": "Москва"}),
]


@pytest.mark.parametrize(("name", "key", "expected"), SAMPLES)
def test_exports_from_reference_managers_read_as_expected(
    name: str, key: str, expected: dict[str, Any]
) -> None:
    entries = {e.key: e for e in parse((FILES / name).read_text())}

    assert entries[key].error is None
    found = entries[key].item or {}
    assert {k: found.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("zotero.bib", 7),
        ("mendeley.bib", 3),
        ("endnote.bib", 3),
        ("biblatex.bib", 4),
        ("scripts.bib", 3),
    ],
)
def test_every_entry_of_each_sample_export_is_read_without_error(name: str, count: int) -> None:
    entries = parse((FILES / name).read_text())

    assert len(entries) == count
    assert [e.error for e in entries] == [None] * count

"""pagemeta.read_page: what a saved page says about itself, field by field, against what an
editor records from the same page (files/pages/expected.json, written from the pages' own
headlines, bylines and datelines, not from this code's output).

Each page and field is one case; the misses we know of are listed with the reason and
marked strict xfail, so a fix shows up as an unexpected pass and the list shrinks. The
accuracy per field over the whole set must stay at the figure measured (see ACCURACY) minus a
small margin; `benchmarks/autofill.py` prints the same table with pages per second.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from briefdesk.archive.pagemeta import FIELDS, PageMeta, read_page
from briefdesk.sources.kinds import Kind

PAGES_DIR = Path(__file__).parent / "files" / "pages"
PAGES: list[dict[str, Any]] = json.loads((PAGES_DIR / "expected.json").read_text("utf-8"))["pages"]

# Measured on the set (28 pages), 2026-11-30; see benchmarks/autofill.py.
ACCURACY = {
    "title": 28 / 28,
    "authors": 25 / 28,
    "issued": 25 / 28,
    "description": 27 / 28,
    "site_name": 21 / 28,
    "kind": 25 / 28,
    "language": 21 / 28,
    "doi": 28 / 28,
}
MARGIN = 0.04  # about one page of 28

KNOWN_MISSES = {
    ("news_guardian_conflict.html", "authors"): "a compound family name (Mohammed Salih)",
    ("journal_ojs_spanish.html", "authors"): "a Spanish double surname (Gómez Restrepo)",
    ("gov_state_press.html", "authors"): "the byline is a bureau in the text, no tag",
    ("news_cp1252.html", "language"): "no lang attribute or tag",
    ("news_minimal.html", "language"): "no lang attribute or tag",
    ("gov_india_mea_minimal.html", "language"): "no lang attribute or tag",
    ("pdf_iiss_report.pdf", "language"): "no /Lang in the PDF",
    ("pdf_gao_report.pdf", "language"): "no /Lang in the PDF",
    ("pdf_no_info.pdf", "language"): "no /Lang in the PDF",
    ("pdf_created_before_printed.pdf", "language"): "no /Lang in the PDF",
    ("news_minimal.html", "kind"): "no type signal at all: a web page",
    ("thinktank_sipri_factsheet.html", "kind"): "no type signal at all: a web page",
    ("thinktank_carnegie_article.html", "kind"): "og:type article on a commentary",
    ("news_minimal.html", "site_name"): "<title> spells it 'Kabul Now'",
    ("thinktank_sipri_factsheet.html", "site_name"): "only the acronym in <title>",
    ("gov_india_mea_minimal.html", "site_name"): "only in the logo's alt text",
    ("pdf_iiss_report.pdf", "site_name"): "a PDF names no site",
    ("pdf_no_info.pdf", "site_name"): "a PDF names no site",
    ("pdf_created_before_printed.pdf", "site_name"): "a PDF names no site",
    ("wire_ap_multiple.html", "site_name"): "the site calls itself AP News",
    ("thinktank_sipri_factsheet.html", "issued"): "htmldate gives a day for 'March 2026'",
    ("journal_sage_jpr.html", "issued"): "citation date has a day, the issue a month",
    ("journal_oup_authors_list.html", "issued"): "only the online date is tagged",
    ("pdf_iiss_report.pdf", "description"): "/Subject is a catalogue line, not a summary",
}


_PLAIN_PUNCTUATION: dict[str, str | int | None] = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.translate(str.maketrans(_PLAIN_PUNCTUATION))
    return " ".join(text.split())


def same(field: str, got: Any, want: Any) -> bool:
    """Whether a proposed value is the editor's: text compared as an editor reads it (case,
    curly quotes and spacing aside; "The" before a site's name aside), names part by part,
    dates and kinds exactly."""
    if field in {"title", "description"}:
        return _norm(got) == _norm(want)
    if field == "site_name":
        return _norm(got).removeprefix("the ") == _norm(want).removeprefix("the ")
    if field == "authors":
        return [{k: _norm(v) for k, v in n.items()} for n in got] == [
            {k: _norm(v) for k, v in n.items()} for n in want
        ]
    if field == "doi":
        return got.lower() == want.lower()
    return bool(got == want)


@cache
def read(file: str) -> PageMeta:
    case = next(p for p in PAGES if p["file"] == file)
    return read_page(case["url"], case["content_type"], (PAGES_DIR / file).read_bytes())


def accuracy(pages: list[dict[str, Any]] = PAGES) -> dict[str, tuple[int, int]]:
    """field -> (right, total) over `pages`."""
    result = {}
    for field in FIELDS:
        right = sum(same(field, getattr(read(p["file"]), field), p[field]) for p in pages)
        result[field] = (right, len(pages))
    return result


def accuracy_table(pages: list[dict[str, Any]] = PAGES) -> str:
    lines = [f"{'field':<12} {'right':>5} {'of':>3} {'accuracy':>9}"]
    for field, (right, total) in accuracy(pages).items():
        lines.append(f"{field:<12} {right:>5} {total:>3} {right / total:>9.0%}")
    return "\n".join(lines)


def _cases() -> list[Any]:
    cases = []
    for page in PAGES:
        for field in FIELDS:
            reason = KNOWN_MISSES.get((page["file"], field))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(
                pytest.param(page["file"], field, marks=marks, id=f"{page['file']}-{field}")
            )
    return cases


def test_the_set_holds_every_layout_the_issue_asks_for() -> None:
    layouts = [p["layout"] for p in PAGES]
    assert len(PAGES) >= 24
    assert layouts.count("news") >= 6
    assert layouts.count("think-tank") >= 4
    assert layouts.count("pdf") >= 3
    assert layouts.count("government") >= 4
    assert layouts.count("journal") >= 4
    assert {"blog", "wire"} <= set(layouts)
    assert all((PAGES_DIR / p["file"]).exists() for p in PAGES)


@pytest.mark.parametrize(("file", "field"), _cases())
def test_it_reads_each_field_of_each_saved_page_as_an_editor_records_it(
    file: str, field: str
) -> None:
    case = next(p for p in PAGES if p["file"] == file)
    got = getattr(read(file), field)
    assert same(field, got, case[field]), f"{field}: {got!r} (from {read(file).found_in})"


def test_accuracy_per_field_stays_at_the_measured_figure() -> None:
    table = accuracy_table()
    print("\n" + table)
    for field, (right, total) in accuracy().items():
        assert right / total >= ACCURACY[field] - MARGIN, f"{field} fell:\n{table}"


def test_every_field_found_says_where_it_came_from() -> None:
    for page in PAGES:
        meta = read(page["file"])
        for field in FIELDS:
            if getattr(meta, field):
                assert meta.found_in.get(field), (page["file"], field)
        assert meta.kind in {k.value for k in Kind}


# --- the rules, on small pages -------------------------------------------------------------


def page(head: str, body: str = "", lang: str = "") -> bytes:
    attr = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{attr}><head>{head}</head><body>{body}</body></html>".encode()


URL = "https://news.example.com/2026/story"


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("By Jane Doe and John Roe", [("Doe", "Jane"), ("Roe", "John")]),
        ("Jane Doe, John Roe & Ann Lee", [("Doe", "Jane"), ("Roe", "John"), ("Lee", "Ann")]),
        ("Doe, Jane", [("Doe", "Jane")]),
        ("BY JANE DOE", [("Doe", "Jane")]),
        ("Dr. Lina Khatib", [("Khatib", "Lina")]),
        ("Anna van der Berg", [("van der Berg", "Anna")]),
        ("Raphael S. Cohen", [("Cohen", "Raphael S.")]),
        ("Reuters Staff", ["Reuters Staff"]),
        ("Ministry of Defence", ["Ministry of Defence"]),
        ("Global Affairs Canada", ["Global Affairs Canada"]),
        ("Jane Doe; International Crisis Group", [("Doe", "Jane"), "International Crisis Group"]),
    ],
)
def test_a_byline_becomes_people_and_organisations(byline: str, authors: list[Any]) -> None:
    meta = read_page(URL, "text/html", page(f'<meta name="author" content="{byline}">'))
    want = [
        {"literal": a} if isinstance(a, str) else {"family": a[0], "given": a[1]} for a in authors
    ]
    assert meta.authors == want


@pytest.mark.parametrize(
    ("written", "issued"),
    [
        ("2026-03-14T23:30:00-05:00", "2026-03-14"),  # the day as written, not UTC's
        ("2026/03/14", "2026-03-14"),
        ("2026/08", "2026-08"),
        ("2026", "2026"),
        ("14 March 2026", "2026-03-14"),
        ("March 14, 2026", "2026-03-14"),
        ("March 2026", "2026-03"),
        ("3 février 2026", "2026-02-03"),
        ("14.03.2026", "2026-03-14"),
        ("20260314", "2026-03-14"),
        ("yesterday", ""),
    ],
)
def test_dates_are_normalised_to_the_precision_written(written: str, issued: str) -> None:
    meta = read_page(URL, "text/html", page(f'<meta name="citation_date" content="{written}">'))
    assert meta.issued == issued


def test_citation_tags_win_over_json_ld_which_wins_over_opengraph() -> None:
    head = (
        '<meta property="og:title" content="OG title">'
        '<meta property="og:site_name" content="OG Site">'
        '<meta property="article:published_time" content="2026-01-03">'
        '<script type="application/ld+json">{"@context":"https://schema.org",'
        '"@type":"NewsArticle","headline":"LD title","datePublished":"2026-01-02",'
        '"publisher":{"@type":"Organization","name":"LD Site"}}</script>'
        '<meta name="citation_title" content="Citation title">'
    )
    meta = read_page(URL, "text/html", page(head))
    assert (meta.title, meta.issued, meta.site_name) == ("Citation title", "2026-01-02", "LD Site")
    assert meta.found_in["title"] == "citation_title"
    assert meta.found_in["issued"] == "JSON-LD NewsArticle.datePublished"
    assert meta.found_in["site_name"] == "JSON-LD NewsArticle.publisher"


def test_a_page_without_tags_falls_back_to_its_title_heading_and_text() -> None:
    body = "<h1>Floods close the Karakoram Highway</h1><p>By Sana Jamal</p><p>July 3, 2026</p>"
    meta = read_page(
        URL,
        "text/html",
        page("<title>Daily Times | Floods close the Karakoram Highway</title>", body),
    )
    assert meta.title == "Floods close the Karakoram Highway"
    assert meta.site_name == "Daily Times"
    assert meta.issued == "2026-07-03"
    assert meta.found_in["issued"] == "htmldate"


def test_windows_1252_is_read_from_the_page_own_declaration() -> None:
    meta = read(file="news_cp1252.html")
    assert meta.authors == [{"family": "Maïga", "given": "Abdoulaye"}]
    assert "“transition council”" in meta.title


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/html", b""),
        ("text/html", b"\xff\xfe\x00garbage<<<"),
        ("text/html", b'<script type="application/ld+json">{not json</script>'),
        ("application/pdf", b"%PDF-1.7 truncated"),
        ("image/png", b"\x89PNG\r\n"),
    ],
)
def test_a_broken_or_foreign_body_proposes_nothing_and_never_raises(
    content_type: str, content: bytes
) -> None:
    meta = read_page(URL, content_type, content)
    assert (meta.title, meta.authors, meta.issued) == ("", [], "")
    assert meta.domain == "news.example.com"


def test_a_pdf_on_a_government_host_is_a_government_document_else_a_report() -> None:
    pdf = (PAGES_DIR / "pdf_gao_report.pdf").read_bytes()
    assert read_page("https://www.gao.gov/a.pdf", "application/pdf", pdf).kind == (
        "government_document"
    )
    assert read_page("https://www.rand.org/a.pdf", "application/pdf", pdf).kind == "report"

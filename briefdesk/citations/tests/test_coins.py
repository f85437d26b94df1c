"""COinS: the builder (CSL-JSON → OpenURL KEV, keys as Zotero's openurl.js reads them), and
one Z3988 span per listed brief on every listing page, saying what the brief's CSL says."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefdesk.briefs.models import BriefPage
from briefdesk.citations.coins import coins_pairs, context_object
from tests.db import rolled_back
from tests.factories import SiteTree, make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of

pytestmark = pytest.mark.django_db

REPORT = {
    "id": "brief-14",
    "type": "report",
    "genre": "Analysis Brief",
    "number": "2010-37",
    "title": "How WikiLeaks Hurts U.S.-Pakistan Ties",
    "publisher": "Briefdesk",
    "issued": {"date-parts": [[2010, 12, 6]]},
    "URL": "http://127.0.0.1:8000/briefs/how-wikileaks-hurts-us-pakistan-ties/",
    "language": "en",
    "author": [
        {"family": "Bajoria", "given": "Jayshree"},
        {"family": "Bruno", "given": "Greg"},
    ],
    "abstract": "The cables held few surprises.",
}

# --- the builder -------------------------------------------------------------------------


def test_a_report_is_a_kev_book_with_genre_report_and_its_title_as_btitle() -> None:
    assert coins_pairs(REPORT) == [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
        ("rft.genre", "report"),
        ("rft.btitle", "How WikiLeaks Hurts U.S.-Pakistan Ties"),
        ("rft.pub", "Briefdesk"),
        ("rft.aulast", "Bajoria"),
        ("rft.aufirst", "Jayshree"),
        ("rft.au", "Bajoria, Jayshree"),
        ("rft.au", "Bruno, Greg"),
        ("rft.date", "2010-12-06"),
        ("rft_id", "http://127.0.0.1:8000/briefs/how-wikileaks-hurts-us-pakistan-ties/"),
        ("rft.description", "The cables held few surprises."),
        ("rft.language", "en"),
    ]


def test_a_web_page_is_a_dublin_core_record_with_its_site_as_source() -> None:
    item = {
        "type": "webpage",
        "title": "Kabul Bank crisis",
        "container-title": "Briefdesk",
        "issued": {"date-parts": [[2010, 9, 10]]},
        "URL": "https://briefs.example.org/briefs/kabul-bank-crisis/",
        "author": [{"family": "Bruno", "given": "Greg"}],
    }

    assert coins_pairs(item) == [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
        ("rft.title", "Kabul Bank crisis"),
        ("rft.source", "Briefdesk"),
        ("rft.aulast", "Bruno"),
        ("rft.aufirst", "Greg"),
        ("rft.au", "Bruno, Greg"),
        ("rft.date", "2010-09-10"),
        ("rft_id", "https://briefs.example.org/briefs/kabul-bank-crisis/"),
    ]


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (
            [{"literal": "Council on Foreign Relations"}, {"family": "Doe", "given": "Jane"}],
            # The organisation once: Zotero would save an `rft.au` copy as a second author.
            [("rft.aucorp", "Council on Foreign Relations"), ("rft.au", "Doe, Jane")],
        ),
        (
            [{"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}],
            [
                ("rft.aulast", "van Gogh"),
                ("rft.aufirst", "Vincent"),
                ("rft.au", "van Gogh, Vincent"),
            ],
        ),
        ([{"family": "Madonna"}], [("rft.aulast", "Madonna")]),
        ([{"given": "Cher"}, {"family": "Prince"}], [("rft.aucorp", "Cher"), ("rft.au", "Prince")]),
        ("not a list", []),
        (["not a name"], []),
    ],
)
def test_authors_give_the_first_as_last_and_first_name_and_each_as_au(
    authors: Any, expected: list[tuple[str, str]]
) -> None:
    pairs = coins_pairs({"type": "report", "author": authors})

    assert [p for p in pairs if p[0] in {"rft.aulast", "rft.aufirst", "rft.aucorp", "rft.au"}] == (
        expected
    )


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        ({"date-parts": [[2010, 12, 6]]}, "2010-12-06"),
        ({"date-parts": [[2010, 12]]}, "2010-12"),
        ({"date-parts": [["2010"]]}, "2010"),
        ({"date-parts": [[2010, 21]]}, "2010"),  # a season (spring)
        ({"date-parts": [[2010, 2, 40]]}, "2010-02"),
        ({"date-parts": [[2009, 1, 1], [2010, 1, 1]]}, "2009-01-01"),  # a range: its start
        ({"raw": "Winter 2010"}, "Winter 2010"),
        ({"date-parts": [["soon"]]}, None),
        ({"date-parts": []}, None),
        ("2010", None),
    ],
)
def test_the_date_is_iso_8601_as_precise_as_the_csl_date(issued: Any, expected: str | None) -> None:
    pairs = dict(coins_pairs({"type": "report", "issued": issued}))

    assert pairs.get("rft.date") == expected


def test_a_doi_and_the_url_are_both_identifiers_and_other_schemes_are_dropped() -> None:
    both = coins_pairs({"type": "report", "URL": "https://x.example/r", "DOI": "10.1/abc"})
    ftp = coins_pairs({"type": "report", "URL": "ftp://x.example/r"})

    assert [v for k, v in both if k == "rft_id"] == ["https://x.example/r", "info:doi/10.1/abc"]
    assert [v for k, v in ftp if k == "rft_id"] == []


def test_an_item_with_nothing_but_its_type_gives_the_format_alone() -> None:
    assert context_object({"type": "report"}) == (
        "ctx_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Abook&rft.genre=report"
    )


def test_separators_and_plus_signs_in_values_survive_the_round_trip() -> None:
    # (Zotero itself reads any "+" as a space; other readers keep it.)
    title = "Aid & trade = 1+1? 100% “sure”"
    encoded = context_object({"type": "report", "title": title, "publisher": "A&B"})

    # Zotero splits on "&" and "=" before decoding, and reads "+" as a space.
    assert "+" not in encoded
    for part in encoded.split("&"):
        assert part.count("=") == 1
    assert parse_qs(encoded)["rft.btitle"] == [title]
    assert parse_qs(encoded)["rft.pub"] == ["A&B"]


def test_whitespace_in_values_is_collapsed_to_single_spaces() -> None:
    pairs = dict(coins_pairs({"type": "report", "title": "  Two\n  lines \t"}))

    assert pairs["rft.btitle"] == "Two lines"


# --- listing pages -----------------------------------------------------------------------


class _Spans(HTMLParser):
    """The decoded `title` of every `<span class="Z3988">`, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "span" and "Z3988" in (values.get("class") or "").split():
            self.titles.append(values.get("title") or "")


def coins_of(html: str) -> list[dict[str, list[str]]]:
    parser = _Spans()
    parser.feed(html)
    return [parse_qs(title, strict_parsing=True) for title in parser.titles]


def expected_coins(brief: BriefPage) -> dict[str, list[str]]:
    """What the span must say, read from the brief's own CSL-JSON (report or web page)."""
    csl = brief.to_csl()
    names = csl.get("author", [])
    date = "-".join(f"{n:02d}" for n in csl["issued"]["date-parts"][0])
    expected = {
        "ctx_ver": ["Z39.88-2004"],
        "rft.aulast": [names[0]["family"]],
        "rft.aufirst": [names[0]["given"]],
        "rft.au": [f"{n['family']}, {n['given']}" for n in names],
        "rft.date": [date],
        "rft_id": [csl["URL"]],
    }
    if csl["type"] == "report":
        expected |= {
            "rft_val_fmt": ["info:ofi/fmt:kev:mtx:book"],
            "rft.genre": ["report"],
            "rft.btitle": [csl["title"]],
            "rft.pub": [csl["publisher"]],
        }
    else:
        expected |= {
            "rft_val_fmt": ["info:ofi/fmt:kev:mtx:dc"],
            "rft.title": [csl["title"]],
            "rft.source": [csl["container-title"]],
        }
    for key, kev in (("abstract", "rft.description"), ("language", "rft.language")):
        if csl.get(key):
            expected[kev] = [" ".join(csl[key].split())]
    return expected


@dataclass
class Listed:
    tree: SiteTree
    bajoria: Any
    pakistan: Any
    briefs: list[BriefPage]  # newest first


@pytest.fixture(scope="module")
def listed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Listed]:
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        bajoria = make_author(tree, "Jayshree", "Bajoria")
        bruno = make_author(tree, "Greg", "Bruno")
        pakistan = make_topic(tree, "Pakistan")
        older = make_brief(
            tree,
            title="Pakistan floods & the aid test",
            slug="pakistan-floods-and-the-aid-test",
            authors=[bajoria],
            topics=[pakistan],
            date=dt.date(2010, 8, 20),
            summary="Floods put U.S. aid to a test.",
        )
        newer = make_brief(
            tree,
            title="How WikiLeaks Hurts U.S.-Pakistan Ties",
            authors=[bajoria, bruno],
            topics=[pakistan],
            date=dt.date(2010, 12, 6),
            summary="Pakistan reads the cables as proof of U.S. contempt.",
        )
        yield Listed(tree, bajoria, pakistan, [newer, older])


def listing_urls(listed: Listed) -> dict[str, str]:
    return {
        "home": listed.tree.home.url,
        "brief index": listed.tree.briefs.url,
        "topic guide": listed.pakistan.url,
        "author page": listed.bajoria.url,
        "search": reverse("search") + "?q=pakistan",
    }


@pytest.mark.parametrize("listing", ["home", "brief index", "topic guide", "author page", "search"])
def test_each_listed_brief_carries_one_coins_span_saying_what_its_csl_says(
    listed: Listed, client: Any, listing: str
) -> None:
    spans = coins_of(html_of(client, listing_urls(listed)[listing]))

    expected = [expected_coins(BriefPage.objects.get(pk=b.pk)) for b in listed.briefs]
    assert sorted(spans, key=str) == sorted(expected, key=str)


def test_search_results_that_are_not_briefs_carry_no_coins_span(
    listed: Listed, client: Any
) -> None:
    html = html_of(client, reverse("search") + "?q=jayshree")

    assert f'href="{listed.bajoria.url}"' in html  # her author page is a result
    results = re.findall(r'<li class="search-result search-result--(\w+)">(.*?)</li>', html, re.S)
    assert "expert" in {kind for kind, _ in results}
    assert all(('class="Z3988"' in body) == (kind == "brief") for kind, body in results)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        html_of(client, url)
    return sum(
        1
        for q in context.captured_queries
        if not q["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    )


def test_search_results_take_the_same_queries_however_many_briefs_they_list(
    listed: Listed, client: Any
) -> None:
    url = reverse("search") + "?q=pakistan"

    def add(day: int) -> None:  # no summary: its teaser is read from its body
        make_brief(
            listed.tree,
            title=f"Pakistan extra {day}",
            authors=[listed.bajoria],
            topics=[listed.pakistan],
            date=dt.date(2011, 1, day),
        )

    add(1)
    html_of(client, url)  # warm the site-root cache and the search index
    before = _queries(client, url)

    for day in (2, 3):
        add(day)

    assert len(coins_of(html_of(client, url))) == 5
    assert _queries(client, url) == before

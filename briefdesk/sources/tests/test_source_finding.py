"""Source search rules as plain data (finding.py): what a typed query is recognised as, and how
well a source answers it. The ORM query that runs the same rules: test_source_search.py."""

from __future__ import annotations

from typing import Any

import pytest

from briefdesk.sources.finding import (
    MAX_WORDS,
    Query,
    Rank,
    domain,
    is_pdf_url,
    parse_query,
    rank,
)

PARSING: list[tuple[str, Query]] = [
    ("", Query(text="")),
    ("   ", Query(text="")),
    ("Reuters", Query(text="Reuters", words=("reuters",))),
    ("  nuclear   Fuel ", Query(text="nuclear Fuel", words=("nuclear", "fuel"))),
    ("fuel FUEL", Query(text="fuel FUEL", words=("fuel",))),
    (
        "https://www.nytimes.com/2010/11/29/world/asia/29pakistan.html",
        Query(
            text="https://www.nytimes.com/2010/11/29/world/asia/29pakistan.html",
            url="nytimes.com/2010/11/29/world/asia/29pakistan.html",
        ),
    ),
    ("http://Dawn.com/news/1/", Query(text="http://Dawn.com/news/1/", url="dawn.com/news/1")),
    ("www.dawn.com/news/1#top", Query(text="www.dawn.com/news/1#top", url="dawn.com/news/1")),
    ("dawn.com/news/1", Query(text="dawn.com/news/1", url="dawn.com/news/1")),
    (
        "10.1080/0163660X.2010.516616",
        Query(text="10.1080/0163660X.2010.516616", doi="10.1080/0163660x.2010.516616"),
    ),
    ("doi:10.1000/XYZ", Query(text="doi:10.1000/XYZ", doi="10.1000/xyz")),
    (
        "https://doi.org/10.1000/xyz",
        Query(text="https://doi.org/10.1000/xyz", doi="10.1000/xyz", url="doi.org/10.1000/xyz"),
    ),
    ("dx.doi.org/10.1000/xyz", Query(text="dx.doi.org/10.1000/xyz", doi="10.1000/xyz")),
    # Not identifiers: a version number, a sentence with a dot, an abbreviation.
    ("10.5 percent", Query(text="10.5 percent", words=("10.5", "percent"))),
    ("U.S. aid", Query(text="U.S. aid", words=("u.s.", "aid"))),
    ("NYT", Query(text="NYT", words=("nyt",))),
]


@pytest.mark.parametrize(("text", "expected"), PARSING)
def test_it_recognises_urls_dois_and_words(text: str, expected: Query) -> None:
    assert parse_query(text) == expected


def test_only_the_first_words_of_a_long_query_count() -> None:
    query = parse_query(" ".join(f"w{n}" for n in range(50)))

    assert len(query.words) == MAX_WORDS


def test_a_pasted_address_without_a_scheme_is_stored_as_https() -> None:
    assert parse_query("dawn.com/news/1").pasted == "https://dawn.com/news/1"
    assert parse_query("http://dawn.com/news/1").pasted == "http://dawn.com/news/1"
    assert parse_query("10.1000/xyz").pasted == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.Dawn.com/news/1", "dawn.com"),
        ("http://reuters.com", "reuters.com"),
        ("reuters.com/world", "reuters.com"),
        ("https://example.org:8080/a", "example.org"),
        ("", ""),
    ],
)
def test_the_domain_ignores_scheme_www_case_and_port(url: str, expected: str) -> None:
    assert domain(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://imf.org/report.PDF", True),
        ("https://imf.org/report.pdf?download=1", True),
        ("https://imf.org/pdf/report", False),
        ("https://imf.org/report.pdf.html", False),
    ],
)
def test_a_pdf_is_told_by_the_paths_file_name(url: str, expected: bool) -> None:
    assert is_pdf_url(url) is expected


NYT_STORY: dict[str, Any] = {
    "title": "Cables reveal reactor fuel standoff",
    "url": "https://www.nytimes.com/2010/11/29/world/29cables.html",
    "outlet_name": "The New York Times",
    "outlet_label": "NYT",
    "authors": [{"family": "Sanger", "given": "David E."}],
    "number": "",
    "label": "",
    "doi": "",
}
ARTICLE: dict[str, Any] = {
    "title": "Pakistan's nuclear dilemma",
    "url": "https://www.tandfonline.com/doi/full/10.1080/0163660X.2010.516616",
    "outlet_name": "The Washington Quarterly",
    "outlet_label": "",
    "authors": [{"literal": "Council on Foreign Relations"}],
    "number": "",
    "label": "",
    "doi": "https://doi.org/10.1080/0163660X.2010.516616",
}
CABLE: dict[str, Any] = {
    "title": "Reactor fuel: ambassador's view",
    "url": "",
    "outlet_name": "WikiLeaks",
    "outlet_label": "",
    "authors": [],
    "number": "09ISLAMABAD1642",
    "label": "",
    "doi": "",
}

RANKING: list[tuple[str, dict[str, Any], Rank | None]] = [
    ("https://nytimes.com/2010/11/29/world/29cables.html/", NYT_STORY, Rank.IDENTIFIER),
    ("nytimes.com/2010/11/29/world/29cables.html", NYT_STORY, Rank.IDENTIFIER),
    ("https://www.nytimes.com/2010/11/29/world/other.html", NYT_STORY, None),
    ("10.1080/0163660x.2010.516616", ARTICLE, Rank.IDENTIFIER),
    ("https://doi.org/10.1080/0163660X.2010.516616", ARTICLE, Rank.IDENTIFIER),
    ("10.1080/0163660X.2010", ARTICLE, Rank.OTHER),  # another DOI, found inside the URL
    ("nyt", NYT_STORY, Rank.LABEL),
    ("New York Times", NYT_STORY, Rank.LABEL),
    ("the new york times", NYT_STORY, Rank.LABEL),
    ("09ISLAMABAD1642", CABLE, Rank.LABEL),
    ("Cables", NYT_STORY, Rank.TITLE),
    ("reactor fuel", NYT_STORY, Rank.TITLE),
    ("reactor fuel", CABLE, Rank.TITLE),
    ("Sanger", NYT_STORY, Rank.AUTHOR),
    ("council on foreign relations", ARTICLE, Rank.AUTHOR),
    ("Sang", NYT_STORY, Rank.OTHER),  # part of a name
    ("david", NYT_STORY, Rank.OTHER),
    ("Council", ARTICLE, Rank.OTHER),
    ("York", NYT_STORY, Rank.OTHER),
    ("eveal", NYT_STORY, Rank.OTHER),  # inside a word: found, ranked last
    ("sanger standoff", NYT_STORY, Rank.OTHER),  # each word in a different field
    ("sanger dawn", NYT_STORY, None),  # every word must match
    ("Reuters", NYT_STORY, None),
    ("", NYT_STORY, None),
]


@pytest.mark.parametrize(("text", "record", "expected"), RANKING)
def test_it_ranks_identifiers_then_labels_titles_authors_and_the_rest(
    text: str, record: dict[str, Any], expected: Rank | None
) -> None:
    assert rank(record, parse_query(text)) == expected

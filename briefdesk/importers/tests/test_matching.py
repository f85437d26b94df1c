"""When two references are the same work: normalised DOIs, URLs and titles."""

from __future__ import annotations

import pytest

from briefdesk.importers.matching import (
    identity,
    keys_conflict,
    normalise_doi,
    normalise_title,
    normalise_url,
    url_variants,
)

DOIS = [
    ("10.1353/asp.2011.0010", "10.1353/asp.2011.0010"),
    ("10.1353/ASP.2011.0010", "10.1353/asp.2011.0010"),
    ("https://doi.org/10.1353/asp.2011.0010", "10.1353/asp.2011.0010"),
    ("http://dx.doi.org/10.1353/asp.2011.0010", "10.1353/asp.2011.0010"),
    ("doi: 10.1353/asp.2011.0010 ", "10.1353/asp.2011.0010"),
    ("", ""),
    (None, ""),
]


@pytest.mark.parametrize(("doi", "key"), DOIS)
def test_dois_compare_without_case_or_resolver_prefix(doi: object, key: str) -> None:
    assert normalise_doi(doi) == key


URLS = [
    ("https://www.cfr.org/backgrounder/x", "cfr.org/backgrounder/x"),
    ("http://cfr.org/backgrounder/x/", "cfr.org/backgrounder/x"),
    ("HTTPS://WWW.CFR.ORG/backgrounder/x#top", "cfr.org/backgrounder/x"),
    ("https://cfr.org/Backgrounder/X", "cfr.org/Backgrounder/X"),
    ("https://example.org/a?id=1", "example.org/a?id=1"),
    ("https://example.org:8080/", "example.org:8080"),
    ("", ""),
]


@pytest.mark.parametrize(("url", "key"), URLS)
def test_urls_compare_without_scheme_www_slash_or_fragment(url: str, key: str) -> None:
    assert normalise_url(url) == key


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cfr.org/backgrounder/x/",
        "http://cfr.org/backgrounder/x",
        "https://cfr.org/a?id=1",
    ],
)
def test_every_lookup_variant_of_a_url_normalises_back_to_it(url: str) -> None:
    key = normalise_url(url)

    variants = url_variants(key)

    assert len(variants) == 8
    assert {normalise_url(v) for v in variants} == {key}
    assert url in variants


def test_titles_compare_without_case_or_spacing() -> None:
    assert normalise_title(" The  Militant\nChallenge ") == normalise_title(
        "the militant challenge"
    )


def test_an_undated_reference_is_not_matched_by_title_alone() -> None:
    ident = identity({"title": "Home"}, issued="")

    assert ident.evidence() == []


def test_evidence_is_listed_strongest_first() -> None:
    ident = identity(
        {"id": "k", "title": "T", "DOI": "10.1/X", "URL": "https://a.example/"}, issued="2010"
    )

    assert ident.evidence() == [
        ("DOI", "10.1/x"),
        ("URL", "a.example"),
        ("title and date", "t\n2010"),
    ]


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [("k1", "k2", True), ("k1", "k1", False), ("k1", "", False), ("", "", False)],
)
def test_only_two_different_citation_keys_keep_references_apart(
    a: str, b: str, conflict: bool
) -> None:
    assert keys_conflict(a, b) is conflict

"""APA's automatic sentence case learns proper nouns: from the work's own text (a word it
capitalises mid-sentence) and from the names on the site (authors, outlets, topics)."""

from __future__ import annotations

from typing import Any

import pytest

from briefdesk.citations.proper_nouns import read_once, site_proper_nouns
from briefdesk.citations.sentence_case import proper_nouns_in_text, suggest_sentence_case
from briefdesk.sources.models import Source
from tests.factories import (
    OutletFactory,
    SourceFactory,
    make_author,
    make_site_tree,
    make_topic,
)

# (text, the proper nouns it shows)
TEXTS = [
    ("The leak became known as Cablegate. Cablegate was large.", {"Cablegate"}),
    ("Officials met in Rawalpindi on Monday.", {"Rawalpindi", "Monday"}),
    # The first word of a sentence says nothing; nor does one also written in lower case.
    ("Overclassification grows. The Army said so; the army's budget grew.", set()),
    # A quoted title in headline case teaches nothing.
    ("He wrote “The Real Lesson of Secrecy” last year.", set()),
    ("I think so. U.S. Ambassador Anne Patterson wrote.", {"Anne", "Patterson"}),
    ("", set()),
]


@pytest.mark.parametrize(("text", "nouns"), TEXTS)
def test_it_learns_proper_nouns_from_words_capitalised_mid_sentence(
    text: str, nouns: set[str]
) -> None:
    assert proper_nouns_in_text(text) == nouns


# (title, names, expected)
TITLES = [
    (
        "The Real Lesson of Cablegate Is Overclassification",
        proper_nouns_in_text("What the press calls Cablegate exposed paperwork."),
        "The real lesson of Cablegate is overclassification",
    ),
    (
        "The Real Lesson of Cablegate Is Overclassification",
        [],
        "The real lesson of cablegate is overclassification",
    ),
    # A name of several words keeps its words only where the whole name appears.
    (
        "Why Foreign Policy Matters: A Policy of Delay",
        ["Foreign Policy"],
        "Why Foreign Policy matters: A policy of delay",
    ),
    (
        "New York Times Reports on the Times",
        ["The New York Times"],
        "New York Times reports on the times",
    ),
    ("Khan Says the Talks Failed", ["Khan"], "Khan says the talks failed"),
]


@pytest.mark.parametrize(("title", "names", "expected"), TITLES)
def test_learned_names_keep_their_capitals_in_apa_titles(
    title: str, names: list[str], expected: str
) -> None:
    assert suggest_sentence_case(title, names) == expected


@pytest.mark.django_db
def test_the_site_names_its_authors_outlets_and_topics() -> None:
    tree = make_site_tree()
    make_author(tree, "Ahmed", "Rashid")
    make_topic(tree, "Cablegate")
    OutletFactory(name="Dawn", short_label="")
    OutletFactory(name="The New York Times", short_label="NYT")

    nouns = site_proper_nouns()

    assert {"Ahmed Rashid", "Rashid", "Cablegate", "Dawn", "The New York Times", "NYT"} <= set(
        nouns
    )
    assert "" not in nouns


@pytest.mark.django_db
def test_a_source_title_keeps_an_outlet_named_on_the_site_in_apa() -> None:
    OutletFactory(name="Cablegate Watch")
    source = SourceFactory(title="What Cablegate Watch Found in the Cables")

    apa = Source.objects.get(pk=source.pk).formatted["apa"]["bibliography"]

    assert "What Cablegate Watch found in the cables" in apa


@pytest.mark.django_db
def test_a_batch_reads_the_sites_names_once_not_once_per_record(
    django_assert_num_queries: Any,
) -> None:
    OutletFactory(name="Dawn")
    with django_assert_num_queries(3), read_once():
        first = site_proper_nouns()
        again = site_proper_nouns()

    assert "Dawn" in first and first == again
    OutletFactory(name="Al Jazeera")  # outside a batch, a new name counts at once
    assert "Al Jazeera" in site_proper_nouns()

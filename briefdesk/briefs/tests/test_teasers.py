"""Teasers and meta descriptions (briefdesk.briefs.teasers): a complete text is shown whole;
only a text cut at the limit ends at a sentence or, failing that, a word, with "…"."""

from __future__ import annotations

from typing import Any

import pytest

from briefdesk.briefs.teasers import DESCRIPTION_LIMIT, make_teaser, prose_text, shorten
from tests.factories import OutletFactory, SourceFactory, cite, make_brief

SENTENCES = (
    "The cables held few surprises about Pakistan. They confirmed what the press had "
    "reported for years. Officials in Islamabad still reacted with anger."
)

TEASERS = [
    # (summary, body, limit, expected)
    ("A short summary", "Body text.", 150, "A short summary"),
    ("A summary ending in a stop.", "Body text.", 150, "A summary ending in a stop."),
    ("Is it complete?", "", 150, "Is it complete?"),
    ("Ends with a comma,", "", 150, "Ends with a comma,"),
    ("", "Only the body.", 150, "Only the body."),
    ("   \n  ", "Blank summary, so the body.", 150, "Blank summary, so the body."),
    ("  Spaced \n  out   summary ", "", 150, "Spaced out summary"),
    ("", "", 150, ""),
    ("Exactly ten", "", 11, "Exactly ten"),
    # Cut at a word: the words that fit, then a real ellipsis.
    ("", "one two three four", 9, "one two…"),
    ("", "one two three four", 8, "one two…"),
    ("", "one two three four", 7, "one two…"),
    ("", "one two, three", 8, "one two…"),
    ("", "one two — three four", 10, "one two…"),
    ("", "one two. three four", 10, "one two…"),
    ("", "abcdefghijklmnop", 5, "abcde…"),
    # Cut at a sentence when one ends near the limit: whole sentences, nothing added.
    (
        "",
        SENTENCES,
        100,
        "The cables held few surprises about Pakistan. They confirmed what the "
        "press had reported for years.",
    ),
    (
        SENTENCES,
        "Body that must not show.",
        100,
        "The cables held few surprises about "
        "Pakistan. They confirmed what the press had reported for years.",
    ),
    # A sentence end far before the limit would drop too much: cut at a word instead.
    (
        "",
        "Short one. Then a long sentence that runs on and on past the limit",
        50,
        "Short one. Then a long sentence that runs on and…",
    ),
    # Initials and abbreviations do not end sentences.
    (
        "",
        "Talks with U.S. officials resumed in the capital after a pause",
        40,
        "Talks with U.S. officials resumed in the…",
    ),
    (
        "",
        "He met Gen. Kayani and later Dr. Khan in the capital city today",
        45,
        "He met Gen. Kayani and later Dr. Khan in the…",
    ),
    (
        "",
        "The talks ended. “A new round” follows in March, officials say.",
        40,
        "The talks ended. “A new round” follows…",
    ),
]


@pytest.mark.parametrize(("summary", "body", "limit", "expected"), TEASERS)
def test_a_teaser_is_the_complete_text_or_ends_at_a_sentence_or_a_word(
    summary: str, body: str, limit: int, expected: str
) -> None:
    assert make_teaser(summary, body, limit=limit) == expected


def test_a_complete_summary_of_two_sentences_is_shown_whole_in_listings() -> None:
    summary = (
        "The leaked State Department cables tell Pakistanis little they did not already "
        "suspect. What they change is the cost, at home, of being seen to work with "
        "Washington — and that cost falls on the civilian government."
    )

    assert make_teaser(summary, "Body.") == summary


@pytest.mark.parametrize("limit", [20, 60, 100, DESCRIPTION_LIMIT])
def test_a_cut_text_never_passes_the_limit_and_never_ends_in_three_dots(limit: int) -> None:
    text = (
        "The first batch of U.S. diplomatic cables released by WikiLeaks, in late "
        "November, held few outright surprises. "
    ) * 4

    teaser = shorten(text, limit)

    assert len(teaser.removesuffix("…")) <= limit
    assert not teaser.endswith("...")
    assert text.startswith(teaser.removesuffix("…"))


PROSE = [
    ('<p>Relief has slowed <a linktype="source" id="3">Reuters</a>.</p>', "Relief has slowed."),
    (
        '<p>Aid <a id="1" linktype="source">NYT</a>, then more <a linktype="source" id="2">'
        "Dawn</a>; and <b>so</b> on</p>",
        "Aid, then more; and so on",
    ),
    ('<p>A <a linktype="page" id="4">page link</a> stays.</p>', "A page link stays."),
    ("<p>No citations &amp; no links</p>", "No citations & no links"),
]


@pytest.mark.parametrize(("db_html", "expected"), PROSE)
def test_prose_text_drops_source_citations_but_keeps_every_other_word(
    db_html: str, expected: str
) -> None:
    assert prose_text(db_html) == expected


@pytest.mark.django_db
def test_a_brief_teaser_from_its_body_does_not_read_out_its_citation_labels(
    site_tree: Any,
) -> None:
    source = SourceFactory(outlet=OutletFactory(name="Reuters", short_label="Reuters"))
    brief = make_brief(
        site_tree, body=[("paragraph", f"<p>Relief has slowed {cite(source)}. Donors wait.</p>")]
    )

    assert brief.teaser == "Relief has slowed. Donors wait."
    assert "Reuters" not in brief.meta_description

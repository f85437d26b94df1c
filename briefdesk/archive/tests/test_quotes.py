"""Quote checks (archive/quotes.py): a citation's quoted passage against the source's
snapshot text — found, close (with the source's wording), not found, no snapshot."""

from __future__ import annotations

import random
import time

import pytest

from briefdesk.archive.quotes import CLOSE_THRESHOLD, check_quote, check_quotes, normalise

SOURCE = (
    "ISLAMABAD — Pakistan’s finance minister said on Tuesday that the “port deal” with\n"
    "China would be signed within weeks… Officials in  Washington declined to comment.\n"
    "The IMF’s staff had warned against new guarantees in its last review – a warning the\n"
    "government has not answered. « Nous verrons », said one diplomat. Straße, ﬁnance, Café."
)

NORMALISED = [
    ("  “Don’t”  —\n STOP…", "'don't' - stop..."),
    ("«Nous»  ‹vous›", "'nous' 'vous'"),
    ("a–b—c‒d−e‐f", "a-b-c-d-e-f"),
    ("Tab\tand\u00a0no-break  space", "tab and no-break space"),
    ("ﬁnance Straße", "finance strasse"),
    ("Cafe\u0301", "café"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), NORMALISED)
def test_normalising_makes_quotes_dashes_ellipses_whitespace_and_case_plain(
    text: str, expected: str
) -> None:
    assert normalise(text) == expected


# (quote, status, source wording or None when not asserted)
CASES = [
    # exact, typography aside
    (
        'the "port deal" with China would be signed within weeks',
        "found",
        "the “port deal” with\nChina would be signed within weeks",
    ),
    ("THE IMF'S STAFF HAD WARNED", "found", "The IMF’s staff had warned"),
    ("“in its last review - a warning”", "found", "in its last review – a warning"),
    ("«nous verrons»", "found", "Nous verrons"),
    ("finance, café", "found", "ﬁnance, Café"),
    ("strasse", "found", "Straße"),
    # elided quotes: every part, in order
    ("Pakistan's finance minister [...] would be signed within weeks", "found", None),
    ("Pakistan's finance minister … would be signed within weeks", "found", None),
    ("would be signed within weeks ... Pakistan's finance minister", "not_found", None),
    # close: a slip of the pen, shown with the source's words
    (
        "The IMF staff had warned against any new guarantees in its last review",
        "close",
        "The IMF’s staff had warned against new guarantees in its last review",
    ),
    (
        "Officials in Washington declined to comments.",
        "close",
        "Officials in Washington declined to comment.",
    ),
    # not found: another claim, or a paraphrase
    ("Officials in Washington refused to comment on it", "not_found", None),  # 83
    ("Officials in Beijing welcomed the agreement warmly", "not_found", None),
    ("The fund praised the government's new guarantees", "not_found", None),
    ("staff warned", "not_found", None),  # short: exact only
    ("", "not_found", None),
    ("  “ ” ", "not_found", None),
]


@pytest.mark.parametrize(("quote", "status", "wording"), CASES)
def test_a_quote_is_found_close_or_not_found_in_the_snapshot_text(
    quote: str, status: str, wording: str | None
) -> None:
    check = check_quote(quote, SOURCE)
    assert check.status == status, check
    if wording is not None:
        assert check.source_wording == wording
    if status == "close":
        assert CLOSE_THRESHOLD <= check.score < 100
    if status == "found":
        assert check.score == 100


@pytest.mark.parametrize("text", [None, "", "  \n "])
def test_a_source_without_snapshot_text_reads_no_snapshot(text: str | None) -> None:
    assert check_quote("anything at all in the quote", text).status == "no_snapshot"


def test_a_close_match_shows_whole_words_of_the_original_not_a_cut_window() -> None:
    check = check_quote("minister said on Tuesday that the port deal with China would be", SOURCE)
    assert check.status in ("found", "close")
    assert check.source_wording.startswith("minister")
    check = check_quote("inister sayd on Tuesday that the port deal with China woul", SOURCE)
    assert check.status == "close"
    assert check.source_wording.startswith("minister said")
    assert check.source_wording.endswith("would")


def test_several_quotes_of_one_source_are_checked_together() -> None:
    checks = check_quotes(["staff had warned", "nothing like this at all here"], SOURCE)
    assert [c.status for c in checks] == ["found", "not_found"]
    assert [c.status for c in check_quotes(["a", "b"], None)] == ["no_snapshot"] * 2


def test_a_quote_is_checked_in_a_twenty_thousand_word_text_quickly() -> None:
    rng = random.Random(13)
    words = "the of and a to in port trade deal talks minister officials said that".split()
    filler = [rng.choice(words) for _ in range(20_000)]
    sentence = "The central bank governor told reporters the reserves would last until March"
    text = " ".join(filler[:12_000]) + f" {sentence}. " + " ".join(filler[12_000:])
    quotes = [
        sentence,
        sentence.replace("told reporters", "told journalists"),
        "An unrelated sentence about the weather in Paris and the rain there",
    ]
    started = time.perf_counter()
    checks = check_quotes(quotes, text)
    elapsed = time.perf_counter() - started
    assert [c.status for c in checks] == ["found", "close", "not_found"]
    assert checks[1].source_wording.startswith("The central bank governor told reporters")
    assert elapsed < 2.0  # ~0.1 s on a quiet machine; generous for a loaded CI box

"""Quote checks: is the passage a citation quotes in the source's archived text? No ORM here.

An author can attach the passage a citation supports (`data-quote` on the citation entity).
Before publishing, each is looked for in the main text of the source's latest snapshot:

- both texts are normalised first (`normalise`): NFKC, casefolded, every kind of quote mark
  and guillemet, single or double, to `'`, every dash to `-`, `…` to `...`, whitespace runs
  to one space — so typography never decides a match;
- the quote found whole (or, if it elides with `...`, each part found in order) is *found*;
- else the best-aligned window of the text (rapidfuzz `partial_ratio_alignment`, a
  normalised Indel similarity of the quote against its best window) scoring at least
  `CLOSE_THRESHOLD` is a *close* match, shown with the source's own wording of that window;
- anything less is *not found*; a source with no snapshot text is *no snapshot*.

Why 90: the score is 100 × (1 − edits / combined length). One word changed in a sentence of
about twenty words (a tense, "said" for "stated", a dropped article) scores 93–98; two or
three changed words score in the high 80s, and a paraphrase, or a sentence on the same
subject that says something else, 50–75. At 90 a slip of the pen shows as "close" with the
source's wording next to it, and a rewrite shows as "not found". Quotes shorter than
`MIN_FUZZY_CHARS` are checked exactly only: a few words match something close in any long
text.

The source wording is cut from the ORIGINAL text: normalising keeps, for every character it
writes, the span of the original it came from (`Normalised.starts`, `.ends`), and the window
is fitted to whole words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

QuoteStatus = Literal["found", "close", "not_found", "no_snapshot"]

CLOSE_THRESHOLD = 90.0
MIN_FUZZY_CHARS = 20
# How many words the matched window may gain or lose at its ends to fit the quote.
_MAX_WORD_STEPS = 8

# Single and double quotes are one: sources nest quotes British or American style.
_QUOTES = "'‘’‚‛′‹›`´ʼ＇\"“”„‟″«»〝〞＂"
_DASHES = "-‐‑‒–—―−⁃﹘﹣－"
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys(_QUOTES, "'"),
        **dict.fromkeys(_DASHES, "-"),
        "…": "...",
    }
)
# Elision in a quote: "...", "[...]", "(...)", or the same with a single ellipsis character.
_ELISION = re.compile(r"\s*[\[(]?\s*\.\.\.\s*[\])]?\s*")
# What may surround a quote without being part of it: quote marks, spaces, end punctuation.
_QUOTE_EDGES = "'\" .,;:"


@dataclass(frozen=True)
class QuoteCheck:
    """The outcome of checking one quote: its status, the similarity (0–100) of the best
    match, and the source's own wording of that match ("" when there is none)."""

    status: QuoteStatus
    score: float = 0.0
    source_wording: str = ""


@dataclass(frozen=True)
class Normalised:
    """A normalised text with, for each of its characters, the span [starts[i], ends[i]) of
    the original text it came from."""

    text: str
    starts: list[int]
    ends: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span behind normalised characters [start, end)."""
        return self.starts[start], self.ends[end - 1]


# Per character: what it normalises to, and whether it is a combining mark.
_CHARACTERS: dict[str, tuple[str, bool]] = {}
_WORD = re.compile(r"\S+")


def _character(character: str) -> tuple[str, bool]:
    known = _CHARACTERS.get(character)
    if known is None:
        piece = unicodedata.normalize("NFKC", character).translate(_TRANSLATE).casefold()
        known = (piece, unicodedata.combining(character) != 0)
        if len(_CHARACTERS) < 50_000:
            _CHARACTERS[character] = known
    return known


def _normalise_word(word: str, offset: int) -> tuple[str, list[int], list[int]]:
    """A word holding characters that do not normalise one-to-one (`…`, `ﬁ`, `ß`, combining
    marks), character by character: a base character and the combining marks after it are
    normalised together, as NFKC composes them."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    while index < len(word):
        end = index + 1
        while end < len(word) and _character(word[end])[1]:
            end += 1
        piece = unicodedata.normalize("NFKC", word[index:end]).translate(_TRANSLATE).casefold()
        for character in piece:
            if character.isspace():
                if not out or out[-1] == " ":
                    continue
                character = " "
            out.append(character)
            starts.append(offset + index)
            ends.append(offset + end)
        index = end
    while out and out[-1] == " ":
        out.pop(), starts.pop(), ends.pop()
    return "".join(out), starts, ends


def normalise_with_spans(text: str) -> Normalised:
    """`normalise(text)` with the original span of every character it writes.

    Word by word: a word whose characters each normalise to one character (nearly all) is
    translated at once; only the rest go character by character. A 20,000-word text takes
    a few tens of milliseconds."""
    table: dict[int, str] = {}
    slow: set[str] = set()
    for character in set(text):
        piece, combining = _character(character)
        if combining or len(piece) != 1 or piece.isspace():
            slow.add(character)
        elif piece != character:
            table[ord(character)] = piece
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    previous_end = -1
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group()
        word_starts: Sequence[int]
        word_ends: Sequence[int]
        if slow.isdisjoint(word):
            normalised, word_starts, word_ends = (
                word.translate(table),
                range(start, end),
                range(start + 1, end + 1),
            )
        else:
            normalised, word_starts, word_ends = _normalise_word(word, start)
            if not normalised:
                continue
        if previous_end >= 0:
            parts.append(" ")
            starts.append(previous_end)
            ends.append(start)
        parts.append(normalised)
        starts.extend(word_starts)
        ends.extend(word_ends)
        previous_end = end
    return Normalised("".join(parts), starts, ends)


def normalise(text: str) -> str:
    """Text as quotes are compared: NFKC, casefolded, every quote mark and guillemet as
    `'`, every dash as `-`, `…` as `...`, whitespace collapsed and stripped.

    >>> normalise("  “Don’t”  —\\n STOP…")
    "'don't' - stop..."
    """
    return normalise_with_spans(text).text


def _quote_parts(quote: str) -> list[str]:
    """The normalised quote's parts between elisions, each without surrounding quote marks
    or end punctuation."""
    parts = (part.strip(_QUOTE_EDGES) for part in _ELISION.split(normalise(quote)))
    return [part for part in parts if part]


def _found_in_order(parts: list[str], text: str) -> tuple[int, int] | None:
    """The normalised span from the first part's start to the last part's end, when every
    part occurs in `text` in order; None otherwise."""
    position, start = 0, -1
    for part in parts:
        at = text.find(part, position)
        if at < 0:
            return None
        start = at if start < 0 else start
        position = at + len(part)
    return start, position


def _fit_to_words(needle: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The aligned window [start, end) of normalised `text` as whole words, then grown or
    shrunk a word at a time at either end while that brings it closer to `needle`: the
    alignment can cut a word or take in a stray one next to the passage."""
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1

    def moves(start: int, end: int) -> list[tuple[int, int]]:
        after_first = text.find(" ", start, end)
        before_last = text.rfind(" ", start, end)
        previous = text.rfind(" ", 0, max(0, start - 1)) + 1
        following = text.find(" ", end + 1)
        candidates = [
            (after_first + 1, end) if after_first > 0 else None,
            (start, before_last) if before_last > start else None,
            (previous, end) if start > 0 else None,
            (start, len(text) if following < 0 else following) if end < len(text) else None,
        ]
        return [c for c in candidates if c is not None and c[0] < c[1]]

    score = fuzz.ratio(needle, text[start:end])
    for _ in range(_MAX_WORD_STEPS):
        scored = [(fuzz.ratio(needle, text[a:b]), (a, b)) for a, b in moves(start, end)]
        if not scored:
            break
        best_score, (best_start, best_end) = max(scored)
        if best_score <= score:
            break
        score, start, end = best_score, best_start, best_end
    return start, end


def check_quote(quote: str, text: str | None) -> QuoteCheck:
    """Check `quote` against a source's snapshot `text` (None or blank: no snapshot)."""
    return check_quotes([quote], text)[0]


def check_quotes(quotes: Sequence[str], text: str | None) -> list[QuoteCheck]:
    """Check several quotes of one source against its snapshot `text`, normalising the text
    once."""
    if text is None or not text.strip():
        return [QuoteCheck("no_snapshot") for _ in quotes]
    source = normalise_with_spans(text)
    return [_check(quote, text, source) for quote in quotes]


def _check(quote: str, text: str, source: Normalised) -> QuoteCheck:
    parts = _quote_parts(quote)
    if not parts or not source.text:
        return QuoteCheck("not_found")
    if (span := _found_in_order(parts, source.text)) is not None:
        start, end = source.original_span(*span)
        return QuoteCheck("found", 100.0, text[start:end])
    needle = " ".join(parts)
    if len(needle) < MIN_FUZZY_CHARS:
        return QuoteCheck("not_found")
    score, best = _best_window(needle, source.text)
    if score < CLOSE_THRESHOLD or best is None:
        return QuoteCheck("not_found", round(score, 1))
    start, end = source.original_span(*_fit_to_words(needle, source.text, *best))
    return QuoteCheck("close", round(score, 1), " ".join(text[start:end].split()))


# How many of the best prefiltered windows get the exact (slower) alignment.
_CANDIDATES = 4


def _best_window(needle: str, text: str) -> tuple[float, tuple[int, int] | None]:
    """The best partial-ratio score of `needle` against `text` and the span it aligns with.

    `partial_ratio_alignment` over a whole 20,000-word text takes about a third of a second
    for a sentence-long quote. So the text is first cut into overlapping windows half again
    as long as the quote (every span as long as the quote lies whole in one of them), ranked
    by plain `ratio` in one C call, and only the best few are aligned exactly: ~10 ms.
    """
    size = len(needle)
    width, step = size + size // 2, max(1, size // 2)
    if len(text) <= 4 * width:
        regions = [0]
    else:
        starts = range(0, len(text) - size // 2, step)
        windows = [text[start : start + width] for start in starts]
        ranked = process.extract(needle, windows, scorer=fuzz.ratio, limit=_CANDIDATES)
        regions = [starts[index] for _choice, _score, index in ranked]
    best: tuple[float, tuple[int, int] | None] = (0.0, None)
    for region_start in regions:
        low = max(0, region_start - step)
        high = len(text) if len(regions) == 1 else region_start + width + step
        alignment = fuzz.partial_ratio_alignment(needle, text[low:high])
        if alignment is None or alignment.dest_end <= alignment.dest_start:
            continue
        if alignment.score > best[0]:
            best = (alignment.score, (low + alignment.dest_start, low + alignment.dest_end))
    return best

"""Teasers for brief listings and the brief's meta description. No ORM here.

    make_teaser(summary, body_text)                        # listings, link previews
    make_teaser(summary, body_text, DESCRIPTION_LIMIT)     # <meta name="description">

A text that fits is shown whole, as written: an editor's complete summary never gains an
ellipsis. Only a text longer than the limit is cut (`shorten`).
"""

from __future__ import annotations

import html
import re

# Listings show the summary an editor wrote for them (one or two sentences) whole.
TEASER_LIMIT = 240
# Search engines show about this much of a meta description.
DESCRIPTION_LIMIT = 160
ELLIPSIS = "…"

_TAG = re.compile(r"<[^>]+>")
# A sentence ends at . ! or ? (with any closing quotes or brackets) before a space and a
# capital, digit or opening quote: "…in Lahore. The" but not "…of U.S. officials".
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
# Tokens ending in a period that rarely end a sentence: initials and abbreviations.
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Sen|Rep|Gov|Prof|St|No|vs|etc|e\.g|i\.e)\.)$"
)
_TRAILING_PUNCTUATION = " ,;:—–-([{\"'“‘"
# A sentence end counts as "near" when it keeps at least this share of the limit.
_NEAR = 0.6


def plain_text(db_html: str) -> str:
    """Rich text to one line of plain text (tags dropped, entities decoded)."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", db_html))).strip()


_CITATION = re.compile(r"<a\b[^>]*\blinktype=\"source\"[^>]*>.*?</a>", re.S | re.I)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


def prose_text(db_html: str) -> str:
    """The words of rich text without its source citations: a teaser or a link preview reads
    "Relief has slowed." where the page reads "Relief has slowed (Reuters)."."""
    text = plain_text(_CITATION.sub("", db_html))
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def make_teaser(summary: str, body_text: str, limit: int = TEASER_LIMIT) -> str:
    """The summary (whitespace collapsed), or else the body's text, shortened to `limit`
    characters by `shorten`. A text that fits is returned whole, with no ellipsis. Empty
    when there is neither."""
    text = _one_line(summary) or _one_line(body_text)
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters; else its longest run of whole sentences
    within the limit, when that keeps most of it (at least 60%); else its words up to the
    limit followed by "…" (the result is then at most `limit` + 1 characters). A single word
    longer than the limit is cut inside the word."""
    text = _one_line(text)
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    sentence_ends = [
        m.end()
        for m in _SENTENCE_END.finditer(text, 0, limit + 1)
        if m.end() <= limit and not _ABBREVIATION.search(text[: m.start() + 1])
    ]
    if sentence_ends and sentence_ends[-1] >= limit * _NEAR:
        return text[: sentence_ends[-1]]
    cut = head[: head.rfind(" ")] if " " in head else text[:limit]
    cut = cut.rstrip(_TRAILING_PUNCTUATION) or text[:limit]
    return f"{cut.rstrip('.')}{ELLIPSIS}"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()

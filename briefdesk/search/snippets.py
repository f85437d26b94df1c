"""Highlighted snippets: a passage of plain text around the query's words, HTML-escaped
first, then each word marked.

    highlight("Pakistan's <b>floods</b>", ["floods"])
    # -> "Pakistan&#x27;s &lt;b&gt;<mark>floods</mark>&lt;/b&gt;"

Our own small function rather than Wagtail's: Wagtail's database backends return records,
not highlighted fragments. Escaping comes first and the marks are the only markup added, so
whatever a title or summary holds is shown as text. Words are matched case-insensitively at
the start of a word ("cable" marks "cables", as the index finds it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_LIMIT = 240
_ELLIPSIS = "…"


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")", re.I)


_ENTITY = re.compile(r"&#?\w+;")


def highlight(text: str, words: Sequence[str]) -> SafeString:
    """`text` escaped, with every query word marked <mark>…</mark> (never inside an entity
    the escaping made: "amp" does not mark "&amp;")."""
    escaped = escape(text)
    pattern = _pattern([escape(w) for w in words])
    if pattern is None:
        return mark_safe(escaped)
    pieces = []
    last = 0
    for entity in [*_ENTITY.finditer(escaped), None]:
        end = entity.start() if entity else len(escaped)
        pieces.append(pattern.sub(r"<mark>\1</mark>", escaped[last:end]))
        if entity:
            pieces.append(entity.group())
            last = entity.end()
    return mark_safe("".join(pieces))


def passage(text: str, words: Sequence[str], limit: int = SNIPPET_LIMIT) -> str:
    """About `limit` characters of `text` around the first query word (from a word start,
    with an ellipsis where it is cut); the opening when no word occurs; "" for no text."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    pattern = _pattern(words)
    found = pattern.search(text) if pattern else None
    start = 0
    if found and found.start() > limit // 3:
        start = text.rfind(" ", 0, found.start() - limit // 3) + 1
    end = start + limit
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    return (
        (_ELLIPSIS if start else "")
        + text[start:end].rstrip(" ,;:")
        + (_ELLIPSIS if end < len(text) else "")
    )


def snippet(text: str, words: Sequence[str], limit: int = SNIPPET_LIMIT) -> SafeString:
    """The passage of `text` around the query's words, escaped and highlighted."""
    return highlight(passage(text, words, limit), words)

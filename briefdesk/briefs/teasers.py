"""Teasers for brief listings. No ORM here."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def plain_text(db_html: str) -> str:
    """Rich text to one line of plain text (tags dropped, entities decoded)."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", db_html))).strip()


def make_teaser(summary: str, body_text: str, limit: int = 150) -> str:
    """The summary, or the body's first ~`limit` characters cut at a word; always ends in
    "..." as listings show it. Empty when there is neither."""
    text = re.sub(r"\s+", " ", summary or "").strip() or re.sub(r"\s+", " ", body_text).strip()
    if not text:
        return ""
    if len(text) > limit:
        cut = text[: limit + 1]
        text = cut[: cut.rfind(" ")] if " " in cut else text[:limit]
    text = text.rstrip(" .,;:!?—–-")
    return f"{text}..."

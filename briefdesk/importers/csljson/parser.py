"""CSL-JSON text -> entries. No ORM here.

Accepts a list of items (the usual export), a single item, or {"items": [...]}. Items are
kept as they are, unknown variables included, after the shared checks
(`briefdesk.importers.checks`). A JSON syntax error fails the whole input with its line and
column; a bad item fails only itself, named by its id or position.
"""

from __future__ import annotations

import json
from typing import Any

from ..checks import check_item
from ..entries import Entry, ImportFailed


def parse(text: str) -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"CSL-JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    lines: list[int | None]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        items: list[Any] = data["items"]
        lines = [None] * len(items)
    elif isinstance(data, dict):
        items = [data]
        lines = [_line_at(text, text.index("{"))]
    elif isinstance(data, list):
        items = data
        lines = list(_item_lines(text))
    else:
        raise ImportFailed("CSL-JSON must be a list of items or a single item object")

    entries = []
    seen: dict[str, Entry] = {}
    for number, (raw, line) in enumerate(zip(items, lines, strict=True), start=1):
        item, errors = check_item(raw)
        key = item["id"] if item and isinstance(item.get("id"), str) and item["id"] else ""
        key = key or f"entry {number}"
        if key in seen:
            errors.append(f"the id is used twice (also by {seen[key].label})")
        entry = Entry(key=key, line=line, item=item, error="; ".join(errors) or None)
        seen.setdefault(key, entry)
        entries.append(entry)
    return entries


def _line_at(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _item_lines(text: str) -> list[int]:
    """The line each element of a (valid) top-level JSON array starts on."""
    decoder = json.JSONDecoder()
    index = text.index("[") + 1
    lines = []
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text) or text[index] == "]":
            return lines
        lines.append(_line_at(text, index))
        _, index = decoder.raw_decode(text, index)

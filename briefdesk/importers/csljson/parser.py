"""CSL-JSON text -> entries. No ORM here.

Accepts a list of items (the usual export), a single item, or {"items": [...]}. Items are
kept as they are, unknown variables included, after the shared checks
(`briefdesk.importers.checks`, which applies the CSL-JSON schema of
`briefdesk.sources.csl_schema`). The JSON is read by `csl_schema.load_json`: a syntax error,
nesting deeper than MAX_DEPTH, NaN, an integer beyond 2**53 or a control character fails the
whole input with one line; a bad item fails only itself, named by its id or position.
"""

from __future__ import annotations

import json
from typing import Any

from briefdesk.sources.csl_schema import CslError, load_json

from ..checks import check_item
from ..entries import Entry, ImportFailed

# A list of items is 1 deep and an item's deepest variable (a date's parts) 4 more; the
# schema refuses deeper values anyway, so anything past this is not CSL-JSON.
MAX_DEPTH = 16


def parse(text: str, *, max_entries: int | None = None) -> list[Entry]:
    """Every item of the CSL-JSON `text` as an Entry. Raises ImportFailed for JSON that
    cannot be read, or holds more than `max_entries` items (counted before any is checked)."""
    try:
        data = load_json(
            text, max_bytes=len(text.encode("utf-8", "surrogatepass")), max_depth=MAX_DEPTH
        )
    except CslError as exc:
        raise ImportFailed(f"CSL-JSON: {str(exc).removeprefix('Not valid JSON: ')}") from None
    lines: list[int | None]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        items: list[Any] = data["items"]
        lines = [None] * len(items)
    elif isinstance(data, dict):
        items = [data]
        lines = [_line_at(text, text.index("{"))]
    elif isinstance(data, list):
        items = data
        lines = []
    else:
        raise ImportFailed("CSL-JSON must be a list of items or a single item object")
    if max_entries is not None and len(items) > max_entries:
        raise ImportFailed(
            f"The input has {len(items):,} references; the limit is {max_entries:,} per "
            "import. Export fewer references at a time, or split the file."
        )
    if isinstance(data, list):
        lines = list(_item_lines(text))

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
    """The line each element of a (valid, already loaded) top-level JSON array starts on.
    Lines are counted from the previous element on, so this is linear in the text."""
    decoder = json.JSONDecoder()
    index = text.index("[") + 1
    line, counted_to = _line_at(text, index), index
    lines: list[int] = []
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text) or text[index] == "]":
            return lines
        line += text.count("\n", counted_to, index)
        counted_to = index
        lines.append(line)
        # The text was loaded with load_json's limits (depth, numbers), so this cannot fail.
        _, index = decoder.raw_decode(text, index)

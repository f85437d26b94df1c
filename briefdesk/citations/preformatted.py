"""A record's own citation in every style, which a batch may have formatted ahead.

    record.citations = format_in_every_style(item, apa_item)  # what a save stores
    with formatted_ahead(ahead.lookup):                      # a bulk import, for its saves
        ...

A save formats its record's citation with four engine calls of one item each. A bulk job
(the brief import) knows the items its saves will format before it saves them, and formats
them in batches elsewhere (importers.format_ahead). Within `formatted_ahead(lookup)`, in the
same thread or task, `format_in_every_style` asks `lookup` first: it must answer, for exactly
these items, what formatting them here would give (each item is rendered on its own, so a
batch gives the same), or None, and then they are formatted here as usual. A lookup keyed on
the whole items cannot answer for items that differ in anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .engine import format_items
from .styles import STYLES

Lookup = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any] | None]

_lookup: ContextVar[Lookup | None] = ContextVar("formatted_ahead", default=None)


@contextmanager
def formatted_ahead(lookup: Lookup) -> Iterator[None]:
    """Within the block, `format_in_every_style` takes what `lookup` answers."""
    token = _lookup.set(lookup)
    try:
        yield
    finally:
        _lookup.reset(token)


def format_in_every_style(
    item: Mapping[str, Any], apa_item: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Each style's citation of the item (APA: of `apa_item`) as a stored dict
    (Formatted.as_dict), by style key."""
    lookup = _lookup.get()
    if lookup is not None:
        found = lookup(item, apa_item)
        if found is not None:
            return found
    return {
        key: format_items([apa_item if key == "apa" else item], key)[0].as_dict() for key in STYLES
    }

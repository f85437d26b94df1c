"""Curly quotes, apostrophes, dashes and ellipses in what authors type, converted once on save.

    smarten_text('The "Af-Pak" policy -- or isn't it...')   # plain text
    smarten_html('<p>"Aid" <a linktype="source" id="3">(AP)</a></p>')  # rich text
    page.smarten_typography()                                 # a page's `typography_fields`

`SmartTypography` is a page mixin: `typography_fields` names the fields (plain text, rich text
or StreamField) whose text is converted when the page is saved or validated (which Wagtail does
before saving a revision), so readers get the converted text without any work per request.

What changes (the `smartypants` package, Unicode output): straight quotes become curly quotes
and apostrophes ("it's" → "it’s", '90s → ’90s), `--` an en dash, `---` an em dash, `...` an
ellipsis. In HTML only the text between tags changes: tags and their attributes (links, the ids
of source citations) are left as they are, and so is the text of <code>, <pre>, <kbd> and
<script>. Converting converted text changes nothing, so saving again is harmless.

Caveats: a straight quote an author meant as a unit (5' 11") becomes a curly one; URL blocks
are never touched, but a URL typed into a plain text field with `...` in it would be.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import smartypants
from wagtail import blocks

# Quotes, en/em dashes ("--", "---"), ellipses; characters, not HTML entities.
_ATTRIBUTES = smartypants.Attr.q | smartypants.Attr.D | smartypants.Attr.e | smartypants.Attr.u
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
# Quote characters stored as entities in rich text (Wagtail and Django escape them in text).
_QUOTE_ENTITIES = re.compile(r"&(?:quot|#34|#x22|#39|#x27|apos);", re.IGNORECASE)
_QUOTE_CHARACTERS = {"&quot;": '"', "&#34;": '"', "&#x22;": '"'}
# smartypants opens a quote before a decade ("the '90s"); it is an apostrophe.
_DECADE = re.compile(r"‘(?=\d\d(?:s\b|\b))")


def smarten_text(text: str) -> str:
    """Plain text with curly quotes, apostrophes, dashes and ellipses (idempotent)."""
    if not text or not any(mark in text for mark in "\"'.-"):
        return text
    return _DECADE.sub("’", smartypants.smartypants(text, _ATTRIBUTES))


def smarten_html(html: str) -> str:
    """The same for rich-text HTML: only text between tags changes, never a tag or an
    attribute (idempotent)."""
    if not html:
        return html
    parts = _TAG_OR_TEXT.split(html)
    # Text between tags: quote entities to characters, so smartypants can see them (an
    # attribute value keeps its entities: tags are the odd parts and are left alone).
    parts[::2] = [_QUOTE_ENTITIES.sub(_quote_character, part) for part in parts[::2]]
    return _DECADE.sub("’", smartypants.smartypants("".join(parts), _ATTRIBUTES))


def _quote_character(match: re.Match[str]) -> str:
    return _QUOTE_CHARACTERS.get(match.group(0).lower(), "'")


def smarten_stream_data(block: blocks.Block, data: Any) -> Any:
    """A StreamField's raw (JSON) data with the text of its rich-text, char and text blocks
    converted, walking struct, list and stream children. Other blocks (URLs, choosers,
    dates) come back as they were."""
    if isinstance(block, blocks.StreamBlock):
        return [_smarten_child(block.child_blocks.get(item.get("type")), item) for item in data]
    if isinstance(block, blocks.StructBlock) and isinstance(data, dict):
        return {
            name: smarten_stream_data(block.child_blocks[name], value)
            if name in block.child_blocks
            else value
            for name, value in data.items()
        }
    if isinstance(block, blocks.ListBlock) and isinstance(data, list):
        child = block.child_block
        return [
            _smarten_child(child, item)
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item
            else smarten_stream_data(child, item)
            for item in data
        ]
    if isinstance(data, str):
        if isinstance(block, blocks.RichTextBlock):
            return smarten_html(data)
        if isinstance(block, blocks.CharBlock | blocks.TextBlock):
            return smarten_text(data)
    return data


def _smarten_child(block: blocks.Block | None, item: Any) -> Any:
    if block is None or not isinstance(item, dict) or "value" not in item:
        return item
    return {**item, "value": smarten_stream_data(block, item["value"])}


def _converter(field: Any) -> Callable[[Any], Any] | None:
    from wagtail.fields import RichTextField, StreamField

    if isinstance(field, StreamField):
        return lambda value: _smarten_stream_value(field, value)
    if isinstance(field, RichTextField):
        return lambda value: smarten_html(value) if isinstance(value, str) else value
    if field.get_internal_type() in {"CharField", "TextField"}:
        return lambda value: smarten_text(value) if isinstance(value, str) else value
    return None


def _smarten_stream_value(field: Any, value: Any) -> Any:
    from wagtail.blocks import StreamValue

    if value is None:
        return value
    stream_block = field.stream_block
    raw = stream_block.get_prep_value(value)
    converted = smarten_stream_data(stream_block, raw)
    if converted == raw:
        return value
    return StreamValue(stream_block, converted, is_lazy=True)


class SmartTypography:
    """Converts the text of `typography_fields` on validation and on save (not per request)."""

    typography_fields: tuple[str, ...] = ("title",)

    def smarten_typography(self) -> None:
        """Convert the text of `typography_fields` in place (idempotent)."""
        meta = self._meta  # type: ignore[attr-defined]
        for name in self.typography_fields:
            convert = _converter(meta.get_field(name))
            if convert is None:
                continue
            value = getattr(self, name)
            converted = convert(value)
            if converted is not value:
                setattr(self, name, converted)

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        self.smarten_typography()
        super().full_clean(*args, **kwargs)  # type: ignore[misc]

    def save(self, *args: Any, **kwargs: Any) -> Any:
        self.smarten_typography()
        return super().save(*args, **kwargs)  # type: ignore[misc]

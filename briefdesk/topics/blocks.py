"""StreamField blocks of a topic guide: its "Key facts" panel and its timeline of events."""

from __future__ import annotations

from wagtail import blocks

from briefdesk.briefs.blocks import CITING_FEATURES


class KeyFactBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=80, help_text="e.g. “Population”.")
    value = blocks.CharBlock(max_length=255, help_text="e.g. “241 million (2023 census)”.")

    class Meta:
        icon = "list-ul"
        label = "Key fact"


class TimelineEventBlock(blocks.StructBlock):
    """One dated event: a short text that may cite sources as a brief's body does, and the
    briefs that analyse it."""

    date = blocks.DateBlock()
    text = blocks.RichTextBlock(
        features=CITING_FEATURES, help_text="One or two sentences; cite sources as in a brief."
    )
    briefs = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="briefs.BriefPage"),
        required=False,
        default=[],
        label="Related briefs",
    )

    class Meta:
        icon = "date"
        label = "Event"

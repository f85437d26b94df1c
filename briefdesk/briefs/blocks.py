"""StreamField blocks for a brief's body and its Additional Analysis."""

from __future__ import annotations

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

CITING_FEATURES = ["bold", "italic", "link", "source"]


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(features=CITING_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "briefs/blocks/paragraph.html"
        label = "Paragraph"


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "briefs/blocks/heading.html"
        label = "Sub-heading"


class AuthorLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=80, help_text="e.g. “ORCID” or “Personal site”.")
    url = blocks.URLBlock()

    class Meta:
        icon = "link"
        label = "Link"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, help_text="Who said or wrote it.")

    class Meta:
        icon = "openquote"
        template = "briefs/blocks/quote.html"
        label = "Block quote"


class TopicBoxBlock(blocks.StructBlock):
    topic = blocks.PageChooserBlock(page_type="topics.TopicGuidePage")
    text = blocks.CharBlock(
        required=False, help_text="Optional line under the title, e.g. what the guide covers."
    )

    class Meta:
        icon = "doc-full"
        template = "briefs/blocks/topic_box.html"
        label = "Topic guide box"


class FigureBlock(blocks.StructBlock):
    """A chart, map or photo with its caption and credit (kept whole on a printed page)."""

    image = ImageChooserBlock()
    alt = blocks.CharBlock(
        required=False,
        label="Alt text",
        help_text="What the image shows, for readers who cannot see it. "
        "Empty: the image's own description.",
    )
    caption = blocks.CharBlock(required=False)
    credit = blocks.CharBlock(required=False, help_text="e.g. “Source: UNHCR”.")

    class Meta:
        icon = "image"
        template = "briefs/blocks/figure.html"
        label = "Figure"


class BodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    quote = QuoteBlock()
    figure = FigureBlock()
    topic_box = TopicBoxBlock()


class AnalysisItemBlock(ParagraphBlock):
    """One item of Additional Analysis: a short paragraph by the editor citing one source."""

    class Meta:
        icon = "link"
        label = "Commentary"


class AdditionalAnalysisBlock(blocks.StreamBlock):
    item = AnalysisItemBlock()

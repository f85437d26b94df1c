"""Topic guides ("Crisis Guide: Pakistan") and the index that holds them at /topics/."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from briefdesk.core.edit_conflicts import ConflictCheckedPageForm
from briefdesk.core.routing import TypedChildRouteMixin
from briefdesk.core.typography import SmartTypography

from .blocks import KeyFactBlock, TimelineEventBlock
from .timeline import TimelineEvent, timeline_events


class TopicIndexPage(TypedChildRouteMixin, Page):
    base_form_class = ConflictCheckedPageForm
    routed_child_model = "topics.TopicGuidePage"
    introduction: models.TextField[str, str] = models.TextField(blank=True)

    parent_page_types = ["core.HomePage"]
    subpage_types = ["topics.TopicGuidePage"]
    max_count = 1
    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # Not at module level: visibility imports Wagtail's page model, not ready here yet.
        from briefdesk.core.visibility import private_q, restricted_paths

        context = super().get_context(request, *args, **kwargs)
        guides = list(
            TopicGuidePage.objects.descendant_of(self)
            .live()
            .exclude(private_q(restricted_paths()))
            .order_by("title")
        )
        # A sub-guide is listed under its parent, and only when the parent is listed too.
        top = [guide for guide in guides if guide.depth == self.depth + 1]
        context["topics"] = top
        context["guides"] = [
            (
                guide,
                [s for s in guides if s.depth == guide.depth + 1 and s.path.startswith(guide.path)],
            )
            for guide in top
        ]
        return context


class TopicGuidePage(SmartTypography, Page):
    base_form_class = ConflictCheckedPageForm
    label: models.CharField[str, str] = models.CharField(
        max_length=60,
        default="Crisis Guide",
        help_text='Shown before the title in brief boxes, e.g. "Crisis Guide".',
    )
    description: models.CharField[str, str] = models.CharField(
        max_length=255,
        blank=True,
        help_text="One sentence on what the guide covers: shown in the box on briefs, in "
        "listings and link previews.",
    )
    introduction = RichTextField(features=["bold", "italic", "link"], blank=True)
    key_facts = StreamField([("fact", KeyFactBlock())], blank=True, verbose_name="key facts")
    timeline = StreamField(
        [("event", TimelineEventBlock())],
        blank=True,
        help_text="Dated events, in any order: readers see them newest first.",
    )

    typography_fields = ("title", "description", "introduction", "timeline")
    # Sub-topics are guides under a guide (/topics/pakistan/kashmir/).
    parent_page_types = ["topics.TopicIndexPage", "topics.TopicGuidePage"]
    subpage_types = ["topics.TopicGuidePage"]
    content_panels = [
        *Page.content_panels,
        FieldPanel("label"),
        FieldPanel("description"),
        FieldPanel("introduction"),
        FieldPanel("key_facts"),
        FieldPanel("timeline"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description", boost=1.5),
        index.SearchField("introduction"),
    ]

    @property
    def box_title(self) -> str:
        return f"{self.label}: {self.title}" if self.label else self.title

    def events(self) -> list[TimelineEvent]:
        """The timeline's events, newest first (events on one date in the editor's order).
        Costs no query: the briefs they link to are ids (see topics.timeline)."""
        return timeline_events(self.timeline.raw_data)

    def latest_event(self) -> TimelineEvent | None:
        """The newest event (its `date` and plain `summary`), or None without events."""
        events = self.events()
        return events[0] if events else None

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from .guide import guide_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(guide_page_context(self, request.GET))
        return context

"""Topic guides ("Crisis Guide: Pakistan") and the index that holds them at /topics/."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from briefdesk.core.routing import TypedChildRouteMixin
from briefdesk.core.typography import SmartTypography

from .blocks import KeyFactBlock, TimelineEventBlock


class TopicIndexPage(TypedChildRouteMixin, Page):
    routed_child_model = "topics.TopicGuidePage"
    introduction = models.TextField(blank=True)

    parent_page_types = ["core.HomePage"]
    subpage_types = ["topics.TopicGuidePage"]
    max_count = 1
    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = TopicGuidePage.objects.child_of(self).live().public().order_by("title")
        return context


class TopicGuidePage(SmartTypography, Page):
    label = models.CharField(
        max_length=60,
        default="Crisis Guide",
        help_text='Shown before the title in brief boxes, e.g. "Crisis Guide".',
    )
    description = models.CharField(
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
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    @property
    def box_title(self) -> str:
        return f"{self.label}: {self.title}" if self.label else self.title

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from briefdesk.briefs.models import BriefPage

        context = super().get_context(request, *args, **kwargs)
        briefs = BriefPage.objects.for_listing().filter(brief_topics__topic=self).distinct()
        context["briefs"] = Paginator(briefs, 20).get_page(request.GET.get("page"))
        return context

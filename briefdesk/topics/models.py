"""Topic guides ("Crisis Guide: Pakistan") and the index that holds them at /topics/."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from briefdesk.core.routing import TypedChildRouteMixin


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


class TopicGuidePage(Page):
    label = models.CharField(
        max_length=60,
        default="Crisis Guide",
        help_text='Shown before the title in brief boxes, e.g. "Crisis Guide".',
    )
    introduction = RichTextField(features=["bold", "italic", "link"], blank=True)

    parent_page_types = ["topics.TopicIndexPage"]
    subpage_types: list[str] = []
    content_panels = [*Page.content_panels, FieldPanel("label"), FieldPanel("introduction")]
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

"""The home page: the latest briefs."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from .routing import TypedChildRouteMixin


class HomePage(TypedChildRouteMixin, Page):
    routed_child_model = "briefs.BriefIndexPage"  # the hot path: /briefs/<slug>/
    tagline = models.CharField(max_length=255, blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["briefs.BriefIndexPage", "briefs.AuthorIndexPage", "topics.TopicIndexPage"]
    max_count = 1
    content_panels = [*Page.content_panels, FieldPanel("tagline")]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from briefdesk.briefs.models import BriefPage

        context = super().get_context(request, *args, **kwargs)
        context["briefs"] = BriefPage.objects.for_listing()[:12]
        return context

"""The home page (the latest briefs), and what the stored citations were made with."""

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


class CitationOrigin(models.Model):
    """The base URL (BRIEFDESK_BASE_URL) and the citation engine the stored citations were
    formatted with: one row.

    Brief citations print the brief's URL under the base URL; when the base URL or the engine
    (citeproc-js, the styles, the publisher: briefdesk.citations.fingerprint) changes,
    briefdesk.core.origin re-formats them (after migrate, and when the demo starts).
    """

    base_url = models.CharField(max_length=255)
    # engine_fingerprint() at the last re-format; empty for citations older than the record.
    engine = models.CharField(max_length=64, blank=True)
    formatted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "citation origin"

    def __str__(self) -> str:
        return self.base_url

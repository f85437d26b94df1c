"""The front page, plain pages (About, Contact), and what the stored citations were made with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .edit_conflicts import ConflictCheckedPageForm
from .routing import TypedChildRouteMixin
from .typography import SmartTypography

if TYPE_CHECKING:
    from briefdesk.briefs.models import AuthorPage, BriefPage


class HomePage(TypedChildRouteMixin, Page):
    base_form_class = ConflictCheckedPageForm
    routed_child_model = "briefs.BriefIndexPage"
    routed_grandchild_model = "briefs.BriefPage"  # the hot path: /briefs/<slug>/
    tagline: models.CharField[str, str] = models.CharField(max_length=255, blank=True)
    lead_brief: models.ForeignKey[BriefPage | None, BriefPage | None] = models.ForeignKey(
        "briefs.BriefPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The brief at the top of the front page. Empty (or not live): the newest.",
    )

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "briefs.BriefIndexPage",
        "briefs.AuthorIndexPage",
        "topics.TopicIndexPage",
        "core.StandardPage",
    ]
    max_count = 1
    content_panels = [
        *Page.content_panels,
        FieldPanel("tagline"),
        MultiFieldPanel(
            [FieldPanel("lead_brief"), InlinePanel("featured_experts", label="Expert", max_num=6)],
            heading="Front page",
        ),
    ]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from .front_page import front_page

        context = super().get_context(request, *args, **kwargs)
        context["front"] = front_page(self)
        return context


class HomeFeaturedExpert(Orderable):
    """An expert shown on the front page, in the editors' order."""

    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_experts")
    expert: models.ForeignKey[AuthorPage, AuthorPage] = models.ForeignKey(
        "briefs.AuthorPage", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("expert")]


class StandardPage(SmartTypography, Page):
    """A plain page under the home page: About, Contact, Terms. The footer links to the ones
    with the slugs "about" and "contact" (core/context_processors.py)."""

    base_form_class = ConflictCheckedPageForm
    body = RichTextField(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"], blank=True)

    typography_fields = ("title", "body")
    parent_page_types = ["core.HomePage"]
    subpage_types: list[str] = []
    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]


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


class ScheduledRun(models.Model):
    """One day's run of a daily job of the scheduler (run_scheduler), claimed before the job
    starts. The unique (job, day) pair is what keeps a job from running twice on one day:
    across restarts, and beside a second scheduler that claims at the same instant."""

    job = models.CharField(max_length=50)
    day = models.DateField()  # local date (TIME_ZONE) of the run
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="scheduled_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.job} on {self.day:%Y-%m-%d}"

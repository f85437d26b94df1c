"""The editors' view of briefs in the admin: a Briefs listing with each brief's type, authors,
status and go-live time, the page explorer showing the brief's type instead of "Brief page",
and a "Scheduled" report.

    BriefListingViewSet("briefs")   # Briefs menu item: admin/briefs/
    BriefPageViewSet()              # the explorer under the Briefs index; workflow actions
    ScheduledReport                 # Reports › Scheduled: admin/reports/scheduled/

Who sees what is decided here, server-side: editors (anyone who may change every brief) see
all briefs; an author sees only the briefs they may edit -- their own -- so no listing or
report here shows another author's draft. Wagtail's own explorer lets an author with "add"
browse every page; under the Briefs index it is narrowed the same way.

A scheduled brief is one with a revision carrying `approved_go_live_at`: Wagtail sets it when
an editor publishes (or approves) a revision whose go-live time is in the future, and clears
it once that revision goes live (`publish_scheduled`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.forms import CheckboxSelectMultiple
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_filters import ChoiceFilter, MultipleChoiceFilter
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.ui.tables.pages import (
    BulkActionsColumn,
    PageStatusColumn,
    PageTitleColumn,
)
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.pages.listing import ExplorableIndexView, IndexView, PageFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.pages import PageListingViewSet, PageViewSet
from wagtail.models import PageLogEntry, Revision, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import BRIEF_TYPES, BriefAuthor, BriefPage
from .review import ReportingWorkflowActionView

STATUSES = [
    ("live", "Live"),
    ("live_draft", "Live + draft"),
    ("draft", "Draft"),
    ("in_review", "In review"),
    ("changes_requested", "Changes requested"),
    ("scheduled", "Scheduled"),
]


def briefs_for(user: Any) -> QuerySet[BriefPage]:
    """The briefs `user` may see in these listings: the ones they may change (every brief for
    an editor, their own for an author, none for anyone else)."""
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return BriefPage.objects.filter(pk__in=editable.values("pk"))


def _revisions_of_page() -> QuerySet[Revision]:
    return Revision.page_revisions.filter(object_id=Cast(OuterRef("pk"), CharField()))


def with_schedule(pages: QuerySet[BriefPage]) -> QuerySet[BriefPage]:
    """Annotate `scheduled_go_live_at` (the approved go-live time of a scheduled revision, or
    None), `scheduled_by_id` (who last scheduled the page) and `review_status` (the status of
    the page's active workflow: "in_progress", "needs_changes" or None)."""
    scheduled = _revisions_of_page().filter(approved_go_live_at__isnull=False)
    scheduler = PageLogEntry.objects.filter(
        page=OuterRef("pk"), action="wagtail.publish.schedule"
    ).order_by("-timestamp", "-pk")
    review = WorkflowState.objects.active().filter(
        content_type_id=OuterRef("content_type_id"),
        object_id=Cast(OuterRef("pk"), CharField()),
    )
    return pages.annotate(
        scheduled_go_live_at=Subquery(scheduled.values("approved_go_live_at")[:1]),
        scheduled_by_id=Subquery(scheduler.values("user_id")[:1]),
        review_status=Subquery(review.values("status")[:1]),
    )


def _go_live_text(page: Any) -> str:
    when = getattr(page, "scheduled_go_live_at", None)
    if not when:
        return ""
    return date_format(timezone.localtime(when), "DATETIME_FORMAT")


def _prefetch_authors(pages: Any) -> None:
    prefetch_related_objects(
        [p for p in pages if isinstance(p, BriefPage)],
        Prefetch("brief_authors", queryset=BriefAuthor.objects.select_related("author")),
    )


def _publication_date_text(page: Any) -> str:
    date = getattr(page, "date", None)
    return date_format(date, "j M Y") if date else "On go-live"


class BriefTypeColumn(Column):
    """The brief's own type ("Analysis Brief", "Op-Ed"…) where Wagtail shows "Brief page"."""

    def __init__(self, name: str = "type", **kwargs: Any) -> None:
        kwargs.setdefault("label", "Type")
        kwargs.setdefault("sort_key", "brief_type")
        kwargs.setdefault("width", "12%")
        super().__init__(name, accessor="brief_type", **kwargs)


# --- the Briefs listing ------------------------------------------------------------------


class BriefFilterSet(PageFilterSet):
    brief_type = MultipleChoiceFilter(
        label="Type", choices=[(t, t) for t in BRIEF_TYPES], widget=CheckboxSelectMultiple
    )
    status = ChoiceFilter(
        label="Status", choices=STATUSES, method="filter_status", empty_label="Any"
    )
    # Every brief is on the one site and has no children.
    site = None
    has_child_pages = None

    class Meta:
        model = BriefPage
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "live":
            return queryset.filter(live=True, has_unpublished_changes=False)
        if value == "live_draft":
            return queryset.filter(live=True, has_unpublished_changes=True)
        if value == "draft":
            return queryset.filter(live=False, scheduled_go_live_at__isnull=True)
        if value == "in_review":
            return queryset.filter(review_status=WorkflowState.STATUS_IN_PROGRESS)
        if value == "changes_requested":
            return queryset.filter(review_status=WorkflowState.STATUS_NEEDS_CHANGES)
        if value == "scheduled":
            return queryset.filter(scheduled_go_live_at__isnull=False)
        return queryset


class BriefIndexView(IndexView):
    """Every brief the user may edit, newest first, with its type, authors and schedule."""

    page_title = "Briefs"
    add_item_label = "New brief"
    verbose_name = "brief"
    verbose_name_plural = "briefs"
    default_ordering = "-date"
    list_export = [
        "title",
        "brief_type",
        "authors_text",
        "status_string",
        "date",
        "scheduled_go_live_at",
        "latest_revision_created_at",
    ]
    export_headings = {
        "brief_type": "Type",
        "authors_text": "Authors",
        "status_string": "Status",
        "date": "Publication date",
        "scheduled_go_live_at": "Go-live",
        "latest_revision_created_at": "Updated",
    }

    def get_base_queryset(self) -> QuerySet[Any]:
        pages = briefs_for(self.request.user).filter(depth__gt=1)
        return with_schedule(self.annotate_queryset(pages))

    def get_valid_orderings(self) -> list[str]:
        orderings = super().get_valid_orderings()
        # sort_key values are not model fields, so IndexView does not list them itself
        for key in ("brief_type", "date", "scheduled_go_live_at"):
            orderings += [key, f"-{key}"]
        return orderings

    def order_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.ordering in ("scheduled_go_live_at", "-scheduled_go_live_at"):
            field = F("scheduled_go_live_at")
            ordered = field.asc if self.ordering[0] != "-" else field.desc
            return queryset.order_by(ordered(nulls_last=True), "-date")
        return super().order_queryset(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        _prefetch_authors(context["object_list"])
        return context


class BriefListingViewSet(PageListingViewSet):
    model = BriefPage
    icon = "doc-full"
    menu_label = "Briefs"
    menu_order = 150
    add_to_admin_menu = True
    index_view_class = BriefIndexView
    filterset_class = BriefFilterSet
    columns = [
        BulkActionsColumn("bulk_actions"),
        PageTitleColumn("title", label="Title", sort_key="title", classname="title"),
        BriefTypeColumn(),
        Column("authors", label="Authors", accessor="authors_text"),
        PageStatusColumn("status", label="Status", sort_key="live", width="12%"),
        # The byline's date itself: "15 years ago" says nothing about a brief from 2011.
        Column(
            "date",
            label="Publication date",
            accessor=_publication_date_text,
            sort_key="date",
            width="12%",
        ),
        Column(
            "go_live",
            label="Go-live",
            accessor=_go_live_text,
            sort_key="scheduled_go_live_at",
            width="14%",
        ),
        DateColumn(
            "latest_revision_created_at",
            label="Updated",
            sort_key="latest_revision_created_at",
            width="12%",
        ),
    ]


# --- the page explorer under the Briefs index --------------------------------------------


class BriefExplorerView(ExplorableIndexView):
    """Wagtail's explorer of the Briefs index, showing each brief's type, and to an author
    their own briefs only (Wagtail shows every page to anyone who may add one)."""

    verbose_name = "brief"
    verbose_name_plural = "briefs"
    base_columns = [
        BriefTypeColumn() if column.name == "type" else column
        for column in ExplorableIndexView.base_columns
    ]

    def get_base_queryset(self) -> QuerySet[Any]:
        return super().get_base_queryset().filter(pk__in=briefs_for(self.request.user).values("pk"))

    def get_valid_orderings(self) -> list[str]:
        return [*super().get_valid_orderings(), "brief_type", "-brief_type"]


class BriefPageViewSet(PageViewSet):
    """Wagtail's views for briefs with two changes: exploring the Briefs index shows each
    brief's type, and a workflow action (approve, request changes) says what it did."""

    model = BriefPage
    index_view_class = BriefExplorerView
    workflow_action_view_class = ReportingWorkflowActionView


# --- the Scheduled report ----------------------------------------------------------------


class ScheduledReport(ReportView):
    page_title = "Scheduled"
    header_icon = "calendar-check"
    index_url_name = "brief_scheduled_report"
    index_results_url_name = "brief_scheduled_report_results"
    model = BriefPage
    verbose_name = "scheduled brief"
    verbose_name_plural = "scheduled briefs"
    list_export = ["title", "scheduled_go_live_at", "authors_text", "scheduled_by"]
    export_headings = {
        "title": "Brief",
        "scheduled_go_live_at": "Go-live",
        "authors_text": "Authors",
        "scheduled_by": "Scheduled by",
    }
    columns = [
        TitleColumn(
            "title",
            label="Brief",
            accessor="get_admin_display_title",
            get_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ),
        BriefTypeColumn(sort_key=None),
        Column("go_live", label="Go-live", accessor=_go_live_text),
        Column("authors", label="Authors", accessor="authors_text"),
        Column("scheduled_by", label="Scheduled by"),
    ]

    def get_queryset(self) -> QuerySet[BriefPage]:
        return (
            with_schedule(briefs_for(self.request.user))
            .filter(scheduled_go_live_at__isnull=False)
            .order_by("scheduled_go_live_at", "pk")
        )

    def decorate_paginated_queryset(self, object_list: Any) -> Any:
        pages = list(object_list)
        _prefetch_authors(pages)
        users = get_user_model()._default_manager.in_bulk(
            {p.scheduled_by_id for p in pages if p.scheduled_by_id}
        )
        for page in pages:
            user = users.get(page.scheduled_by_id)
            page.scheduled_by = get_user_display_name(user) if user else ""
        return pages

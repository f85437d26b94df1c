"""Admin wiring for briefs.

- A "Briefs" listing (menu) and the explorer showing each brief's type (`listings.py`).
- Reports: "Scheduled" (briefs waiting to go live) and "PDF problems" (PDFs that could not
  be made, or were made with something missing, such as an image that did not load), so
  editors learn of it in the admin rather than from readers.
- The dashboard: "New brief", "Changes requested on your briefs", and "Awaiting your review"
  with every action confirmed first; the editor shows a standing change request
  (`review.py`).
- Type-ahead choosers for a brief's authors and topics (`choosers.py`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies.pages import PagePermissionPolicy

from briefdesk.citations.styles import STYLES

from .choosers import author_chooser_viewset, register_widgets, topic_chooser_viewset
from .listings import BriefListingViewSet, BriefPageViewSet, ScheduledReport, briefs_for
from .models import BriefPdf
from .review import (
    ChangesRequestedPanel,
    ConfirmingModerationPanel,
    NewBriefPanel,
    change_request_message,
    new_brief_url,
)


def _style_label(key: str) -> str:
    return STYLES[key].label if key in STYLES else key


def _problem_text(record: BriefPdf) -> str:
    if record.error:
        return f"Not made: {record.error}"
    return "; ".join(record.problems)


class PdfProblemsReport(ReportView):
    page_title = "PDF problems"
    header_icon = "warning"
    index_url_name = "brief_pdf_problems"
    index_results_url_name = "brief_pdf_problems_results"
    model = BriefPdf
    list_export = ["page.title", "style", "made_at", "error", "problems"]
    export_headings = {"page.title": "Brief"}
    columns = [
        TitleColumn(
            "page",
            label="Brief",
            accessor="page.title",
            get_url=lambda record: reverse("wagtailadmin_pages:edit", args=[record.page_id]),
        ),
        Column("style", label="Citation style", accessor=lambda r: _style_label(r.style)),
        Column("problem", label="Problem", accessor=_problem_text),
        DateColumn("made_at", label="When"),
    ]

    def get_queryset(self) -> QuerySet[BriefPdf]:
        editable = PagePermissionPolicy().instances_user_has_permission_for(
            self.request.user, "change"
        )
        return (
            BriefPdf.objects.filter(page__in=editable.values("pk"))
            .exclude(Q(error="") & Q(problems=[]))
            .select_related("page")
            .order_by("-made_at")
        )


@hooks.register("register_admin_urls")
def register_pdf_problems_urls() -> list[Any]:
    view = PdfProblemsReport.as_view()
    results = PdfProblemsReport.as_view(results_only=True)
    return [
        path("reports/pdf-problems/", view, name="brief_pdf_problems"),
        path("reports/pdf-problems/results/", results, name="brief_pdf_problems_results"),
    ]


@hooks.register("register_reports_menu_item")
def register_pdf_problems_menu_item() -> MenuItem:
    return MenuItem("PDF problems", reverse("brief_pdf_problems"), icon_name="warning", order=1000)


# --- briefs listing, explorer, choosers ----------------------------------------------------

register_widgets()


@hooks.register("register_admin_viewset")
def register_brief_viewsets() -> list[Any]:
    return [
        BriefListingViewSet("briefs"),
        BriefPageViewSet(),
        author_chooser_viewset,
        topic_chooser_viewset,
    ]


# --- the Scheduled report ----------------------------------------------------------------


class ScheduledMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return briefs_for(request.user).exists()


@hooks.register("register_admin_urls")
def register_scheduled_urls() -> list[Any]:
    view = ScheduledReport.as_view()
    results = ScheduledReport.as_view(results_only=True)
    return [
        path("reports/scheduled/", view, name="brief_scheduled_report"),
        path("reports/scheduled/results/", results, name="brief_scheduled_report_results"),
    ]


@hooks.register("register_reports_menu_item")
def register_scheduled_menu_item() -> MenuItem:
    return ScheduledMenuItem(
        "Scheduled", reverse("brief_scheduled_report"), icon_name="calendar-check", order=900
    )


# --- dashboard and editor ----------------------------------------------------------------


@hooks.register("construct_homepage_panels")
def add_brief_panels(request: HttpRequest, panels: list[Any]) -> None:
    panels[:] = [
        ConfirmingModerationPanel() if type(panel) is WorkflowObjectsToModeratePanel else panel
        for panel in panels
    ]
    panels.append(ChangesRequestedPanel())
    if add_url := new_brief_url(request.user):
        panels.append(NewBriefPanel(add_url))


@hooks.register("before_edit_page")
def show_change_request(request: HttpRequest, page: Any) -> None:
    if request.method == "GET" and (message := change_request_message(page)):
        messages.warning(request, message)


# --- quote checks (quote_checks.py): editors and reviewers of the brief ----------------------


@hooks.register("register_admin_urls")
def register_quote_checks_url() -> list[Any]:
    from .quote_checks import URL_NAME, quote_checks_view

    return [path("briefs/<int:page_id>/quote-checks/", quote_checks_view, name=URL_NAME)]

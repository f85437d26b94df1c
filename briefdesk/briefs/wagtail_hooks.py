"""Admin wiring for briefs' PDFs: a "PDF problems" report (Reports menu) listing PDFs that
could not be made, or were made with something missing (an image that did not load), so
editors learn of it in the admin rather than from readers."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies.pages import PagePermissionPolicy

from briefdesk.citations.styles import STYLES

from .models import BriefPdf


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

"""Quote checks for a brief: every citation that quotes its source, checked against the main
text of the source's latest snapshot (`briefdesk.archive.quotes`), for editors only.

Shown in the brief's editor (`QuoteChecksPanel`, above the body), on the dashboard's
"Awaiting your review" (one line per brief, `summary_text`) and on a page of its own
(`quote_checks_view`). Nothing here blocks publishing: a quote that is not found is for an
editor to judge (the source may have changed since it was quoted, or the quote may come from
a part of the page the snapshot's text extraction left out).

Queries: the quotes come from the revision's own content (no query), and the sources with
their latest snapshot's text in one query, however many briefs and quotes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin.panels import Panel
from wagtail.models import Page, Revision, TaskState

from briefdesk.archive.quotes import QuoteCheck, QuoteStatus, check_quotes
from briefdesk.sources.models import Snapshot, Source
from briefdesk.sources.richtext import QuotedCitation, quoted_citations

URL_NAME = "brief_quote_checks"

STATUS_LABELS: dict[QuoteStatus, str] = {
    "found": "found",
    "close": "close",
    "not_found": "not found",
    "no_snapshot": "no snapshot",
}


class HasRichText(Protocol):
    def rich_text_values(self) -> list[str]: ...


@dataclass(frozen=True)
class QuoteRow:
    """One quoted citation and what its check found."""

    quote: str
    source_id: int
    label: str  # the source's label as the brief shows it; "(deleted source)" when gone
    title: str
    check: QuoteCheck

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.check.status]

    @property
    def source_edit_url(self) -> str:
        if self.title == DELETED:
            return ""
        return reverse("wagtailsnippets_sources_source:edit", args=[self.source_id])


DELETED = "(deleted source)"


def _sources_with_latest_text(ids: Iterable[int]) -> dict[int, Source]:
    latest = Snapshot.objects.filter(source=OuterRef("pk")).order_by("-captured_at", "-id")
    return (
        Source.objects.select_related("outlet")
        .annotate(latest_text=Subquery(latest.values("text")[:1]))
        .in_bulk(set(ids))
    )


def check_briefs(briefs: Sequence[HasRichText]) -> list[list[QuoteRow]]:
    """The quote checks of each brief (a page or a revision's object), in body order."""
    citations = [quoted_citations(brief.rich_text_values()) for brief in briefs]
    wanted = {c.source_id for cited in citations for c in cited}
    sources = _sources_with_latest_text(wanted) if wanted else {}
    # Check each source's quotes together: its text is normalised once.
    by_source: dict[int, list[str]] = {}
    for cited in citations:
        for citation in cited:
            by_source.setdefault(citation.source_id, []).append(citation.quote)
    results: dict[tuple[int, str], QuoteCheck] = {}
    for source_id, quotes in by_source.items():
        source = sources.get(source_id)
        distinct = list(dict.fromkeys(quotes))
        text = getattr(source, "latest_text", None) if source else None
        for quote, check in zip(distinct, check_quotes(distinct, text), strict=True):
            results[(source_id, quote)] = check
    return [[_row(c, sources.get(c.source_id), results) for c in cited] for cited in citations]


def _row(
    citation: QuotedCitation,
    source: Source | None,
    results: dict[tuple[int, str], QuoteCheck],
) -> QuoteRow:
    check = results[(citation.source_id, citation.quote)]
    if source is None:
        return QuoteRow(citation.quote, citation.source_id, DELETED, DELETED, check)
    return QuoteRow(
        citation.quote, citation.source_id, source.parenthetical_label, str(source), check
    )


def check_brief(brief: HasRichText) -> list[QuoteRow]:
    return check_briefs([brief])[0]


def counts(rows: Sequence[QuoteRow]) -> dict[QuoteStatus, int]:
    tally: dict[QuoteStatus, int] = dict.fromkeys(STATUS_LABELS, 0)
    for row in rows:
        tally[row.check.status] += 1
    return tally


def summary_text(rows: Sequence[QuoteRow]) -> str:
    """ "Quotes: 2 found · 1 close · 1 not found · 1 no snapshot" (statuses with none left
    out); "" for a brief without quotes."""
    parts = [f"{n} {STATUS_LABELS[status]}" for status, n in counts(rows).items() if n]
    return f"Quotes: {' · '.join(parts)}" if parts else ""


# --- which revision, who may see -------------------------------------------------------------


def revision_to_check(page: Page) -> Any:
    """What an editor checks: the revision in moderation, else the latest draft, else the
    page as stored."""
    state = page.current_workflow_state
    task_state = state.current_task_state if state else None
    revision: Revision | None = None
    if task_state is not None and task_state.revision_id:
        revision = task_state.revision
    elif page.latest_revision_id:
        revision = page.latest_revision
    return revision.as_object() if revision is not None else page


def can_see_checks(user: Any, page: Page) -> bool:
    """Those who may edit the brief, or act on its review task."""
    if not user.is_authenticated:
        return False
    if page.permissions_for_user(user).can_edit():
        return True
    return TaskState.objects.reviewable_by(user).filter(revision__object_id=str(page.pk)).exists()


def quote_checks_view(request: HttpRequest, page_id: int) -> HttpResponse:
    """The quote checks of one brief (the revision in moderation, else the latest draft)."""
    from .models import BriefPage

    page = BriefPage.objects.filter(pk=page_id).first()
    if page is None:
        raise Http404("No such brief.")
    if not can_see_checks(request.user, page):
        # Not PermissionDenied: Wagtail's admin turns that into a redirect to the dashboard.
        return HttpResponseForbidden("You may not see the quote checks of this brief.")
    brief = revision_to_check(page)
    rows = check_brief(brief)
    return TemplateResponse(
        request,
        "briefs/admin/quote_checks.html",
        {
            "page": page,
            "rows": rows,
            "summary": summary_text(rows),
            "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        },
    )


def quote_checks_url(page_id: int) -> str:
    return reverse(URL_NAME, args=[page_id])


# --- the editor's panel ------------------------------------------------------------------------


class QuoteChecksPanel(Panel):
    """Read-only, above the body: each quoted citation of the brief as last saved, with its
    status, the source's label and, for a close match, the source's own wording."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("heading", "Quote checks")
        kwargs.setdefault(
            "help_text",
            "Quotes on citations, checked against each source's latest snapshot when the "
            "brief is saved. Publishing is not blocked.",
        )
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "briefs/admin/quote_checks_panel.html"

        def is_shown(self) -> bool:
            return self.instance is not None

        def get_context_data(self, parent_context: Any = None) -> Any:
            context = super().get_context_data(parent_context)
            rows = check_brief(self.instance)
            context.update(
                rows=rows,
                summary=summary_text(rows),
                checks_url=quote_checks_url(self.instance.pk) if self.instance.pk else "",
            )
            return context

"""The jobs a brief's publication starts (briefdesk.core.tasks has the conventions):

    enqueue_once(score_related_task, page.pk)       # More on This Topic, on publish
    enqueue_once(withdraw_related_task, [page.pk])  # ... when it stops being public
    enqueue_once(make_pdfs_task, page.pk)           # its PDF, ready before the first reader

Each takes ids and reads the brief when it runs, so a job that waited sees the brief as it is
then; each may run twice with the same result (related_store replaces a brief's stored list
whole; printing.cached_pdf keeps one PDF per revision and style). With the immediate backend
they run inside the publish, as they always did; with the database backend in `briefdesk
worker`, and publishing no longer waits for them.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def score_related_task(page_id: int) -> None:
    """Score the brief and put it in the lists it now ranks in (withdrawn when no longer
    public): related_store.update_related, which logs a failure and never raises."""
    from .related_store import update_related

    update_related(page_id)


@task()
def withdraw_related_task(page_ids: list[int]) -> None:
    """Take the briefs out of every list (unpublished, deleted, made private)."""
    from .related_store import withdraw_related

    withdraw_related(page_ids)


@task()
def make_pdfs_task(page_id: int) -> str:
    """Make the PDF of the brief's live revision in the default citation style, unless it is
    made already; nothing for a brief that is not live and public (then no reader can ask).

    Returns what it did, for the job's record: "made", "cached", "skipped" or "failed: ...".
    A failed render is recorded by printing.cached_pdf (the admin shows it) and not raised:
    running it again at once would fail the same way.
    """
    from briefdesk.citations.styles import DEFAULT_STYLE

    from .models import BriefPage, BriefPdf
    from .pdf import PdfRenderError
    from .printing import cached_pdf

    page = BriefPage.objects.live().public().filter(pk=page_id).first()
    if page is None:
        return "skipped"
    had = BriefPdf.objects.filter(
        page=page, revision_id=page.live_revision_id, style=DEFAULT_STYLE, error=""
    ).exists()
    try:
        cached_pdf(page, DEFAULT_STYLE)
    except PdfRenderError as exc:
        return f"failed: {exc}"
    return "cached" if had else "made"

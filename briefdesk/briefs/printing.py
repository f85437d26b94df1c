"""A brief as a PDF: the page's print layout rendered by WeasyPrint, cached per published
revision and per citation style.

The cache is the BriefPdf table plus files in private storage (BRIEFDESK_PRIVATE_ROOT, no
URL). A PDF is made on the first request for a (revision, style) and served from storage
afterwards. Publishing a new revision drops the brief's PDFs of older revisions; editing what
a brief shows without a new revision (a cited source, its outlet, an author's name, a topic's
title) drops that brief's PDFs too (see signals.py), so a cached PDF is never stale.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from .models import BriefPage, BriefPdf
from .pdf import PdfMetadata, PdfRenderError, RenderedPdf, render_pdf
from .rendering import visible_topics

logger = logging.getLogger(__name__)

# After a failed render, requests for the same PDF get the failure (a 503) for this long
# before rendering is tried again, so a brief that cannot be rendered cannot tie up workers.
RETRY_FAILED_AFTER = dt.timedelta(minutes=5)


class PdfNotStored(PdfRenderError):
    """The PDF was made but could not be stored (a read-only or full private root). `content`
    has the PDF; the failure is recorded like a failed render, so requests in the next
    RETRY_FAILED_AFTER get PdfRenderError without rendering again."""

    def __init__(self, message: str, content: bytes) -> None:
        super().__init__(message)
        self.content = content


def _record_failure(page: BriefPage, revision_id: int | None, style: str, error: str) -> None:
    try:
        with transaction.atomic():
            BriefPdf.objects.update_or_create(
                page=page,
                revision_id=revision_id,
                style=style,
                defaults={"error": error[:2000], "problems": [], "size": 0, "file": ""},
            )
    except DatabaseError as exc:  # a read-only database as well: nothing to remember it in
        logger.warning("PDF failure of brief %s (%s) not recorded: %s", page.pk, style, exc)


def pdf_filename(page: BriefPage) -> str:
    """e.g. how-wikileaks-hurts-us-pakistan-ties-2010-12-06.pdf"""
    assert page.date is not None  # set on publication, and on a preview's copy
    return f"{page.slug}-{page.date.isoformat()}.pdf"


def pdf_metadata(page: BriefPage) -> PdfMetadata:
    """The PDF's document information. Its series number is printed in the title block
    ("Analysis Brief No. 2026-7", from the page) and recorded as ReportType/ReportNumber."""
    assert page.date is not None  # set on publication, and on a preview's copy
    return PdfMetadata(
        title=page.title,
        authors=[author.name for author in page.authors],
        subject=page.summary.strip() or page.teaser,
        # Only topics a reader may open: a private topic guide's title is not public.
        keywords=[topic.title for topic in visible_topics(page)],
        created=page.date,
        modified=page.updated_on,
        report_type=page.brief_type,
        report_number=page.number,
    )


def _print_request(page: BriefPage, request: HttpRequest | None) -> HttpRequest:
    """An anonymous GET of the brief's URL: a PDF shows what any reader sees, whoever asked."""
    if request is not None and getattr(request, "is_preview", False):
        return request  # the admin preview renders the draft for the editor who asked
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    host = request.get_host() if request is not None else base.netloc
    fake = RequestFactory().get(
        (page.url_path and page.get_url(None)) or f"/briefs/{page.slug}/",
        HTTP_HOST=host,
        secure=(request.is_secure() if request is not None else base.scheme == "https"),
    )
    fake.user = AnonymousUser()
    fake.is_preview = False  # type: ignore[attr-defined]  # read by Wagtail's templates
    return fake


def print_html(page: BriefPage, style: str, request: HttpRequest | None = None) -> str:
    """The brief page's HTML, which print.css lays out as a document."""
    response = page.render(_print_request(page, request), source_style=style)
    return response.render().content.decode()


def render_brief_pdf(
    page: BriefPage, style: str, request: HttpRequest | None = None
) -> RenderedPdf:
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/"
    return render_pdf(print_html(page, style, request), pdf_metadata(page), base_url=base_url)


def cached_pdf(page: BriefPage, style: str, request: HttpRequest | None = None) -> BriefPdf:
    """The stored PDF of the brief's live revision in this style, made now if need be.

    Raises PdfRenderError when WeasyPrint fails, and PdfNotStored (with the PDF) when the
    file cannot be saved; either failure is recorded for the admin and answers the requests
    of the next RETRY_FAILED_AFTER without rendering.
    """
    revision_id = page.live_revision_id
    found = BriefPdf.objects.filter(page=page, revision_id=revision_id, style=style).first()
    if found is not None and found.file and found.file.storage.exists(found.file.name):
        return found  # (a record whose file was lost, e.g. media wiped, is made again)
    if found is not None and found.error and timezone.now() - found.made_at < RETRY_FAILED_AFTER:
        raise PdfRenderError(found.error)  # failed just now: don't spend a worker on it again
    try:
        rendered = render_brief_pdf(page, style, request)
    except PdfRenderError as exc:
        logger.warning("PDF of brief %s (%s) failed: %s", page.pk, style, exc)
        _record_failure(page, revision_id, style, str(exc))
        raise
    record = found or BriefPdf(page=page, revision_id=revision_id, style=style)
    record.error = ""
    record.problems = rendered.problems
    record.pages = rendered.pages
    record.size = len(rendered.content)
    record.render_seconds = round(rendered.seconds, 3)
    name = f"{page.pk}/{page.slug}-r{revision_id}-{style}.pdf"
    try:
        record.file.save(name, ContentFile(rendered.content), save=False)
    except Exception as exc:  # OSError on disk (read-only, full); botocore's errors from a bucket
        where = getattr(settings, "S3_BUCKET", "") or settings.BRIEFDESK_PRIVATE_ROOT
        reason = f"the PDF could not be stored in {where}: {exc}"
        logger.warning("PDF of brief %s (%s) not stored: %s", page.pk, style, reason)
        _record_failure(page, revision_id, style, reason)
        raise PdfNotStored(reason, rendered.content) from exc
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # another request made the same PDF at the same time
        record.file.delete(save=False)
        return BriefPdf.objects.get(page=page, revision_id=revision_id, style=style)
    return record


def invalidate_pdfs(page_ids: list[int] | None = None, *, keep_revision: int | None = None) -> int:
    """Drop stored PDFs (of these briefs, or all), except those of `keep_revision`.
    Their files go once the transaction commits (signals.delete_pdf_file). Returns how many."""
    records = BriefPdf.objects.all()
    if page_ids is not None:
        if not page_ids:
            return 0
        records = records.filter(page_id__in=page_ids)
    if keep_revision is not None:
        records = records.exclude(revision_id=keep_revision)
    deleted, _ = records.delete()
    return deleted

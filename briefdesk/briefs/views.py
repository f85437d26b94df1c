"""File-like URLs of a published brief: /briefs/<slug>/cite.(txt|json|bib|ris) and
/briefs/<slug>/pdf/.

Wagtail serves pages only at URLs ending in a slash and routes every segment of the path, so
these are plain Django routes that look up the live, public brief and hand over to it (the PDF
route is one too, to answer from the cache without Wagtail's page routing).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from briefdesk.citations.styles import DEFAULT_STYLE, UnknownStyle
from briefdesk.citations.views import bad_style, style_from
from briefdesk.core.storage import stored_file_response

from .models import BriefPage
from .pdf import PdfRenderError


def published_brief(slug: str) -> BriefPage:
    page = (
        BriefPage.objects.live()
        .public()
        .filter(slug=slug, url_path__endswith=f"/briefs/{slug}/")
        .first()
    )
    if page is None:
        raise Http404("No published brief at this address")
    return page


def brief_cite_file(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    return published_brief(slug).cite_file(request, fmt)


def _pdf_unavailable(request: HttpRequest, page: BriefPage) -> HttpResponse:
    """Rendering or storing failed (recorded for the admin): say so, and offer the page to
    print. Retry-After matches how long the failure is remembered (printing.RETRY_FAILED_AFTER)."""
    from .printing import RETRY_FAILED_AFTER

    response = HttpResponse(
        render_to_string("briefs/pdf_unavailable.html", {"page": page}, request=request),
        status=503,
    )
    response["Retry-After"] = str(int(RETRY_FAILED_AFTER.total_seconds()))
    response["Cache-Control"] = "no-store"
    # printing.py logged the failure once, when it happened; Django would add an ERROR line
    # for every 503 that follows (the access log still has each request).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@require_safe
def brief_pdf(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The brief's PDF in ?style= (default Chicago notes), from the cache when made before.

    With BRIEFDESK_SENDFILE=nginx the file goes out as X-Accel-Redirect (core/sendfile.py);
    this view still checks the brief and answers conditional requests itself.
    """
    from .printing import PdfNotStored, cached_pdf, pdf_filename

    try:
        style = style_from(request, DEFAULT_STYLE)
    except UnknownStyle as exc:
        return bad_style(exc)
    page = published_brief(slug)
    try:
        record = cached_pdf(page, style, request)
    except PdfNotStored as exc:
        # Made but not stored (read-only storage): this reader gets the PDF it paid for; the
        # failure is recorded, so the next readers get the 503 page without a render each.
        response: HttpResponseBase = HttpResponse(exc.content, content_type="application/pdf")
        disposition = content_disposition_header(False, pdf_filename(page))
        assert disposition is not None  # a file name always makes one
        response["Content-Disposition"] = disposition
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    except PdfRenderError:
        return _pdf_unavailable(request, page)
    etag = f'"pdf-{record.pk}-r{record.revision_id}-{record.size}"'
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(record.made_at.timestamp())
    )
    if not_modified is not None:
        return not_modified
    # Served inline (the browser shows it); the page's link saves it with this file name.
    response = stored_file_response(
        record.file, content_type="application/pdf", filename=pdf_filename(page)
    )
    response["Cache-Control"] = "public, max-age=300"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(record.made_at.timestamp())
    response["X-Content-Type-Options"] = "nosniff"
    return response


def preview_pdf(request: HttpRequest, page: BriefPage) -> HttpResponse:
    """The admin's "PDF" preview of an unpublished draft: rendered each time, never stored."""
    from .printing import pdf_filename, render_brief_pdf

    try:
        style = style_from(request, DEFAULT_STYLE)
    except UnknownStyle:
        style = DEFAULT_STYLE
    try:
        rendered = render_brief_pdf(page, style, request)
    except PdfRenderError as exc:
        return HttpResponse(
            f"The PDF could not be made: {exc}\n", status=422, content_type="text/plain"
        )
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(page)}"'
    if rendered.problems:
        response["X-Briefdesk-PDF-Problems"] = str(len(rendered.problems))
    return response

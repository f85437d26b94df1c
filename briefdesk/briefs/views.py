"""Citation files of a published brief: /briefs/<slug>/cite.(txt|json|bib|ris).

Wagtail serves pages only at URLs ending in a slash, so these file-like URLs are Django routes
that look up the live, public brief and hand over to BriefPage.cite_file.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from .models import BriefPage


def brief_cite_file(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    page = (
        BriefPage.objects.live()
        .public()
        .filter(slug=slug, url_path__endswith=f"/briefs/{slug}/")
        .first()
    )
    if page is None:
        raise Http404("No published brief at this address")
    return page.cite_file(request, fmt)

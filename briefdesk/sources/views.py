"""A public page per source: what it is and which published briefs cite it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from briefdesk.citations.styles import STYLES

from .models import Source


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from briefdesk.briefs.models import BriefPage

    source = get_object_or_404(Source.objects.select_related("outlet"), pk=pk)
    briefs = BriefPage.objects.for_listing().filter(cited_sources__source=source)
    citations = [{"key": k, "label": s.label, **source.formatted_in(k)} for k, s in STYLES.items()]
    return TemplateResponse(
        request,
        "sources/source_detail.html",
        {"source": source, "briefs": briefs, "citations": citations},
    )

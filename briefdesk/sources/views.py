"""A public page per source: what it is, its citation in every style, downloads, and which
published briefs cite it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from briefdesk.citations.styles import STYLES
from briefdesk.citations.views import DOWNLOADS, download, text_entry

from .models import Source


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from briefdesk.briefs.models import BriefPage

    source = get_object_or_404(Source.objects.select_related("outlet"), pk=pk)
    briefs = BriefPage.objects.for_listing().filter(cited_sources__source=source)
    citations = [{"key": k, "label": s.name, **source.formatted_in(k)} for k, s in STYLES.items()]
    return TemplateResponse(
        request,
        "sources/source_detail.html",
        {"source": source, "briefs": briefs, "citations": citations},
    )


def source_cite_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """cite.txt?style=KEY[&form=citation], and cite.json / cite.bib / cite.ris downloads."""
    source = get_object_or_404(Source.objects.select_related("outlet"), pk=pk)
    if fmt == "txt":
        return text_entry(request, source.formatted or {})
    if fmt not in DOWNLOADS:
        raise Http404(f"No citation format {fmt!r}")
    return download([source.to_csl()], fmt, f"source-{source.pk}")

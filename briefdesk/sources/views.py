"""A public page per source: what it is, its citation in every style, downloads, and which
published briefs cite it.

A source has a public page only while readers can reach it from a brief: it is live (its
published version is what is shown) and at least one live brief without a view restriction
cites it. Anything else answers 404, so draft sources and sources cited only by drafts or
private briefs cannot be found by walking the sequential ids."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from briefdesk.citations.styles import STYLES
from briefdesk.citations.views import DOWNLOADS, download, text_entry

from .models import Source


def public_source(pk: int) -> Source:
    """The live source with this id if a live, public brief cites it; else Http404."""
    from briefdesk.briefs.models import BriefPage

    public_briefs = BriefPage.objects.live().public().values("pk")
    return get_object_or_404(
        Source.objects.select_related("outlet")
        .filter(live=True, citing_briefs__page__in=public_briefs)
        .distinct(),
        pk=pk,
    )


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from briefdesk.briefs.models import BriefPage

    source = public_source(pk)
    briefs = BriefPage.objects.for_listing().filter(cited_sources__source=source)
    citations = [{"key": k, "label": s.name, **source.formatted_in(k)} for k, s in STYLES.items()]
    return TemplateResponse(
        request,
        "sources/source_detail.html",
        {"source": source, "briefs": briefs, "citations": citations},
    )


def source_cite_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """cite.txt?style=KEY[&form=citation], and cite.json / cite.bib / cite.ris downloads."""
    source = public_source(pk)
    if fmt == "txt":
        return text_entry(request, source.formatted or {})
    if fmt not in DOWNLOADS:
        raise Http404(f"No citation format {fmt!r}")
    return download([source.to_csl()], fmt, f"source-{source.pk}")

"""A public page per source: what it is, its citation in every style, downloads, and which
published briefs cite it; and an index of those pages (/sources/).

A source has a public page only while readers can reach it from a brief: it is live (its
published version is what is shown) and at least one live brief without a view restriction
cites it. Anything else answers 404, so draft sources and sources cited only by drafts or
private briefs cannot be found by walking the sequential ids. The index and the sitemap list
exactly those sources (`public_sources`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe

from briefdesk.citations.styles import STYLES
from briefdesk.citations.views import DOWNLOADS, download, text_entry

from .kinds import KIND_LABELS, Kind
from .metadata import source_head_metadata, source_record
from .models import Outlet, Source

SOURCES_PER_PAGE = 20


def public_sources() -> QuerySet[Source]:
    """Live sources cited by at least one live brief without a view restriction."""
    from briefdesk.briefs.models import BriefPage, BriefSource

    public_briefs = BriefPage.objects.live().public().values("pk")
    cited = BriefSource.objects.filter(page__in=public_briefs).values("source")
    return Source.objects.filter(live=True, pk__in=cited)


def public_source(pk: int) -> Source:
    """The live source with this id if a live, public brief cites it; else Http404."""
    return get_object_or_404(public_sources().select_related("outlet"), pk=pk)


def source_page_url(source: Source) -> str:
    """The source page's absolute URL on the canonical origin (WAGTAILADMIN_BASE_URL)."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{reverse('sources:detail', args=[source.pk])}"


def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from briefdesk.briefs.models import BriefPage

    source = public_source(pk)
    briefs = BriefPage.objects.for_listing().filter(cited_sources__source=source)
    citations = [{"key": k, "label": s.name, **source.formatted_in(k)} for k, s in STYLES.items()]
    record = source_record(
        source.to_csl(), source.kind, source_page_url(source), outlet=source.outlet_name
    )
    head = source_head_metadata(record)
    return TemplateResponse(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "briefs": briefs,
            "citations": citations,
            # json_ld_script_body escapes what could end the <script> element: mark it safe,
            # or the template would HTML-escape the JSON into something no parser reads.
            "head": dataclasses.replace(head, json_ld=mark_safe(head.json_ld)),
        },
    )


def source_index(request: HttpRequest) -> HttpResponse:
    """Every source with a public page, newest first (by publication date, then id), filtered
    by ?outlet=<id> and ?kind=<kind>. An unknown filter value is ignored and said so (never a
    500); ?page= past the end shows the last page."""
    sources = public_sources()
    outlets = Outlet.objects.filter(sources__in=sources).distinct().order_by("name")
    kinds = set(sources.order_by().values_list("kind", flat=True).distinct())
    problems: list[str] = []

    outlet = _chosen(request, "outlet", {str(o.pk): o for o in outlets})
    if outlet is _UNKNOWN:
        problems.append("There is no such outlet among the sources: showing every outlet.")
    elif outlet is not None:
        sources = sources.filter(outlet=outlet)
    kind = _chosen(request, "kind", {k.value: k for k in Kind if k.value in kinds})
    if kind is _UNKNOWN:
        problems.append("There is no such kind of source here: showing every kind.")
    elif kind is not None:
        sources = sources.filter(kind=kind)

    ordered = sources.select_related("outlet").order_by("-issued", "-pk")
    page = Paginator(ordered, SOURCES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "sources/source_index.html",
        {
            "sources": page,
            "outlets": outlets,
            "kinds": [(k.value, KIND_LABELS[k]) for k in Kind if k.value in kinds],
            "outlet": outlet if isinstance(outlet, Outlet) else None,
            "kind": kind if isinstance(kind, Kind) else None,
            "problems": problems,
        },
    )


_UNKNOWN: Any = object()


def _chosen(request: HttpRequest, name: str, choices: dict[str, Any]) -> Any:
    """The choice a GET parameter names: None when absent or empty, _UNKNOWN when it names
    none of `choices`."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    return choices.get(value, _UNKNOWN)


def source_cite_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """cite.txt?style=KEY[&form=citation], and cite.json / cite.bib / cite.ris downloads."""
    source = public_source(pk)
    if fmt == "txt":
        return text_entry(request, source.formatted or {})
    if fmt not in DOWNLOADS:
        raise Http404(f"No citation format {fmt!r}")
    return download([source.to_csl()], fmt, f"source-{source.pk}")

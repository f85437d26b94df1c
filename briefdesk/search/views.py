"""A simple site search over published briefs, topics and authors."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from wagtail.models import Page

MAX_QUERY = 200


def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query)
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "search/search.html", {"query": query, "results": page})

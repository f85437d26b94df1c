"""A simple site search over published briefs, topics and authors.

Whatever a reader types is reduced to plain search words before it reaches the search backend:
quotes, NUL bytes, control characters and FTS5 syntax (AND OR NOT NEAR * ^ : ( ) - and quotes)
would otherwise reach SQLite's MATCH as a query language and fail with a 500. The price is
that no operator syntax is offered: every word is simply searched for.
"""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from wagtail.models import Page

MAX_QUERY = 200
MAX_TERMS = 12
MAX_TERM = 60
_WORD = re.compile(r"[^\W_]+")  # letters and digits in any script; never FTS5 punctuation
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def search_terms(query: str) -> str:
    """The words of `query`, lowercased (FTS5 reads upper-case AND/OR/NOT/NEAR as operators),
    at most MAX_TERMS words of at most MAX_TERM characters, joined by spaces; "" if none."""
    words = [w.lower()[:MAX_TERM] for w in _WORD.findall(query)]
    return " ".join(words[:MAX_TERMS])


def _prefetch_brief_authors(results: list[Page]) -> None:
    """Load the authors of the briefs among `results` in one query (each brief's COinS item
    names them), instead of one query per brief."""
    from briefdesk.briefs.models import BriefAuthor, BriefPage

    briefs = [page for page in results if isinstance(page, BriefPage)]
    prefetch_related_objects(
        briefs, Prefetch("brief_authors", queryset=BriefAuthor.objects.select_related("author"))
    )


def search(request: HttpRequest) -> HttpResponse:
    # Shown back to the reader (autoescaped by the template); control characters dropped.
    query = " ".join(_CONTROL.sub(" ", request.GET.get("q") or "").split())[:MAX_QUERY]
    terms = search_terms(query)
    results = Page.objects.none()
    if terms:
        results = Page.objects.live().public().specific().search(terms)
    # get_page answers page 1 for "abc" or "-1" and the last page for one past the end.
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # the search runs once; prefetches stay on it
    _prefetch_brief_authors(page.object_list)
    return TemplateResponse(request, "search/search.html", {"query": query, "results": page})

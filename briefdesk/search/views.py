"""The search page: /search/?q=…&type=&topic=&expert=&year=&outlet=&kind=&sort=&page=

Whatever a reader types is reduced to plain search words before it reaches the search backend
(`params.search_terms`): quotes, NUL bytes, control characters and FTS5 syntax (AND OR NOT
NEAR * ^ : ( ) - and quotes) would otherwise reach SQLite's MATCH as a query language and fail
with a 500. The price is that no operator syntax is offered: every word is searched for.

A filter or sort that names nothing answers 400 with the page, the reason and no results;
`?page=` past the end shows the last page and "abc" the first, as every listing does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from briefdesk.citations.styles import DEFAULT_STYLE

from .params import BRIEF, EXPERT, GUIDE, SOURCE, SearchParams, read_params
from .query import Hit, Outcome, run_search
from .snippets import highlight, snippet

FACET_TITLES = {
    "type": "Type",
    "topic": "Topic",
    "expert": "Expert",
    "year": "Year",
    "outlet": "Outlet",
    "kind": "Kind of source",
}


def search(request: HttpRequest) -> HttpResponse:
    params, problems = read_params(request.GET)
    outcome = None if problems else run_search(params)
    words = (outcome.corrected if outcome and outcome.corrected else params.terms).split()
    context: dict[str, Any] = {
        "query": params.query,
        "params": params,
        "problems": problems,
        "outcome": outcome,
        "results": outcome.page if outcome else None,
        "items": [result_item(hit, record, words) for hit, record in outcome.page]
        if outcome
        else [],
        "facets": facet_groups(outcome, params) if outcome else [],
        "sort_links": sort_links(params),
        "page_query": urlencode(_state(params)),
    }
    return TemplateResponse(request, "search/search.html", context, status=400 if problems else 200)


def result_item(hit: Hit, record: Any, words: list[str]) -> dict[str, Any]:
    """What one result shows, by kind: a brief is shown by includes/brief_item.html (with a
    passage of its body when the words are not in its teaser); the others here."""
    item: dict[str, Any] = {"kind": hit.kind, "record": record}
    if hit.kind == BRIEF:
        shown = f"{record.title} {record.teaser}".casefold()
        body = hit.text.casefold()
        missing = [w for w in words if w.casefold() not in shown]
        # A passage only where the body holds a word the title and teaser do not (a word
        # found in the authors' names is shown by the byline).
        if any(w.casefold() in body for w in missing):
            item["snippet"] = snippet(hit.text, words)
        return item
    if hit.kind == GUIDE:
        from briefdesk.briefs.teasers import plain_text

        item.update(
            label=record.label or "Topic guide",
            url=record.url,
            title=highlight(record.title, words),
            snippet=snippet(record.description or plain_text(str(record.introduction)), words),
        )
    elif hit.kind == EXPERT:
        from briefdesk.briefs.teasers import plain_text

        item.update(
            label="Expert",
            url=record.url,
            title=highlight(record.title, words),
            role=record.role,
            snippet=snippet(plain_text(str(record.bio)), words),
        )
    elif hit.kind == SOURCE:
        item.update(
            label=f"Source · {record.kind_label}",
            url=record.get_absolute_url(),
            title=highlight(record.display_title, words),
            outlet=record.outlet_name,
            citation=record.formatted_in(DEFAULT_STYLE),
        )
    return item


def _state(params: SearchParams, **changes: str) -> dict[str, str]:
    """The query string of this search with `changes` (an empty value drops the key)."""
    state = {"q": params.query, **params.applied}
    if params.sort != "relevance":
        state["sort"] = params.sort
    state.update(changes)
    return {k: v for k, v in state.items() if v}


def facet_groups(outcome: Outcome, params: SearchParams) -> list[dict[str, Any]]:
    """Each facet with a link per value: choosing a value, or removing it when chosen."""
    groups = []
    for name, values in outcome.facets.items():
        links = [
            {
                "facet": facet,
                "href": "?"
                + urlencode(_state(params, **{name: "" if facet.chosen else facet.value})),
            }
            for facet in values
        ]
        groups.append({"name": name, "title": FACET_TITLES[name], "links": links})
    return groups


def sort_links(params: SearchParams) -> list[dict[str, Any]]:
    return [
        {
            "label": label,
            "current": params.sort == value,
            "href": "?" + urlencode(_state(params, sort="" if value == "relevance" else value)),
        }
        for value, label in (("relevance", "Relevance"), ("date", "Date"))
    ]

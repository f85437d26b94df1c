"""What a reader asked the search page for, read from the query string and checked.

    params, problems = read_params(request.GET)   # problems: one sentence per bad parameter

Every parameter is checked the same way: absent or empty means "not set"; a value that names
nothing on the site (a topic slug that is no published, public guide; a year that is not a
number; a sort that is neither "relevance" nor "date") is a problem, and the view answers
400 with the sentence and no results. `?page=` is the exception, as everywhere on the site:
Django's `Paginator.get_page` reads "abc" as page 1 and a page past the end as the last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.text import slugify

from briefdesk.briefs.models import BRIEF_TYPES

MAX_QUERY = 200
MAX_TERMS = 12
MAX_TERM = 60
_WORD = re.compile(r"[^\W_]+")  # letters and digits in any script; never FTS5 punctuation
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

BRIEF, GUIDE, EXPERT, SOURCE = "brief", "guide", "expert", "source"
KINDS = (BRIEF, GUIDE, EXPERT, SOURCE)
KIND_LABELS = {BRIEF: "Briefs", GUIDE: "Topic guides", EXPERT: "Experts", SOURCE: "Sources"}
# ?type= is a kind of result, or one brief type (which implies briefs).
BRIEF_TYPE_SLUGS = {slugify(t): t for t in BRIEF_TYPES}
SORTS = ("relevance", "date")


def search_terms(query: str) -> str:
    """The words of `query`, lowercased (FTS5 reads upper-case AND/OR/NOT/NEAR as operators),
    at most MAX_TERMS words of at most MAX_TERM characters, joined by spaces; "" if none."""
    words = [w.lower()[:MAX_TERM] for w in _WORD.findall(query)]
    return " ".join(words[:MAX_TERMS])


def shown_query(raw: str) -> str:
    """The query as the page repeats it: control characters dropped, spaces collapsed, cut
    at MAX_QUERY characters (the template escapes it)."""
    return " ".join(_CONTROL.sub(" ", raw).split())[:MAX_QUERY]


@dataclass(frozen=True)
class SearchParams:
    """A checked search request. `topic`, `expert` and `outlet` are the records themselves."""

    query: str = ""
    terms: str = ""
    type: str = ""
    topic: Any = None
    expert: Any = None
    year: int | None = None
    outlet: Any = None
    kind: str = ""
    sort: str = "relevance"
    page: str = "1"
    applied: dict[str, str] = field(default_factory=dict)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of result the filters allow. A facet narrows the results to those it
        describes: a topic to its briefs and guides, an expert to their briefs and page, a
        year to dated results (briefs, sources), an outlet or source kind to sources."""
        allowed = set(KINDS)
        if self.type in KINDS:
            allowed &= {self.type}
        elif self.type:
            allowed &= {BRIEF}
        if self.topic is not None:
            allowed &= {BRIEF, GUIDE}
        if self.expert is not None:
            allowed &= {BRIEF, EXPERT}
        if self.year is not None:
            allowed &= {BRIEF, SOURCE}
        if self.outlet is not None or self.kind:
            allowed &= {SOURCE}
        return tuple(k for k in KINDS if k in allowed)

    @property
    def brief_type(self) -> str:
        return BRIEF_TYPE_SLUGS.get(self.type, "")


def read_params(get: QueryDict) -> tuple[SearchParams, list[str]]:
    """The search request in `get`, and a sentence for each parameter that names nothing."""
    from briefdesk.briefs.models import AuthorPage
    from briefdesk.sources.kinds import KIND_LABELS as SOURCE_KINDS
    from briefdesk.sources.models import Outlet
    from briefdesk.topics.models import TopicGuidePage

    query = shown_query(get.get("q") or "")
    values = {name: (get.get(name) or "").strip() for name in FILTERS}
    problems: list[str] = []
    found: dict[str, Any] = {}

    if values["type"] and values["type"] not in KINDS and values["type"] not in BRIEF_TYPE_SLUGS:
        problems.append(
            "There is no such type of result: use brief, guide, expert, source "
            "or a brief type such as analysis-brief."
        )
    if values["topic"]:
        found["topic"] = (
            TopicGuidePage.objects.live().public().filter(slug=values["topic"][:255]).first()
        )
        if found["topic"] is None:
            problems.append("There is no such topic guide.")
    if values["expert"]:
        found["expert"] = (
            AuthorPage.objects.live().public().filter(slug=values["expert"][:255]).first()
        )
        if found["expert"] is None:
            problems.append("There is no such expert.")
    year = values["year"]
    if year and not (year.isascii() and year.isdigit() and len(year) == 4):
        problems.append("A year is four digits, such as 2010.")
    if values["outlet"]:
        outlet = values["outlet"]
        found["outlet"] = (
            Outlet.objects.filter(pk=int(outlet)).first()
            if outlet.isascii() and outlet.isdigit() and len(outlet) <= 18
            else None
        )
        if found["outlet"] is None:
            problems.append("There is no such outlet.")
    if values["kind"] and values["kind"] not in {k.value for k in SOURCE_KINDS}:
        problems.append("There is no such kind of source.")
    sort = values["sort"] or "relevance"
    if sort not in SORTS:
        problems.append("Sort by relevance or date.")
        sort = "relevance"

    applied = {name: value[:100] for name, value in values.items() if value and name != "sort"}
    params = SearchParams(
        query=query,
        terms=search_terms(query),
        type=values["type"] if not problems else "",
        topic=found.get("topic"),
        expert=found.get("expert"),
        year=int(year) if year and not problems else None,
        outlet=found.get("outlet"),
        kind=values["kind"] if not problems else "",
        sort=sort,
        page=get.get("page") or "1",
        applied=applied,
    )
    return params, problems


FILTERS = ("type", "topic", "expert", "year", "outlet", "kind", "sort")

"""Source search in the admin, as one ORM query that runs the same on SQLite and PostgreSQL.

    sources = search_sources(Source.objects.all(), "Reuters")  # ranked, newest first per rank
    initial = prefill_from("https://www.dawn.com/news/123.pdf", today=date.today())

The query is parsed and ranked as `finding` says (`finding.rank` is the plain-data version of
`rank_expression` below; the tests hold the two to the same table). Plain `icontains` lookups,
not Wagtail's search index: the index needs `update_index` after every import, and its
SQLite and PostgreSQL backends tokenise differently, so "NYT" or a URL would find different
things on the two. A source search scans one table joined to outlets, which stays fast for
the tens of thousands of sources a newsroom holds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from briefdesk.importers.matching import url_variants

from .doi import doi as parse_doi
from .finding import Query, Rank, domain, is_pdf_url, parse_query
from .kinds import Kind
from .models import Outlet, Source


def search_sources(
    queryset: QuerySet[Source], text: str, *, ranked: bool = True
) -> QuerySet[Source]:
    """The sources in `queryset` that match `text`, best first (see finding.Rank), newest
    publication date first within a rank. With `ranked=False` the queryset's own order is
    kept (a listing sorted by a column). Blank text returns `queryset` unchanged."""
    query = parse_query(text)
    if not (query.words or query.is_identifier):
        return queryset
    found = queryset.filter(match_condition(query))
    if not ranked:
        return found
    return found.annotate(search_rank=rank_expression(query)).order_by(
        "search_rank", "-issued", "-pk"
    )


def match_condition(query: Query) -> Q:
    """Which sources match: the identifier anywhere it may be stored, or every word in some
    field."""
    if query.is_identifier:
        condition = _identifier(query)
        if query.doi:
            condition |= Q(url__icontains=query.doi) | Q(csl_extra__DOI__icontains=query.doi)
        if query.url:
            condition |= Q(url__icontains=query.url)
        return condition
    condition = Q()
    for word in query.words:
        condition &= _word(word)
    return condition


def rank_expression(query: Query) -> Case:
    """finding.Rank as a database expression."""
    typed = query.text
    whens = [When(_identifier(query), then=Value(int(Rank.IDENTIFIER)))]
    if query.words:
        label = Q()
        for field in ("outlet__name", "outlet__short_label", "label", "number"):
            label |= Q(**{f"{field}__iexact": typed}) | Q(**{f"{field}__iexact": f"the {typed}"})
        title = Q(title__istartswith=typed) | Q(title__icontains=f" {typed}")
        whens += [
            When(label, then=Value(int(Rank.LABEL))),
            When(title, then=Value(int(Rank.TITLE))),
            When(_author_named(typed), then=Value(int(Rank.AUTHOR))),
        ]
    return Case(*whens, default=Value(int(Rank.OTHER)), output_field=IntegerField())


def _identifier(query: Query) -> Q:
    """The source holding exactly this URL or DOI (a stored DOI may keep a doi.org prefix)."""
    condition = Q(pk__in=[])
    if query.url:
        condition |= Q(url__in=url_variants(query.url))
    if query.doi:
        condition |= (
            Q(csl_extra__DOI__iexact=query.doi)
            | Q(csl_extra__DOI__iexact=f"doi:{query.doi}")
            | Q(csl_extra__DOI__iendswith=f"doi.org/{query.doi}")
        )
    return condition


def _author_named(name: str) -> Q:
    """An author whose family name (or organisation's name) is `name`, ignoring case. The
    list is matched as JSON text, which both databases write as `"key": "value"`."""
    condition = Q()
    for key in ("family", "literal"):
        for spelling in _json_spellings(name):
            condition |= Q(authors__icontains=f'"{key}": "{spelling}"')
    return condition


def _json_spellings(text: str) -> list[str]:
    """`text` as it appears inside a JSON string: SQLite stores non-ASCII letters escaped
    ("M\\u00fcller"), PostgreSQL as they are; quotes and backslashes are escaped in both."""
    plain = json.dumps(text, ensure_ascii=False)[1:-1]
    escaped = json.dumps(text)[1:-1]
    return [plain] if plain == escaped else [plain, escaped]


def _word(word: str) -> Q:
    condition = Q()
    for field in (
        "title",
        "outlet__name",
        "outlet__short_label",
        "url",
        "number",
        "label",
        "csl_extra__DOI",
    ):
        condition |= Q(**{f"{field}__icontains": word})
    for spelling in _json_spellings(word):
        condition |= Q(authors__icontains=spelling)
    return condition


def has_identifier_match(queryset: QuerySet[Source], text: str) -> bool:
    """Some source in `queryset` holds exactly the URL or DOI in `text`."""
    query = parse_query(text)
    return query.is_identifier and queryset.filter(_identifier(query)).exists()


def prefill_from(text: str, *, today: dt.date) -> dict[str, Any]:
    """Initial values for a new source from a pasted URL or DOI, from what it says by itself
    (no request is made): the URL or DOI, the kind ("Journal article" for a DOI, "Report" and
    medium PDF for a .pdf), the outlet whose home page or sources share its domain, and today
    as the accessed date. Empty when `text` is neither a URL nor a DOI."""
    query = parse_query(text)
    if not query.is_identifier:
        return {}
    initial: dict[str, Any] = {"accessed": today}
    if query.doi:
        initial.update(doi=parse_doi(query.text), kind=Kind.JOURNAL_ARTICLE.value)  # case as typed
        return initial
    url = query.pasted
    initial["url"] = url
    if is_pdf_url(url):
        initial.update(kind=Kind.REPORT.value, medium="PDF")
    outlet = outlet_for_domain(domain(url))
    if outlet is not None:
        initial["outlet"] = outlet.pk
    return initial


def outlet_for_domain(host: str) -> Outlet | None:
    """The outlet at this domain: the one whose home page is there, else the one most of the
    sources from there belong to. None when no record says."""
    if not host:
        return None
    for outlet in Outlet.objects.filter(home_url__icontains=host).order_by("pk"):
        if domain(outlet.home_url) == host:
            return outlet
    rows = (
        Source.objects.filter(url__icontains=host, outlet__isnull=False)
        .order_by("-pk")
        .values_list("outlet_id", "url")[:200]
    )
    votes = Counter(outlet_id for outlet_id, url in rows if domain(url) == host)
    if not votes:
        return None
    return Outlet.objects.filter(pk=votes.most_common(1)[0][0]).first()

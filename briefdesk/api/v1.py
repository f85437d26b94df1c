"""Version 1 of the read API: GET only, at /api/v1/, described at /api/v1/openapi.json.

No interactive docs page: django-ninja's Swagger UI loads its scripts from a CDN and runs
inline scripts, which the site's Content-Security-Policy (and a server that talks to nothing
but loopback) forbids. docs/api.md documents the endpoints.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query
from ninja.errors import HttpError

from briefdesk.briefs.models import AuthorPage, BriefAuthor, BriefTopic
from briefdesk.sources.models import Source
from briefdesk.topics.guide import covered_guide_ids

from . import content
from .content import Reader
from .http import ReadAPI, etagged, reject_unknown_parameters
from .schemas import (
    BriefDetail,
    BriefFilters,
    BriefList,
    Error,
    ExpertDetail,
    ExpertList,
    GuideDetail,
    GuideList,
    Index,
    Paging,
    SourceDetail,
    SourceList,
)

# The largest id SQLite and PostgreSQL bigint hold: a bigger one names nothing (and would
# overflow the query).
MAX_ID = 2**63 - 1
ERRORS: dict[int, type[Error]] = {400: Error, 404: Error}

api = ReadAPI(
    title="Briefdesk read API",
    version="1",
    description="Published briefs, topic guides, experts and sources. Read-only; see "
    "docs/api.md. Drafts, private pages and unpublished sources never appear.",
    urls_namespace=content.NAMESPACE,
    openapi_url="/openapi.json",
    docs_url=None,
    docs_decorator=etagged,
)
api.add_decorator(reject_unknown_parameters, mode="view")


def paginate(
    request: HttpRequest, queryset: QuerySet[Any], paging: Paging
) -> tuple[dict[str, Any], list[Any]]:
    """The page's envelope (count, pages, next/previous links) and its rows. A page past the
    last is a 404; an empty list has one empty page."""
    count = queryset.count()
    pages = max(1, math.ceil(count / paging.per_page))
    if paging.page > pages:
        raise HttpError(
            404, f"There is no page {paging.page}: there are {pages} page(s) of {paging.per_page}."
        )
    start = (paging.page - 1) * paging.per_page
    rows = list(queryset[start : start + paging.per_page])

    def link(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        query = request.GET.copy()
        query["page"] = str(number)
        return content.absolute(f"{request.path}?{query.urlencode()}")

    envelope = {
        "count": count,
        "page": paging.page,
        "per_page": paging.per_page,
        "pages": pages,
        "next": link(paging.page + 1),
        "previous": link(paging.page - 1),
    }
    return envelope, rows


def _slug(value: str, what: str) -> str:
    if not content.is_slug(value):
        raise HttpError(404, f"No {what} with slug {value!r}.")
    return value


@api.get("/", response=Index, url_name="index", summary="Where everything is")
def index(request: HttpRequest) -> dict[str, str]:
    return {
        "briefs": content.api_url("briefs"),
        "guides": content.api_url("guides"),
        "experts": content.api_url("experts"),
        "sources": content.api_url("sources"),
        "openapi": content.api_url("openapi-json"),
    }


# --- briefs -------------------------------------------------------------------------------


@api.get(
    "/briefs/",
    response={200: BriefList, **ERRORS},
    url_name="briefs",
    summary="Published briefs, newest first",
    tags=["briefs"],
)
def briefs(request: HttpRequest, filters: Query[BriefFilters]) -> dict[str, Any]:
    """Filter by topic guide slug, expert slug, type and publication date (inclusive). A
    topic guide covers its sub-guides: `topic` lists the briefs filed under the guide or
    under a sub-guide a reader may open, as the guide's page does. A topic or expert no
    reader can see is a 404, as an unknown one is."""
    reader = Reader.for_request(request)
    queryset = content.public_briefs(reader).defer("additional_analysis", "citations")
    if filters.topic:
        topics = list(
            content.public_guides(reader)
            .filter(slug=_slug(filters.topic, "topic guide"))
            .only("pk", "path")
        )
        if not topics:
            raise HttpError(404, f"No topic guide with slug {filters.topic!r}.")
        covered = covered_guide_ids(topics, reader.restricted)
        queryset = queryset.filter(
            pk__in=BriefTopic.objects.filter(topic__in=covered).values("page")
        )
    if filters.expert:
        experts = content.public_experts(reader).filter(slug=_slug(filters.expert, "expert"))
        if not experts.exists():
            raise HttpError(404, f"No expert with slug {filters.expert!r}.")
        queryset = queryset.filter(
            pk__in=BriefAuthor.objects.filter(author__in=experts).values("page")
        )
    if filters.type:
        queryset = queryset.filter(brief_type=filters.type)
    if filters.date_from:
        queryset = queryset.filter(date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(date__lte=filters.date_to)
    envelope, rows = paginate(request, queryset, filters)
    return {**envelope, "items": [content.brief_summary(b, reader) for b in rows]}


@api.get(
    "/briefs/{slug}/",
    response={200: BriefDetail, **ERRORS},
    url_name="brief",
    summary="One published brief, with its body, sources and citations",
    tags=["briefs"],
)
def brief(request: HttpRequest, slug: Path[str]) -> dict[str, Any]:
    reader = Reader.for_request(request)
    found = content.public_briefs(reader).filter(slug=_slug(slug, "published brief")).first()
    if found is None:
        raise HttpError(404, f"No published brief with slug {slug!r}.")
    return content.brief_detail(found, reader)


# --- topic guides -------------------------------------------------------------------------


@api.get(
    "/guides/",
    response={200: GuideList, **ERRORS},
    url_name="guides",
    summary="Topic guides, by title",
    tags=["guides"],
)
def guides(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    reader = Reader.for_request(request)
    tree = content.GuideTree.load(reader)
    envelope, rows = paginate(request, content.public_guides(reader), paging)
    items = [content.guide_summary(g, reader, tree, content.timeline(g, reader)) for g in rows]
    return {**envelope, "items": items}


@api.get(
    "/guides/{slug}/",
    response={200: GuideDetail, **ERRORS},
    url_name="guide",
    summary="One topic guide, with its key facts and timeline",
    tags=["guides"],
)
def guide(request: HttpRequest, slug: Path[str]) -> dict[str, Any]:
    """Sub-guides under different guides may share a slug: the one nearest the top of the
    tree is answered."""
    reader = Reader.for_request(request)
    found = (
        content.public_guides(reader)
        .filter(slug=_slug(slug, "topic guide"))
        .order_by("depth", "path")
        .first()
    )
    if found is None:
        raise HttpError(404, f"No topic guide with slug {slug!r}.")
    return content.guide_detail(found, reader, content.GuideTree.load(reader))


# --- experts ------------------------------------------------------------------------------


@api.get(
    "/experts/",
    response={200: ExpertList, **ERRORS},
    url_name="experts",
    summary="Experts (authors), by family name",
    tags=["experts"],
)
def experts(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    reader = Reader.for_request(request)
    envelope, rows = paginate(request, content.public_experts(reader), paging)
    return {**envelope, "items": [content.expert_summary(a, reader) for a in rows]}


@api.get(
    "/experts/{slug}/",
    response={200: ExpertDetail, **ERRORS},
    url_name="expert",
    summary="One expert",
    tags=["experts"],
)
def expert(request: HttpRequest, slug: Path[str]) -> dict[str, Any]:
    reader = Reader.for_request(request)
    found: AuthorPage | None = (
        content.public_experts(reader).filter(slug=_slug(slug, "expert")).first()
    )
    if found is None:
        raise HttpError(404, f"No expert with slug {slug!r}.")
    return content.expert_detail(found, reader)


# --- sources ------------------------------------------------------------------------------


@api.get(
    "/sources/",
    response={200: SourceList, **ERRORS},
    url_name="sources",
    summary="Sources cited by published briefs, newest first",
    tags=["sources"],
)
def sources(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    envelope, rows = paginate(request, content.shown_sources(), paging)
    return {**envelope, "items": [content.source_summary(s) for s in rows]}


@api.get(
    "/sources/{id}/",
    response={200: SourceDetail, **ERRORS},
    url_name="source",
    summary="One source: CSL-JSON, stored citations and the briefs citing it",
    tags=["sources"],
)
def source(request: HttpRequest, id: Path[int]) -> dict[str, Any]:
    reader = Reader.for_request(request)
    found: Source | None = (
        content.shown_sources().filter(pk=id).first() if 1 <= id <= MAX_ID else None
    )
    if found is None:
        raise HttpError(404, f"No published source with id {id}.")
    return content.source_detail(found, reader)

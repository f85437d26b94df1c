"""The read API's shapes: query parameters in, JSON out. The OpenAPI schema at
/api/v1/openapi.json is generated from these classes, so it cannot drift from the code.

Dates are ISO 8601 (YYYY-MM-DD). `url` is always the public page on the site's canonical
origin; `api_url` the same thing in this API. HTML fields are sanitised, with site links made
absolute."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Schema

from briefdesk.briefs.models import BRIEF_TYPES

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20

if TYPE_CHECKING:
    BriefType = str  # a Literal of BRIEF_TYPES, built at run time: mypy cannot read it
else:
    BriefType = Literal[tuple(BRIEF_TYPES)]


# --- query parameters -------------------------------------------------------------------


class Paging(Schema):
    page: int = Field(1, ge=1, description="1-based page number.")
    per_page: int = Field(
        DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE, description="Items per page (at most 100)."
    )


class BriefFilters(Paging):
    topic: str | None = Field(
        None,
        max_length=255,
        description="A topic guide's slug: briefs filed under it or under one of its "
        "published, public sub-guides.",
    )
    expert: str | None = Field(
        None, max_length=255, description="An expert's (author's) slug: briefs they wrote."
    )
    type: BriefType | None = Field(None, description="The brief type, exactly as listed.")
    date_from: dt.date | None = Field(None, description="Published on or after (YYYY-MM-DD).")
    date_to: dt.date | None = Field(None, description="Published on or before (YYYY-MM-DD).")


# --- shared pieces ----------------------------------------------------------------------


class Error(Schema):
    detail: str = Field(description="What was wrong, in a sentence.")
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="For a refused parameter: pydantic's error list."
    )


class Page(Schema):
    count: int = Field(description="Items in all pages.")
    page: int
    per_page: int
    pages: int = Field(description="Number of pages (1 when there are no items).")
    next: str | None = Field(description="URL of the next page, or null.")
    previous: str | None = Field(description="URL of the previous page, or null.")


class Citation(Schema):
    """A citation as stored (citeproc-js output): HTML variants are escaped already."""

    bibliography: str = ""
    bibliography_html: str = ""
    citation: str = ""
    citation_html: str = ""
    subsequent: str = ""
    subsequent_html: str = ""
    notes_only: bool = False


Citations = dict[str, Citation]


class AuthorRef(Schema):
    name: str
    slug: str | None = Field(description="Null when the expert has no public page.")
    url: str | None
    api_url: str | None


class TopicRef(Schema):
    slug: str
    label: str
    title: str
    url: str | None
    api_url: str


class BriefRef(Schema):
    slug: str
    title: str
    url: str
    api_url: str


class SourceRef(Schema):
    id: int
    url: str = Field(description="The source's page on the site.")
    api_url: str
    csl: dict[str, Any] = Field(description="CSL-JSON item.")


# --- briefs -----------------------------------------------------------------------------


class BriefSummary(Schema):
    id: int
    slug: str
    url: str = Field(description="Canonical URL (what citations print).")
    api_url: str
    title: str
    type: str
    number: str = Field(description="Series number, e.g. 2026-7 (may be empty).")
    date: dt.date
    updated: dt.date | None
    teaser: str
    authors: list[AuthorRef]
    topics: list[TopicRef]


class BriefDetail(BriefSummary):
    body_html: str
    additional_analysis_html: str
    sources: list[SourceRef] = Field(description="Cited sources, in order of first citation.")
    citations: Citations = Field(description="The brief's own citation, by style key.")


class BriefList(Page):
    items: list[BriefSummary]


# --- topic guides -----------------------------------------------------------------------


class KeyFact(Schema):
    label: str
    value: str


class TimelineEvent(Schema):
    date: dt.date | None
    text_html: str
    briefs: list[str] = Field(description="Slugs of the briefs on this event.")


class GuideSummary(Schema):
    id: int
    slug: str
    url: str | None
    api_url: str
    label: str
    title: str
    description: str
    parent: str | None = Field(description="Slug of the guide this is a sub-topic of.")
    latest_event: TimelineEvent | None
    briefs_url: str


class GuideDetail(GuideSummary):
    introduction_html: str
    key_facts: list[KeyFact]
    timeline: list[TimelineEvent] = Field(description="Newest first.")
    sub_guides: list[TopicRef]


class GuideList(Page):
    items: list[GuideSummary]


# --- experts ----------------------------------------------------------------------------


class Link(Schema):
    label: str
    url: str


class ExpertSummary(Schema):
    id: int
    slug: str
    url: str | None
    api_url: str
    name: str
    role: str
    photo_url: str | None
    briefs_url: str


class ExpertDetail(ExpertSummary):
    bio_html: str
    links: list[Link]


class ExpertList(Page):
    items: list[ExpertSummary]


# --- sources ----------------------------------------------------------------------------


class SourceSummary(SourceRef):
    kind: str
    title: str


class SourceDetail(SourceSummary):
    citations: Citations = Field(description="Stored citations, by style key.")
    briefs: list[BriefRef] = Field(description="Published briefs citing the source.")


class SourceList(Page):
    items: list[SourceSummary]


class Index(Schema):
    briefs: str
    guides: str
    experts: str
    sources: str
    openapi: str

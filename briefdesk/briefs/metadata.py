"""Bibliographic metadata for a brief's <head>, for the programs that read it rather than people.

One brief becomes:

- Highwire Press tags (``citation_*``), read by Zotero's "Embedded Metadata" translator, by
  Mendeley's Web Importer and by Google Scholar. ``citation_technical_report_institution`` is
  the item-type signal: with it Zotero saves a *report*; without it, ``citation_title`` alone
  makes Zotero guess "journal article" (see docs/metadata.md);
- Dublin Core (``DC.*``) with its ``schema.DC`` link. ``DC.type`` is the brief type: Zotero
  copies it into the report's *Type*, which APA prints ("Analysis Brief No. 2026-7");
- OpenGraph (``og:*``, ``article:*``) and Twitter/X card (``twitter:*``) tags for link
  previews, with the brief's social image when it has one;
- schema.org JSON-LD (a Report that is also a NewsArticle subtype) listing the sources the
  brief cites;
- ``<link rel="alternate">`` to the CSL-JSON, BibTeX and RIS downloads.

A brief is a report everywhere: the bibliographic fields of a `BriefRecord` (title, authors,
date, publisher, type, number, URL, abstract, language) come from the brief's CSL item
(`BriefPage.to_csl`, read by `record_fields_from_csl`), the same item its citations and
downloads are made from.

No ORM here: the template tag (``briefs.templatetags.metadata_tags``) gathers a `BriefRecord`
from the page and renders what `head_metadata` returns. Values are plain text: the template
escapes them, and `json_ld_script_body` makes the JSON-LD safe inside a ``<script>`` element.
Only http(s) URLs are ever emitted (`web_url`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from briefdesk.sources.csl import display_name

LANGUAGE = "en"
OG_LOCALE = "en_US"
DUBLIN_CORE_NAMESPACE = "http://purl.org/dc/elements/1.1/"

# Each brief type as the most specific schema.org NewsArticle subtype that fits it.
ARTICLE_TYPES: dict[str, str] = {
    "Analysis Brief": "AnalysisNewsArticle",
    "Expert Brief": "AnalysisNewsArticle",
    "Backgrounder": "BackgroundNewsArticle",
    "Op-Ed": "OpinionNewsArticle",
    "Interview": "NewsArticle",
}
DEFAULT_ARTICLE_TYPE = "NewsArticle"

# Each source kind (briefdesk.sources.kinds.Kind) as a schema.org CreativeWork type; kinds
# schema.org has no type for (a cable, a broadcast, a speech) stay CreativeWork.
WORK_TYPES: dict[str, str] = {
    "news_article": "NewsArticle",
    "op_ed": "OpinionNewsArticle",
    "magazine_article": "Article",
    "web_page": "WebPage",
    "report": "Report",
    "government_document": "Report",
    "blog_post": "BlogPosting",
    "book": "Book",
    "journal_article": "ScholarlyArticle",
}
DEFAULT_WORK_TYPE = "CreativeWork"

# The citation downloads, relative to the brief's URL: (file name, media type, title).
DOWNLOADS: tuple[tuple[str, str, str], ...] = (
    ("cite.json", "application/vnd.citationstyles.csl+json", "CSL-JSON"),
    ("cite.bib", "application/x-bibtex", "BibTeX"),
    ("cite.ris", "application/x-research-info-systems", "RIS"),
)

ISO_PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")

# What django.utils.html.json_script escapes, so that no "</script>" or "<!--" can appear in
# the element's text (JSON parsers read the \\u escapes back as the same characters).
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# --- input -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An author of the brief."""

    given: str
    family: str
    url: str = ""

    @property
    def name(self) -> str:
        """Given name first, as a byline prints it."""
        return " ".join(part for part in (self.given, self.family) if part)

    @property
    def inverted(self) -> str:
        """'Family, Given' — the form Highwire and Dublin Core readers split unambiguously
        (Zotero splits a comma-less name at its last space)."""
        if self.family and self.given:
            return f"{self.family}, {self.given}"
        return self.family or self.given


@dataclass(frozen=True)
class CitedWork:
    """A source the brief cites. `kind` is a briefdesk.sources.kinds.Kind value; `issued` a
    partial ISO date (YYYY, YYYY-MM or YYYY-MM-DD); `authors` CSL-JSON names."""

    title: str
    url: str = ""
    kind: str = ""
    publisher: str = ""
    issued: str = ""
    authors: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class SharedImage:
    """The picture a link preview shows: an absolute URL, its alt text and pixel size."""

    url: str
    alt: str = ""
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class BriefRecord:
    """What the metadata says about one brief.

    `published` and `modified` are timezone-aware; `published` falls on the brief's
    publication date in the site's time zone (see `published_moment`). `number` is the
    brief's series number ("2026-7", empty when it has none; never a database id);
    `description` its abstract; `pdf_url` is the published brief's PDF (empty for a
    preview); `image` the picture for link previews, if any.
    """

    title: str
    url: str
    number: str
    brief_type: str
    published: dt.datetime
    modified: dt.datetime
    publisher: str
    site_name: str
    site_url: str
    description: str = ""
    authors: Sequence[Person] = ()
    topics: Sequence[str] = ()
    sources: Sequence[CitedWork] = ()
    pdf_url: str = ""
    image: SharedImage | None = None
    # The site's image: og:image when the brief has none (the Twitter card stays "summary").
    site_image: SharedImage | None = None
    language: str = LANGUAGE

    @property
    def date(self) -> dt.date:
        return self.published.date()

    @property
    def section(self) -> str:
        """The primary topic (topics are ordered, first is primary), else the brief type."""
        return self.topics[0] if self.topics else self.brief_type


# --- output ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    """``<meta {attribute}="{key}" content="{content}">``; attribute is "name" or "property"."""

    attribute: str
    key: str
    content: str


@dataclass(frozen=True)
class Link:
    """``<link rel="{rel}" href="{href}" type="{type}" title="{title}">`` (empty ones left out)."""

    rel: str
    href: str
    type: str = ""
    title: str = ""


@dataclass(frozen=True)
class HeadMetadata:
    """Everything the include renders. `json_ld` is the text of a
    ``<script type="application/ld+json">`` element, already safe to place there."""

    meta: list[Meta]
    links: list[Link]
    json_ld: str


def head_metadata(brief: BriefRecord) -> HeadMetadata:
    """Every tag and link for the brief's <head>, Highwire first, then Dublin Core, then
    OpenGraph and the Twitter/X card; tags with no value are left out."""
    return HeadMetadata(
        meta=[
            *highwire_tags(brief),
            *dublin_core_tags(brief),
            *open_graph_tags(brief),
            *twitter_tags(brief),
        ],
        links=[Link("schema.DC", DUBLIN_CORE_NAMESPACE), *alternate_links(brief)],
        json_ld=json_ld_script_body(schema_org(brief)),
    )


# --- the vocabularies --------------------------------------------------------------------


def _tags(attribute: str, pairs: Sequence[tuple[str, str]]) -> list[Meta]:
    return [Meta(attribute, key, value) for key, value in pairs if value]


def highwire_tags(brief: BriefRecord) -> list[Meta]:
    """Highwire Press tags. The technical-report pair makes Zotero save a report (its
    Embedded Metadata translator maps citation_technical_report_institution to itemType
    "report", which overrides every other type signal on the page) with the publisher as its
    institution and the series number as its report number (no number, no tag); authors are
    one tag each, in byline order; the date is YYYY/MM/DD as Google Scholar asks."""
    url = web_url(brief.url)
    return _tags(
        "name",
        [
            ("citation_title", brief.title),
            *(("citation_author", a.inverted) for a in brief.authors),
            ("citation_publication_date", f"{brief.date:%Y/%m/%d}"),
            ("citation_publisher", brief.publisher),
            ("citation_technical_report_institution", brief.publisher),
            ("citation_technical_report_number", brief.number),
            ("citation_public_url", url),
            ("citation_abstract", brief.description),
            ("citation_language", brief.language),
            *(("citation_keywords", topic) for topic in brief.topics),
            ("citation_pdf_url", web_url(brief.pdf_url)),
        ],
    )


def dublin_core_tags(brief: BriefRecord) -> list[Meta]:
    """Dublin Core elements (the "DC." prefix is declared by the schema.DC link). DC.type is
    the brief type, never the DCMI "Text": Zotero's RDF reader copies DC.type into the
    report's Type, and APA prints it before the number."""
    return _tags(
        "name",
        [
            ("DC.title", brief.title),
            *(("DC.creator", a.inverted) for a in brief.authors),
            ("DC.date", brief.date.isoformat()),
            ("DC.publisher", brief.publisher),
            ("DC.identifier", web_url(brief.url)),
            ("DC.description", brief.description),
            ("DC.language", brief.language),
            ("DC.type", brief.brief_type),
            *(("DC.subject", topic) for topic in brief.topics),
        ],
    )


def open_graph_tags(brief: BriefRecord) -> list[Meta]:
    """OpenGraph article tags. article:author is the author's page (OpenGraph wants a
    profile URL), or the name when there is none. og:image and its alt text, size and type
    are the brief's image, else the site's (`site_image`), when it has an http(s) URL."""
    image = brief.image or brief.site_image
    image_url = web_url(image.url) if image else ""
    image_pairs = (
        [
            ("og:image", image_url),
            ("og:image:alt", image.alt),
            ("og:image:width", str(image.width or "")),
            ("og:image:height", str(image.height or "")),
        ]
        if image and image_url
        else []
    )
    return _tags(
        "property",
        [
            ("og:title", brief.title),
            ("og:type", "article"),
            ("og:url", web_url(brief.url)),
            ("og:description", brief.description),
            ("og:site_name", brief.site_name),
            ("og:locale", OG_LOCALE),
            *image_pairs,
            ("article:published_time", iso_moment(brief.published)),
            ("article:modified_time", iso_moment(brief.modified)),
            *(("article:author", web_url(a.url) or a.name) for a in brief.authors),
            ("article:section", brief.section),
            *(("article:tag", topic) for topic in brief.topics),
        ],
    )


def twitter_tags(brief: BriefRecord) -> list[Meta]:
    """The Twitter/X card: a large image card when the brief has an image (title and
    description come from OpenGraph), else a plain summary card."""
    image_url = web_url(brief.image.url) if brief.image else ""
    if not (brief.image and image_url):
        return _tags("name", [("twitter:card", "summary")])
    return _tags(
        "name",
        [
            ("twitter:card", "summary_large_image"),
            ("twitter:image", image_url),
            ("twitter:image:alt", brief.image.alt),
        ],
    )


def alternate_links(brief: BriefRecord) -> list[Link]:
    """rel=alternate links to the brief's citation downloads (beside its canonical URL)."""
    base = web_url(brief.url)
    if not base:
        return []
    base = base if base.endswith("/") else f"{base}/"
    return [Link("alternate", f"{base}{name}", mime, title) for name, mime, title in DOWNLOADS]


def schema_org(brief: BriefRecord) -> dict[str, Any]:
    """schema.org JSON-LD for the brief: a Report (with its reportNumber) that is also the
    NewsArticle subtype for its brief type, so it is the same report the Highwire tags and
    the downloads describe and still the article search engines show; its authors as
    Persons with their pages, and every cited source under "citation"."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ["Report", ARTICLE_TYPES.get(brief.brief_type, DEFAULT_ARTICLE_TYPE)],
        "headline": brief.title,
        "name": brief.title,
        "reportNumber": brief.number,
        "description": brief.description,
        "abstract": brief.description,
        "url": web_url(brief.url),
        "mainEntityOfPage": web_url(brief.url),
        "datePublished": iso_moment(brief.published),
        "dateModified": iso_moment(brief.modified),
        "author": [_person(a.name, a.given, a.family, a.url) for a in brief.authors],
        "publisher": _drop_empty(
            {"@type": "Organization", "name": brief.publisher, "url": web_url(brief.site_url)}
        ),
        "genre": brief.brief_type,
        "articleSection": brief.section,
        "keywords": list(brief.topics),
        "inLanguage": brief.language,
        "citation": [cited_work(work) for work in brief.sources],
    }
    if brief.image and web_url(brief.image.url):
        data["image"] = web_url(brief.image.url)
    pdf = web_url(brief.pdf_url)
    if pdf:
        data["associatedMedia"] = {
            "@type": "MediaObject",
            "contentUrl": pdf,
            "encodingFormat": "application/pdf",
        }
    return _drop_empty(data)


def cited_work(work: CitedWork) -> dict[str, Any]:
    """One cited source as a schema.org CreativeWork. A URL that is not http(s) is left out."""
    return _drop_empty(
        {
            "@type": WORK_TYPES.get(work.kind, DEFAULT_WORK_TYPE),
            "name": work.title,
            "url": web_url(work.url),
            "datePublished": work.issued if ISO_PARTIAL_DATE.match(work.issued or "") else "",
            "author": [_csl_agent(name) for name in work.authors],
            "publisher": _drop_empty({"@type": "Organization", "name": work.publisher})
            if work.publisher
            else {},
        }
    )


def _csl_agent(name: Mapping[str, Any]) -> dict[str, Any]:
    # A CSL "literal" name is how briefdesk stores an organisation (see sources.csl).
    if "literal" in name:
        return {"@type": "Organization", "name": str(name["literal"])}
    return _person(display_name(name), str(name.get("given", "")), str(name.get("family", "")))


def _person(name: str, given: str, family: str, url: str = "") -> dict[str, Any]:
    return _drop_empty(
        {
            "@type": "Person",
            "name": name,
            "givenName": given,
            "familyName": family,
            "url": web_url(url),
        }
    )


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in ("", [], {}, None)}


# --- from the brief's CSL item -----------------------------------------------------------


def record_fields_from_csl(item: Mapping[str, Any]) -> dict[str, Any]:
    """The BriefRecord fields a brief's CSL item decides, by name: title, url, number,
    brief_type (CSL genre), publisher, description (CSL abstract), language and the
    authors' names (as Persons without URLs, in order). The caller adds the rest."""
    return {
        "title": str(item.get("title") or ""),
        "url": str(item.get("URL") or ""),
        "number": str(item.get("number") or ""),
        "brief_type": str(item.get("genre") or ""),
        "publisher": str(item.get("publisher") or ""),
        "description": str(item.get("abstract") or ""),
        "language": str(item.get("language") or LANGUAGE),
        "authors": [
            Person(given=str(name.get("given") or ""), family=str(name.get("family") or ""))
            for name in item.get("author") or []
        ],
    }


def csl_date(item: Mapping[str, Any]) -> dt.date | None:
    """The CSL item's issued date when it is a full day, else None."""
    try:
        year, month, day = item["issued"]["date-parts"][0]
        return dt.date(int(year), int(month), int(day))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


# --- values ------------------------------------------------------------------------------


def web_url(value: str) -> str:
    """The URL if it is an absolute http(s) URL, else "" — so a "javascript:" or "data:" URL
    stored anywhere never becomes a link. Surrounding whitespace is removed."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return value


def json_ld_script_body(data: Any) -> str:
    """JSON for the inside of a <script type="application/ld+json"> element: <, > and & are
    written as \\u escapes (as Django's json_script does), so the text can never close the
    element or open a comment, and JSON readers still see the original characters."""
    return json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)


def iso_moment(moment: dt.datetime) -> str:
    """ISO 8601 to the second, with its UTC offset: 2010-12-06T00:00:00+00:00."""
    return moment.isoformat(timespec="seconds")


def published_moment(
    date: dt.date, first_published_at: dt.datetime | None, tz: dt.tzinfo
) -> dt.datetime:
    """When the brief was published: the moment of its first publication when that fell on
    its publication date (in `tz`), else midnight of the publication date — the editorial
    date wins for briefs imported or published later than they are dated."""
    if first_published_at is not None:
        local = first_published_at.astimezone(tz).replace(microsecond=0)
        if local.date() == date:
            return local
    return dt.datetime.combine(date, dt.time(), tzinfo=tz)


def modified_moment(
    published: dt.datetime,
    updated_on: dt.date | None,
    last_published_at: dt.datetime | None,
    tz: dt.tzinfo,
) -> dt.datetime:
    """When the brief was last changed, agreeing with the "Updated …" line the page shows:
    `published` when it shows none; else the moment of the last publication when it fell on
    the day shown, else midnight of that day (in `tz`). Never before `published`."""
    if updated_on is None:
        return published
    moment = dt.datetime.combine(updated_on, dt.time(), tzinfo=tz)
    if last_published_at is not None:
        local = last_published_at.astimezone(tz).replace(microsecond=0)
        if local.date() == updated_on:
            moment = local
    return max(moment, published)

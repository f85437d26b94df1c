"""What a fetched page says about itself, as the fields of a source. No ORM here.

    meta = read_page(url, "text/html", body)     # or "application/pdf"
    meta.title, meta.authors, meta.issued, meta.kind, meta.found_in["title"]  # "citation_title"

The page's own metadata decides first, in this order: Highwire `citation_*` tags (what
Google Scholar and Zotero read), JSON-LD (schema.org, including `@graph`), then OpenGraph,
Dublin Core and plain `<meta>` tags, then `<title>` and `<html lang>`. Only a field none of
them gives falls back to the extraction libraries: trafilatura's metadata (byline, site
name) and htmldate (the publication date from the page's text and URL). A PDF is read from
its document information (pypdf): /Title, /Author, /Subject, /CreationDate, then the first
line of its first page for a title.

Every value is normalised as an editor types it into a source: authors as CSL names
(`{"family", "given"}` for a person, `{"literal"}` for an organisation; "By Jane Doe and John
Roe" is two people), dates as "YYYY-MM-DD", "YYYY-MM" or "YYYY" (the date as the page wrote
it, not moved to UTC), the language as its primary subtag ("en"), the DOI without its link.
`found_in` names the signal each field came from, for the editor who confirms it.

Caveats: this reads what the page claims; a wrong tag is a wrong proposal, which is why an
editor confirms every field. Nothing here makes a request.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from briefdesk.sources.doi import InvalidDoi
from briefdesk.sources.doi import doi as parse_doi
from briefdesk.sources.kinds import Kind

FIELDS = ("title", "authors", "issued", "description", "site_name", "kind", "language", "doi")

# Limits: a page's metadata is in its first few hundred kilobytes; a huge page is not parsed
# whole by the fallbacks (trafilatura walks the tree).
MAX_HTML_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES_READ = 1


@dataclass(frozen=True)
class PageMeta:
    """A page's proposed source fields; "" (or []) where nothing said."""

    url: str
    title: str = ""
    authors: list[dict[str, str]] = field(default_factory=list)
    issued: str = ""
    description: str = ""
    site_name: str = ""
    domain: str = ""
    kind: str = Kind.WEB_PAGE.value
    language: str = ""
    doi: str = ""
    found_in: dict[str, str] = field(default_factory=dict)


def read_page(url: str, content_type: str, content: bytes) -> PageMeta:
    """The source fields `content` (fetched from `url`) gives, each with where it came from.

    `content_type` is the response's media type, optionally with its `charset` parameter
    ("text/html; charset=windows-1252"); without one the page's `<meta charset>` decides,
    then UTF-8, then Windows-1252. A PDF (by type or by its `%PDF-` signature) is read with
    pypdf; anything else that is not HTML gives only the domain and the kind "web_page".
    Never raises on bad input: a page that cannot be parsed proposes nothing.
    """
    media, _, params = (content_type or "").partition(";")
    media = media.strip().lower()
    charset = _charset_param(params)
    if media == "application/pdf" or content[:5] == b"%PDF-":
        found = _read_pdf(content)
    elif media in {"text/html", "application/xhtml+xml", ""} or media.endswith("+xml"):
        found = _read_html(url, _decode(content[:MAX_HTML_BYTES], charset))
    else:
        found = _Found()
    return found.meta(url, is_pdf=media == "application/pdf" or content[:5] == b"%PDF-")


# --- collecting candidates ------------------------------------------------------------------


class _Found:
    """The first value each field was given, in precedence order, with where it came from."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.where: dict[str, str] = {}
        self.hints: dict[str, str] = {}  # type signals for the kind: "jsonld", "og", ...

    def offer(self, name: str, value: Any, where: str) -> None:
        if name in self.values or value in (None, "", []):
            return
        self.values[name] = value
        self.where[name] = where

    def meta(self, url: str, *, is_pdf: bool) -> PageMeta:
        host = _host(url)
        kind, kind_where = _kind(self, host, is_pdf=is_pdf)
        where = {k: v for k, v in self.where.items() if k in FIELDS}
        where["kind"] = kind_where
        return PageMeta(
            url=url,
            title=self.values.get("title", ""),
            authors=self.values.get("authors", []),
            issued=self.values.get("issued", ""),
            description=self.values.get("description", ""),
            site_name=self.values.get("site_name", ""),
            domain=host,
            kind=kind,
            language=self.values.get("language", ""),
            doi=self.values.get("doi", ""),
            found_in=where,
        )


def _read_html(url: str, text: str) -> _Found:
    found = _Found()
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return found
    tags = _meta_tags(tree)
    site_hint = _first(tags, "og:site_name", "application-name")

    _citation(found, tags)
    _jsonld(found, tree)
    _opengraph_dc_meta(found, tags)
    _html_itself(found, tree, site_hint or found.values.get("site_name", ""))
    if not all(name in found.values for name in ("title", "authors", "issued", "site_name")):
        _fallbacks(found, tree, url)
    _tidy(found)
    return found


def _meta_tags(tree: Any) -> dict[str, list[str]]:
    """Every `<meta>` name/property (lower case) -> its contents, in page order."""
    tags: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") or ""
        key = key.strip().lower()
        if key.startswith("dcterms."):
            key = "dc." + key[len("dcterms.") :]
        content = _clean(meta.get("content"))
        if key and content:
            tags.setdefault(key, []).append(content)
        equiv = (meta.get("http-equiv") or "").lower()
        if equiv == "content-language" and content:
            tags.setdefault("content-language", []).append(content)
    return tags


def _first(tags: dict[str, list[str]], *names: str) -> str:
    for name in names:
        if tags.get(name):
            return tags[name][0]
    return ""


def _first_key(tags: dict[str, list[str]], *names: str) -> tuple[str, str]:
    for name in names:
        if tags.get(name):
            return tags[name][0], name
    return "", ""


def _citation(found: _Found, tags: dict[str, list[str]]) -> None:
    """Highwire Press tags, as Google Scholar documents them."""
    found.offer("title", _first(tags, "citation_title"), "citation_title")
    names = [n for value in tags.get("citation_author", []) for n in _names(value, one=True)]
    if not names and tags.get("citation_authors"):
        names = [
            n
            for part in re.split(r"\s*;\s*", tags["citation_authors"][0])
            for n in _names(part, one=True)
        ]
    found.offer("authors", names, "citation_author")
    date, key = _first_key(
        tags, "citation_publication_date", "citation_date", "citation_online_date"
    )
    found.offer("issued", _date(date), key)
    container, key = _first_key(
        tags,
        "citation_journal_title",
        "citation_technical_report_institution",
        "citation_conference_title",
        "citation_publisher",
    )
    found.offer("site_name", container, key)
    found.offer("description", _first(tags, "citation_abstract"), "citation_abstract")
    found.offer("language", _language(_first(tags, "citation_language")), "citation_language")
    found.offer("doi", _doi(_first(tags, "citation_doi")), "citation_doi")
    if tags.get("citation_journal_title"):
        found.hints["citation"] = "journal"
    elif tags.get("citation_technical_report_institution") or tags.get(
        "citation_technical_report_number"
    ):
        found.hints["citation"] = "report"
    elif tags.get("citation_title"):
        found.hints["citation"] = "other"


# schema.org types -> kinds, most specific first when a node has several types.
_SCHEMA_KINDS: dict[str, Kind] = {
    "scholarlyarticle": Kind.JOURNAL_ARTICLE,
    "medicalscholarlyarticle": Kind.JOURNAL_ARTICLE,
    "report": Kind.REPORT,
    "opinionnewsarticle": Kind.OP_ED,
    "newsarticle": Kind.NEWS_ARTICLE,
    "reportagenewsarticle": Kind.NEWS_ARTICLE,
    "analysisnewsarticle": Kind.NEWS_ARTICLE,
    "backgroundnewsarticle": Kind.NEWS_ARTICLE,
    "blogposting": Kind.BLOG_POST,
    "liveblogposting": Kind.NEWS_ARTICLE,
    "book": Kind.BOOK,
    "governmentpublication": Kind.GOVERNMENT_DOCUMENT,
    "legislation": Kind.GOVERNMENT_DOCUMENT,
    "socialmediaposting": Kind.SOCIAL_MEDIA_POST,
    "videoobject": Kind.BROADCAST,
    "podcastepisode": Kind.BROADCAST,
    "article": Kind.WEB_PAGE,  # refined by the site (see _kind)
    "webpage": Kind.WEB_PAGE,
}
_WORK_TYPES = set(_SCHEMA_KINDS) | {"creativework", "techarticle", "digitaldocument"}
_ORG_TYPES = {
    "organization",
    "newsmediaorganization",
    "governmentorganization",
    "corporation",
    "researchorganization",
    "educationalorganization",
    "ngo",
}


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)]


def _jsonld_nodes(tree: Any) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        # Pages wrap JSON-LD in CDATA or HTML comments, and leave trailing commas.
        raw = re.sub(r"^\s*(?://)?\s*<!\[CDATA\[|\]\]>\s*$|^<!--|-->$", "", raw).strip()
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw))
            except ValueError:
                continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten(data["@graph"])
        if "@type" in data:
            yield data


def _jsonld(found: _Found, tree: Any) -> None:
    """The main work node of the page's JSON-LD (the most specific article-like type; a
    WebPage only when nothing better is there), and the WebSite node's name."""
    nodes = list(_jsonld_nodes(tree))
    if not nodes:
        return
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"} and value["@id"] in by_id:
            return by_id[value["@id"]]
        return value

    def rank(node: dict[str, Any]) -> int:
        types = _types(node)
        if any(t in {"webpage", "collectionpage", "itempage"} for t in types):
            return 1
        if any(t in _WORK_TYPES and t != "article" for t in types):
            return 3
        return 2 if "article" in types else 0

    works = sorted((n for n in nodes if rank(n) > 0), key=rank, reverse=True)
    website = next((n for n in nodes if "website" in _types(n)), None)
    if website:
        found.hints["jsonld_site"] = _text(website.get("name"))
    if not works:
        return
    work = works[0]
    label = next((t for t in _types(work)), "thing")
    type_name = next(
        (v for v in (work["@type"] if isinstance(work["@type"], list) else [work["@type"]])),
        label,
    )
    where = f"JSON-LD {type_name}"
    found.hints["jsonld"] = label
    for t in _types(work):
        if t in _SCHEMA_KINDS:
            found.hints["jsonld"] = t
            break

    found.offer("title", _text(work.get("headline") or work.get("name")), f"{where}.headline")
    authors: list[dict[str, str]] = []
    raw_authors = work.get("author") or work.get("creator") or []
    for person in raw_authors if isinstance(raw_authors, list) else [raw_authors]:
        person = resolve(person)
        if isinstance(person, str):
            authors.extend(_names(person))
        elif isinstance(person, dict):
            name = _text(person.get("name"))
            if not name and (person.get("familyName") or person.get("givenName")):
                authors.append(
                    {
                        "family": _text(person.get("familyName")),
                        "given": _text(person.get("givenName")),
                    }
                )
                continue
            if any(t in _ORG_TYPES for t in _types(person)):
                if name:
                    authors.append({"literal": name})
            else:
                authors.extend(_names(name, one=True))
    found.offer("authors", authors, f"{where}.author")
    date_key = next(
        (k for k in ("datePublished", "dateCreated", "dateModified") if work.get(k)), ""
    )
    if date_key:
        found.offer("issued", _date(_text(work.get(date_key))), f"{where}.{date_key}")
    found.offer("description", _text(work.get("description")), f"{where}.description")
    publisher = resolve(work.get("publisher"))
    if isinstance(publisher, list) and publisher:
        publisher = resolve(publisher[0])
    part_of = resolve(work.get("isPartOf"))
    if isinstance(part_of, dict) and any(
        t in {"periodical", "publicationissue", "publicationvolume"} for t in _types(part_of)
    ):
        found.offer("site_name", _text(part_of.get("name")), f"{where}.isPartOf")
    if found.hints.get("jsonld_site"):
        found.offer("site_name", found.hints["jsonld_site"], "JSON-LD WebSite.name")
    if isinstance(publisher, dict):
        found.offer("site_name", _text(publisher.get("name")), f"{where}.publisher")
    elif isinstance(publisher, str):
        found.offer("site_name", _clean(publisher), f"{where}.publisher")
    found.offer("language", _language(_text(work.get("inLanguage"))), f"{where}.inLanguage")
    for key in ("identifier", "sameAs", "url"):
        values = work.get(key)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, dict):
                value = value.get("value") or value.get("@id")
            if isinstance(value, str) and ("doi.org/" in value or value.lower().startswith("doi:")):
                found.offer("doi", _doi(value), f"{where}.{key}")


def _opengraph_dc_meta(found: _Found, tags: dict[str, list[str]]) -> None:
    """OpenGraph, then Dublin Core, then the common plain `<meta>` names."""
    for key in ("og:title", "dc.title", "twitter:title", "parsely-title", "title"):
        found.offer("title", _first(tags, key), key)
    for key in (
        "article:author",
        "dc.creator",
        "dc.creator.personalname",
        "author",
        "parsely-author",
        "sailthru.author",
        "byl",
        "dc.contributor",
    ):
        values = [v for v in tags.get(key, []) if not v.startswith(("http://", "https://"))]
        names = [n for v in values for n in _names(v)]
        found.offer("authors", _dedupe(names), key)
    for key in (
        "article:published_time",
        "og:article:published_time",
        "dc.date",
        "dc.issued",
        "dc.date.issued",
        "dc.created",
        "dc.date.created",
        "date",
        "pubdate",
        "publish-date",
        "publication_date",
        "parsely-pub-date",
        "sailthru.date",
        "article.published",
        "datepublished",
    ):
        found.offer("issued", _date(_first(tags, key)), key)
    for key in ("og:description", "dc.description", "description", "twitter:description"):
        found.offer("description", _first(tags, key), key)
    for key in ("og:site_name", "dc.publisher", "application-name"):
        found.offer("site_name", _first(tags, key), key)
    for key in ("og:locale", "dc.language", "content-language", "language"):
        found.offer("language", _language(_first(tags, key)), key)
    for key in ("dc.identifier.doi", "dc.identifier", "prism.doi", "bepress_citation_doi"):
        for value in tags.get(key, []):
            found.offer("doi", _doi(value), key)
    found.hints["og"] = _first(tags, "og:type").lower()
    found.hints["dc"] = _first(tags, "dc.type").lower()
    found.hints["section"] = _first(tags, "article:section").lower()


_PRINTED_DOI = re.compile(
    r"\bDOI:?\s*(?:https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[^\s\"<>]+)", re.I
)


def _html_itself(found: _Found, tree: Any, site_name: str) -> None:
    title_el = tree.find(".//title")
    title = _clean(title_el.text_content()) if title_el is not None else ""
    h1 = next((_clean(h.text_content()) for h in tree.iter("h1")), "")
    if h1 and title and h1 != title and h1 in title and "title" not in found.values:
        # "Kabul Now | Headline": the headline is the page's own <h1>; the rest of the
        # <title> is the site's name.
        rest = _clean(title.replace(h1, " ")).strip(" |–—-:·")
        found.offer("title", h1, "<h1> (in <title>)")
        if rest and len(rest) <= 80:
            found.offer("site_name", rest, "<title> beside the <h1>")
    found.offer("title", _strip_site(title, site_name), "<title>")
    if "doi" not in found.values:
        # A DOI printed as the page's own ("DOI: 10.…"), only when the page shows one.
        body = tree.find("body")
        printed = (
            {m.rstrip(".,;)") for m in _PRINTED_DOI.findall(body.text_content())}
            if body is not None
            else set()
        )
        if len(printed) == 1:
            found.offer("doi", _doi(printed.pop()), "page text (DOI: …)")
    found.offer(
        "language", _language(tree.get("lang") or tree.get("xml:lang") or ""), "<html lang>"
    )


def _fallbacks(found: _Found, tree: Any, url: str) -> None:
    """trafilatura for a byline, title and site name; htmldate for the date."""
    if "issued" not in found.values:
        try:
            from htmldate import find_date

            date = find_date(tree, extensive_search=True, original_date=True, url=url)
        except Exception:  # htmldate is a best effort over arbitrary pages
            date = None
        found.offer("issued", _date(date or ""), "htmldate")
    try:
        from trafilatura.metadata import extract_metadata

        doc = extract_metadata(tree, default_url=url)
    except Exception:  # likewise
        return
    if doc is None:
        return
    found.offer("title", _clean(doc.title or ""), "trafilatura")
    if doc.author:
        # A one-word byline from the text ("Office") is more often a fragment than a name.
        names = [n for n in _names(doc.author.replace(";", ",")) if len(_join_name(n).split()) > 1]
        found.offer("authors", _dedupe(names), "trafilatura")
    sitename = _clean(doc.sitename or "")
    if sitename.lower().removeprefix("www.") != _host(url):  # a host name is not a name
        found.offer("site_name", sitename, "trafilatura")
    found.offer("description", _clean(doc.description or ""), "trafilatura")


def _tidy(found: _Found) -> None:
    site = found.values.get("site_name", "")
    # "Chatham House – International Affairs Think Tank": the name, not its tagline.
    for sep in (" – ", " — ", " | ", " - "):
        if sep in site:
            site = found.values["site_name"] = site.split(sep)[0].strip()
    if found.values.get("title") and site:
        found.values["title"] = _strip_site(found.values["title"], site)
    # An organisation byline that is the site itself ("Reuters" on reuters.com) is an
    # organisation author, never a person called "Reuters".
    authors = found.values.get("authors", [])
    if site:
        found.values["authors"] = [
            {"literal": site} if _join_name(a).lower() == site.lower() and "literal" not in a else a
            for a in authors
        ]


# --- PDFs -----------------------------------------------------------------------------------


def _read_pdf(content: bytes) -> _Found:
    found = _Found()
    try:
        from pypdf import PdfReader
        from pypdf.generic import DictionaryObject

        reader = PdfReader(io.BytesIO(content))
        info: Mapping[str, Any] = reader.metadata or {}
    except Exception:  # pypdf raises many kinds on broken files; a broken PDF proposes nothing
        return found
    found.offer("title", _clean(str(info.get("/Title") or "")), "PDF /Title")
    author = _clean(str(info.get("/Author") or ""))
    names = _names(author.replace(";", ","))
    found.offer("authors", names, "PDF /Author")
    if len(names) == 1 and "literal" in names[0]:
        # An organisation as the document's author is the body that issued it.
        found.offer("site_name", names[0]["literal"], "PDF /Author")
    subject = _clean(str(info.get("/Subject") or ""))
    if len(subject.split()) >= 4:  # else a report number or keywords, not a summary
        found.offer("description", subject, "PDF /Subject")
    if reader.pages:
        # A report prints its date on the cover ("May 2026"); /CreationDate is when the
        # file was exported, often weeks before.
        found.offer("issued", _cover_date(reader.pages[0]), "PDF first page (printed date)")
    found.offer("issued", _date(str(info.get("/CreationDate") or "")), "PDF /CreationDate")
    try:
        root = reader.trailer["/Root"]
        lang = root.get("/Lang") if isinstance(root, DictionaryObject) else None
    except Exception:  # a damaged catalogue: no language, the rest still stands
        lang = None
    found.offer("language", _language(str(lang or "")), "PDF /Lang")
    if "title" not in found.values and reader.pages:
        found.offer("title", _largest_text(reader.pages[0]), "PDF first page (largest type)")
    return found


_DATE_LINE = re.compile(
    r"^(?:(?:published|date)[:\s]+)?(?:\d{1,2}\s+)?[A-Za-z]+\.?\s+(?:\d{1,2},\s+)?\d{4}$", re.I
)


def _cover_date(page: Any) -> str:
    """A line of the first page that is a date and nothing else: "May 2026", "12 May 2026"."""
    try:
        text = page.extract_text() or ""
    except Exception:  # text extraction is a best effort on arbitrary PDFs
        return ""
    for line in text.splitlines()[:60]:
        line = _clean(line)
        if _DATE_LINE.match(line) and (date := _date(line)) and "-" in date:
            return date
    return ""


def _largest_text(page: Any) -> str:
    """The first page's text set in its largest type: a cover's title, over several lines."""
    runs: list[tuple[float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            scale = abs(float(tm[3]) * float(cm[3])) or 1.0
            runs.append((round(float(size) * scale, 1), text))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # text extraction is a best effort on arbitrary PDFs
        return ""
    if not runs:
        return ""
    largest = max(size for size, _ in runs)
    return _clean(" ".join(text for size, text in runs if size == largest))[:300]


# --- the kind -------------------------------------------------------------------------------

_GOV_HOST = re.compile(
    r"(^|\.)(gov|gouv|gob|govt|gv|admin|bund|europa|gc|parliament|assembly|senate|state)"
    r"(\.[a-z]{2,3})*$|(^|\.)(gov|mil)$|\.gov\.[a-z]{2}$|(^|\.)un\.org$|(^|\.)mofa\.go\.[a-z]{2}$"
)


def is_government_host(host: str) -> bool:
    """gov.uk, state.gov, europa.eu, admin.ch, bund.de, canada.ca's gc.ca, un.org …"""
    host = host.lower()
    return bool(_GOV_HOST.search(host)) or host in {"canada.ca", "bundesregierung.de"}


def _kind(found: _Found, host: str, *, is_pdf: bool) -> tuple[str, str]:
    hints = found.hints
    gov = is_government_host(host)
    if is_pdf:
        return (Kind.GOVERNMENT_DOCUMENT if gov else Kind.REPORT).value, "PDF (Content-Type)"
    if hints.get("citation") == "journal":
        return Kind.JOURNAL_ARTICLE.value, "citation_journal_title"
    if hints.get("citation") == "report":
        return Kind.REPORT.value, "citation_technical_report_institution"
    schema = hints.get("jsonld", "")
    if schema in _SCHEMA_KINDS and schema not in {"article", "webpage"}:
        kind = _SCHEMA_KINDS[schema]
        if gov and kind in {Kind.NEWS_ARTICLE, Kind.REPORT}:
            kind = Kind.GOVERNMENT_DOCUMENT
        return kind.value, f"JSON-LD {schema}"
    og, dc = hints.get("og", ""), hints.get("dc", "")
    article = schema == "article" or og == "article" or dc in {"text", "article"}
    where = "JSON-LD Article" if schema == "article" else ("og:type" if og else "dc.type")
    if gov:
        return Kind.GOVERNMENT_DOCUMENT.value, f"government domain ({host})"
    if re.search(r"report|paper|briefing|fact ?sheet", dc):
        return Kind.REPORT.value, "dc.type"
    if article:
        if "opinion" in hints.get("section", ""):
            return Kind.OP_ED.value, "article:section"
        if "blog" in hints.get("section", "") or "blog" in host.split(".")[0]:
            return Kind.BLOG_POST.value, f"{where} on a blog"
        return Kind.NEWS_ARTICLE.value, where
    return Kind.WEB_PAGE.value, "no article signal"


# --- names ----------------------------------------------------------------------------------

_BY = re.compile(r"^\s*(?:written\s+)?by[:\s]+", re.I)
_SPLIT = re.compile(
    r"\s*(?:;|\s&\s|\band\b|\bund\b|\bet\b|\by\b|,(?!\s*(?:jr|sr|ii|iii|iv)\b))\s*", re.I
)
_ORG_WORDS = re.compile(
    r"\b(institute|institution|centre|center|ministry|department|office|agency|council|"
    r"commission|committee|bank|fund|foundation|group|university|association|service|"
    r"news|press|staff|desk|editorial|board|government|organi[sz]ation|bureau|reuters|"
    r"afp|ap|associated|secretariat|programme|program|network|unit|team|authority|"
    r"ministère|ministerium|bundes\w*|federal|national|international|forum|society|"
    r"trust|corporation|company|inc|ltd|llc|gmbh|watch|crisis|research|affairs|spokesperson)\b",
    re.I,
)
_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "da",
    "das",
    "do",
    "dos",
    "del",
    "della",
    "di",
    "la",
    "le",
    "du",
    "bin",
    "ibn",
    "al",
    "el",
    "ter",
    "ten",
    "st.",
}
_HONORIFICS = re.compile(
    r"^(?:dr|prof|professor|mr|mrs|ms|sir|dame|ambassador|gen|col)\.?\s+", re.I
)


def _names(text: str, *, one: bool = False) -> list[dict[str, str]]:
    """CSL names from a byline: "By Jane Doe and John Roe" -> two people; "Doe, Jane" (with
    `one`, as citation_author writes a single name) -> one; an organisation -> a literal."""
    text = _BY.sub("", _clean(text)).strip(" ,;")
    if not text.strip("."):
        return []
    if _ORG_WORDS.search(text) and not one:
        # "Reuters staff", "Ministry of Defence": one organisation, unless it lists people.
        parts = [p for p in re.split(r"\s*(?:;|\s&\s|\band\b)\s*", text) if p]
        if all(_ORG_WORDS.search(p) for p in parts) and len(parts) == 1:
            return [{"literal": text}]
    if one:
        parts = [text]
    else:
        parts = [p for p in _SPLIT.split(text) if p and p.strip(" ,.")]
        # "Doe, Jane" as a whole byline is one inverted name, not two people.
        if (
            "," in text
            and len(parts) == 2
            and not re.search(r"\band\b|&|;", text)
            and all(len(p.split()) == 1 for p in parts)
        ):
            parts = [text]
    return [_name(p) for p in parts if p.strip(" ,.")]


def _name(text: str) -> dict[str, str]:
    text = _HONORIFICS.sub("", text.strip(" ,;"))
    if not re.search(r"\b\w\.$", text):  # keep an initial's full stop ("Raphael S.")
        text = text.rstrip(". ")
    if text.isupper() and len(text) > 3:
        text = text.title()
    if _ORG_WORDS.search(text):
        return {"literal": text}
    if "," in text:
        family, given = (p.strip() for p in text.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    words = text.split()
    if len(words) == 1:
        return {"literal": text}
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    # "Pieter D Wezeman" (trafilatura drops full stops) -> given "Pieter D."
    given_names = [f"{w}." if re.fullmatch(r"[A-Z]", w) else w for w in words[:cut]]
    return {"family": " ".join(words[cut:]), "given": " ".join(given_names)}


def _join_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return " ".join(p for p in (name.get("given", ""), name.get("family", "")) if p)


def _dedupe(names: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = _join_name(name).lower()
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


# --- dates ----------------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january", "janvier", "januar", "enero"),
            ("feb", "february", "février", "fevrier", "februar", "febrero"),
            ("mar", "march", "mars", "märz", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "juni", "junio"),
            ("jul", "july", "juillet", "juli", "julio"),
            ("aug", "august", "août", "aout", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "oktober", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "décembre", "decembre", "dezember", "diciembre"),
        ],
        start=1,
    )
    for m in names
}


def _date(text: str) -> str:
    """A date as pages write it -> "YYYY-MM-DD", "YYYY-MM" or "YYYY"; "" when unreadable.

    The calendar date as written: "2026-03-14T23:30:00-05:00" is 14 March, not the UTC day."""
    text = _clean(text)
    if not text:
        return ""
    if m := re.match(r"^D:(\d{4})(\d{2})?(\d{2})?", text):  # PDF dates
        return _ymd(m.group(1), m.group(2), m.group(3))
    if m := re.match(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:$|[T\s])", text):
        return _ymd(m.group(1), m.group(2), m.group(3))
    if m := re.match(r"^(\d{4})(\d{2})(\d{2})$", text):
        return _ymd(*m.groups())
    if m := re.match(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$", text):  # 14.03.2026 (day first)
        return _ymd(m.group(3), m.group(2), m.group(1))
    words = re.findall(r"[^\W\d_]+\.?|\d+", text.lower())
    day = month = year = None
    for word in words:
        word = word.rstrip(".")
        if word.isdigit():
            if len(word) == 4 and year is None:
                year = word
            elif len(word) <= 2 and day is None and 1 <= int(word) <= 31:
                day = word
        elif word in _MONTHS and month is None:
            month = str(_MONTHS[word])
    if year and month:
        return _ymd(year, month, day)
    if year and re.fullmatch(r"\d{4}", text):
        return year
    return ""


def _ymd(year: str, month: str | None, day: str | None) -> str:
    if not (1000 <= int(year) <= 2999):
        return ""
    if not month or not (1 <= int(month) <= 12):
        return year
    if not day or not (1 <= int(day) <= 31):
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


# --- small things ---------------------------------------------------------------------------


def _clean(text: Any) -> str:
    return " ".join(str(text or "").split())


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    # WordPress (Yoast) writes HTML entities inside JSON-LD strings: "Libya&#8217;s".
    return _clean(html.unescape(str(value))) if isinstance(value, str | int) else ""


# ISO 639-2 codes pages use (canada.ca's dcterms.language "eng") -> ISO 639-1.
_LANGUAGE_639_2 = {
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "por": "pt",
    "ita": "it",
    "rus": "ru",
    "ara": "ar",
    "zho": "zh",
    "chi": "zh",
    "jpn": "ja",
    "ukr": "uk",
    "tur": "tr",
}


def _language(text: str) -> str:
    """ "en_GB", "en-US", "eng", "fr" -> "en", "en", "en", "fr"."""
    primary = re.split(r"[-_]", text.strip())[0].lower() if text else ""
    primary = _LANGUAGE_639_2.get(primary, primary)
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


def _doi(text: str) -> str:
    text = re.sub(r"^(?:info:)?doi:\s*", "doi:", text.strip(), flags=re.I)
    if not re.search(r"10\.\d{4,9}/", text):
        return ""
    try:
        return parse_doi(text)
    except InvalidDoi:
        return ""


def _strip_site(title: str, site: str) -> str:
    """ "Headline | Site" or "Site - Headline" -> "Headline" when the other part is the site."""
    if not (title and site):
        return title
    for sep in (" | ", " – ", " — ", " - ", " :: ", " · "):
        if sep in title:
            parts = title.split(sep)
            if parts[-1].strip().lower() == site.lower() or site.lower() in parts[-1].lower():
                return sep.join(parts[:-1]).strip()
            if parts[0].strip().lower() == site.lower():
                return sep.join(parts[1:]).strip()
    return title


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _charset_param(params: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    return m.group(1).lower() if m else None


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def _decode(content: bytes, charset: str | None) -> str:
    """Bytes -> text by the header's charset, the page's own declaration, UTF-8, cp1252."""
    candidates = [charset]
    if content.startswith(b"\xef\xbb\xbf"):
        candidates.insert(0, "utf-8-sig")
    m = _META_CHARSET.search(content[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "replace").lower())
    for name in candidates:
        if not name:
            continue
        if name in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"}:
            name = "cp1252"  # what browsers do (WHATWG encoding standard)
        try:
            return content.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")

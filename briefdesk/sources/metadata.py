"""Bibliographic metadata for a source page's <head>, so that a reference manager saving the
page saves the *source* — the newspaper story, the report, the journal article — with its
authors, date and container, not a web page on this site.

    record = source_record(source.to_csl(), source.kind, page_url, outlet=source.outlet_name)
    head = source_head_metadata(record)   # head.meta, head.links, head.json_ld

The reader it is written for is Zotero's "Embedded Metadata" translator (zotero/translators,
read for this module), which decides the item type like this:

- ``citation_journal_title`` makes a journal article and ``citation_technical_report_institution``
  a report, whatever else the page says; ``citation_isbn`` only suggests a book;
- ``citation_title`` alone suggests a *journal article*, and that guess beats ``og:type=article``
  (itself only a guess, after the "webpage" default of any page with OpenGraph tags). So a
  news story with ``citation_title`` would be saved as a journal article, and with OpenGraph
  alone as a web page;
- a ``z.itemType`` tag (Zotero's own RDF namespace, declared by the translator) names the type
  outright and wins over every guess.

Hence: scholarly kinds (journal article, report, government document, book) get the Highwire
``citation_*`` tags Google Scholar also reads; every other kind (news, op-ed, magazine, blog,
web page, cable, interview, broadcast, speech) gets no ``citation_title`` — its title and
container come from OpenGraph (``og:title``, ``og:site_name``) — and every kind names its
Zotero type in ``z.itemType``. ``citation_author`` and ``citation_publication_date`` carry no
type signal, so every kind has them: "Family, Given" names split exactly. OpenGraph describes
the source itself: ``og:url`` is the source's own URL, ``og:site_name`` its outlet.

No ORM here; values are plain text (the template escapes them). Only http(s) URLs are emitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from briefdesk.briefs.metadata import (
    ISO_PARTIAL_DATE,
    CitedWork,
    HeadMetadata,
    Link,
    Meta,
    cited_work,
    json_ld_script_body,
    web_url,
)
from briefdesk.sources.csl import display_name

# Each source kind (briefdesk.sources.kinds.Kind) as the Zotero item type a reader's Zotero
# should save; the CSL type of each follows Zotero's own CSL mapping (a broadcast is saved as a
# TV broadcast, as Zotero imports CSL "broadcast").
ZOTERO_TYPES: dict[str, str] = {
    "news_article": "newspaperArticle",
    "op_ed": "newspaperArticle",
    "magazine_article": "magazineArticle",
    "web_page": "webpage",
    "report": "report",
    "government_document": "report",
    "diplomatic_cable": "document",
    "blog_post": "blogPost",
    "interview": "interview",
    "broadcast": "tvBroadcast",
    "book": "book",
    "journal_article": "journalArticle",
    "speech": "presentation",
    "social_media_post": "forumPost",
    "letter": "letter",
}
DEFAULT_ZOTERO_TYPE = "document"

# The kinds described with Highwire Press tags, and how: a journal article's container and
# pages, a report's institution and number, a book's publisher and ISBN.
JOURNAL_KINDS = frozenset({"journal_article"})
REPORT_KINDS = frozenset({"report", "government_document"})
BOOK_KINDS = frozenset({"book"})
# Periodical kinds whose publication Zotero reads from PRISM (publicationName): a Highwire
# citation_journal_title would make any of them a journal article.
PERIODICAL_KINDS = frozenset({"news_article", "op_ed", "magazine_article"})
HIGHWIRE_KINDS = JOURNAL_KINDS | REPORT_KINDS | BOOK_KINDS

# The citation downloads, relative to the source page: (file name, media type, title).
DOWNLOADS: tuple[tuple[str, str, str], ...] = (
    ("cite.json", "application/vnd.citationstyles.csl+json", "CSL-JSON"),
    ("cite.bib", "application/x-bibtex", "BibTeX"),
    ("cite.ris", "application/x-research-info-systems", "RIS"),
)


@dataclass(frozen=True)
class SourceRecord:
    """What the metadata says about one source. `kind` is a Kind value; `issued` a partial ISO
    date (YYYY, YYYY-MM or YYYY-MM-DD) or ""; `authors` CSL-JSON names; `page_url` the
    absolute URL of the source's page on this site (its canonical URL); `url` the source's
    own URL; `container` the journal, newspaper, site or programme that carries it."""

    kind: str
    title: str
    page_url: str
    url: str = ""
    authors: Sequence[Mapping[str, Any]] = ()
    issued: str = ""
    outlet: str = ""
    container: str = ""
    publisher: str = ""
    number: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    isbn: str = ""
    genre: str = ""

    @property
    def zotero_type(self) -> str:
        return ZOTERO_TYPES.get(self.kind, DEFAULT_ZOTERO_TYPE)

    @property
    def site_name(self) -> str:
        """The outlet readers know the source by: the outlet, else its container or
        publisher."""
        return self.outlet or self.container or self.publisher


def source_record(
    item: Mapping[str, Any], kind: str, page_url: str, outlet: str = ""
) -> SourceRecord:
    """A SourceRecord from the source's CSL-JSON item (`Source.to_csl()`). Values that are not
    text or numbers (a malformed extra field) are left out."""
    issued = _date(item.get("issued"))
    return SourceRecord(
        kind=kind,
        title=_text(item.get("title")),
        page_url=page_url,
        url=_text(item.get("URL")),
        authors=[a for a in item.get("author") or [] if isinstance(a, Mapping)],
        issued=issued,
        outlet=outlet,
        container=_text(item.get("container-title")),
        publisher=_text(item.get("publisher")),
        number=_text(item.get("number")),
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=_text(item.get("page")),
        doi=_text(item.get("DOI")),
        isbn=_text(item.get("ISBN")),
        genre=_text(item.get("genre")),
    )


def source_head_metadata(record: SourceRecord) -> HeadMetadata:
    """Every tag and link for the source page's <head>: Highwire (scholarly kinds, and
    authors and date for all), the Zotero item type, OpenGraph; the canonical link and
    alternates to the source's citation downloads; schema.org JSON-LD."""
    return HeadMetadata(
        meta=[*highwire_tags(record), *zotero_type_tags(record), *open_graph_tags(record)],
        links=[*canonical_links(record)],
        json_ld=json_ld_script_body(schema_org(record)),
    )


def _tags(attribute: str, pairs: Sequence[tuple[str, str]]) -> list[Meta]:
    return [Meta(attribute, key, value) for key, value in pairs if value]


def highwire_tags(record: SourceRecord) -> list[Meta]:
    """Highwire Press tags. Every kind: one citation_author per author ("Family, Given", an
    organisation as its name) and citation_publication_date (YYYY/MM/DD, or YYYY/MM, YYYY).
    Scholarly kinds only: the title, the type-deciding tags and the source's own URL."""
    first_page, last_page = page_range(record.pages)
    # Tags that do not decide Zotero's item type: every kind has them when it has the value.
    common = [
        *(("citation_author", inverted_name(a)) for a in record.authors),
        ("citation_publication_date", record.issued.replace("-", "/")),
        ("citation_volume", record.volume),
        ("citation_issue", record.issue),
        ("citation_firstpage", first_page),
        ("citation_lastpage", last_page),
    ]
    if record.kind in PERIODICAL_KINDS:
        common.append(("prism.publicationName", record.container or record.outlet))
    if record.kind not in HIGHWIRE_KINDS:
        return _tags("name", common)
    pairs: list[tuple[str, str]] = [("citation_title", record.title), *common]
    if record.kind in JOURNAL_KINDS:
        pairs += [
            ("citation_journal_title", record.container or record.outlet),
            ("citation_doi", record.doi),
        ]
    elif record.kind in REPORT_KINDS:
        pairs += [
            ("citation_technical_report_institution", record.publisher or record.outlet),
            ("citation_technical_report_number", record.number),
            ("DC.type", record.genre),  # Zotero's report type ("CRS Report for Congress")
        ]
    else:
        pairs += [
            ("citation_publisher", record.publisher or record.outlet),
            ("citation_isbn", record.isbn),
        ]
    if record.kind not in JOURNAL_KINDS:
        pairs.append(("citation_doi", record.doi))
    pairs.append(("citation_public_url", web_url(record.url)))
    return _tags("name", pairs)


def zotero_type_tags(record: SourceRecord) -> list[Meta]:
    """``z.itemType``: the Zotero item type, named outright (see the module docstring)."""
    return _tags("name", [("z.itemType", record.zotero_type)])


def open_graph_tags(record: SourceRecord) -> list[Meta]:
    """OpenGraph for the source itself: og:type "book" for a book, else "article", with its
    published time and authors (by name: Zotero ignores an article:author that looks like a
    URL); og:url is the source's own URL and og:site_name its outlet."""
    is_book = record.kind in BOOK_KINDS
    names = [display_name(a) for a in record.authors]
    return _tags(
        "property",
        [
            ("og:title", record.title),
            ("og:type", "book" if is_book else "article"),
            ("og:url", web_url(record.url)),
            ("og:site_name", record.site_name),
            *(
                [("book:release_date", record.issued), ("book:isbn", record.isbn)]
                + [("book:author", name) for name in names]
                if is_book
                else [("article:published_time", record.issued)]
                + [("article:author", name) for name in names]
            ),
        ],
    )


def canonical_links(record: SourceRecord) -> list[Link]:
    """The canonical link (the source page) and rel=alternate links to its downloads."""
    base = web_url(record.page_url)
    if not base:
        return []
    base = base if base.endswith("/") else f"{base}/"
    return [
        Link("canonical", base),
        *(Link("alternate", f"{base}{name}", mime, title) for name, mime, title in DOWNLOADS),
    ]


def schema_org(record: SourceRecord) -> dict[str, Any]:
    """schema.org JSON-LD: the source as a CreativeWork of its kind (as a brief lists it)."""
    data = cited_work(
        CitedWork(
            title=record.title,
            url=record.url,
            kind=record.kind,
            publisher=record.publisher or record.outlet,
            issued=record.issued,
            authors=record.authors,
        )
    )
    return {"@context": "https://schema.org", **data}


# --- values ------------------------------------------------------------------------------


def inverted_name(name: Mapping[str, Any]) -> str:
    """A CSL name as Highwire readers split it: "Family, Given"; an organisation (a CSL
    literal) or a one-part name as it is."""
    if "literal" in name:
        return _text(name["literal"])
    family = " ".join(
        part
        for part in (_text(name.get("non-dropping-particle")), _text(name.get("family")))
        if part
    )
    given = _text(name.get("given"))
    return f"{family}, {given}" if family and given else family or given or display_name(name)


def page_range(pages: str) -> tuple[str, str]:
    """First and last page of "112-125" (or an en dash); ("A1", "") for one page."""
    first, _, last = pages.replace("\u2013", "-").partition("-")
    return first.strip(), last.strip()


def _date(value: Any) -> str:
    # A CSL date as a partial ISO date; anything else (a range, "Winter 2010") as "".
    if not isinstance(value, Mapping):
        return ""
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
        return ""
    try:
        numbers = [int(p) for p in parts[0][:3]]
    except (TypeError, ValueError):
        return ""
    text = "-".join(f"{n:04d}" if i == 0 else f"{n:02d}" for i, n in enumerate(numbers))
    return text if ISO_PARTIAL_DATE.match(text) else ""


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()

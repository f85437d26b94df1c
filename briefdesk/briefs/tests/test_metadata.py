"""Bibliographic metadata in a brief's <head>, checked the way its readers read it.

- Zotero: `zotero_embedded_metadata` below ports the parts of Zotero's "Embedded Metadata"
  translator (zotero/translators, "Embedded Metadata.js", 2024) that decide what a brief
  becomes: the item type, the Highwire fields and the authors, with Zotero's own name parser
  (`ZU.cleanAuthor` from zotero/utilities), and the two fields its RDF reader ("RDF.js") adds
  for a report: the report type (from DC.type) and, failing citation_abstract, the abstract;
- extruct, which reads JSON-LD, OpenGraph and Dublin Core as search engines and archives do;
- an HTML parser, for the links and for what a hostile title or URL turns into.

Page tests request the real brief URL and read one set of briefs built once for the module
(inside a transaction rolled back afterwards). Tests of briefdesk.briefs.metadata itself use
plain data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import extruct
import lxml.html
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefdesk.briefs.metadata import (
    BriefRecord,
    CitedWork,
    Person,
    head_metadata,
    json_ld_script_body,
    modified_moment,
    published_moment,
    schema_org,
    web_url,
)
from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.sources.models import Outlet, Source
from tests.db import rolled_back
from tests.factories import (
    OutletFactory,
    SiteTree,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)
from tests.pages import page_html

UTC = dt.UTC
JSON_LD = "application/ld+json"


# --- Zotero's Embedded Metadata translator, ported ---------------------------------------

# HIGHWIRE_MAPPINGS: meta name (matched as a suffix) -> Zotero field. In order: a later
# mapping to the same field wins, as in the translator.
HIGHWIRE_MAPPINGS = {
    "citation_title": "title",
    "citation_publication_date": "date",
    "citation_cover_date": "date",
    "citation_date": "date",
    "citation_journal_title": "publicationTitle",
    "citation_inbook_title": "publicationTitle",
    "citation_book_title": "bookTitle",
    "citation_series_title": "series",
    "citation_conference_title": "conferenceName",
    "citation_conference": "conferenceName",
    "citation_dissertation_institution": "university",
    "citation_technical_report_institution": "institution",
    "citation_technical_report_number": "number",
    "citation_publisher": "publisher",
    "citation_isbn": "ISBN",
    "citation_abstract": "abstractNote",
    "citation_doi": "DOI",
    "citation_public_url": "url",
    "citation_language": "language",
}
# init(): a tag that fixes the item type, and tags that only suggest one.
HIGHWIRE_TYPES = {
    "citation_journal_title": "journalArticle",
    "citation_technical_report_institution": "report",
    "citation_conference_title": "conferencePaper",
    "citation_conference": "conferencePaper",
    "citation_book_title": "bookSection",
    "citation_inbook_title": "bookSection",
    "citation_dissertation_institution": "thesis",
}
# _prefixes: meta names with these prefixes go to the RDF translator instead.
RDF_PREFIXES = {
    *("bib", "bibo", "dc", "dcterms", "prism", "foaf", "vcard", "link", "z", "eprint"),
    *("eprints", "og", "article", "book", "music", "video", "so", "codemeta", "rdf"),
}


@dataclass
class ZoteroItem:
    item_type: str | None
    fields: dict[str, str] = field(default_factory=dict)
    creators: list[dict[str, str]] = field(default_factory=list)

    def names(self) -> list[tuple[str, str]]:
        return [(c["lastName"], c.get("firstName", "")) for c in self.creators]


def _trim_internal(text: str) -> str:
    return re.sub(r"[\xa0\r\n\s]+", " ", text).strip()


def zotero_item_type(doc: Any) -> str | None:
    """init(): the type a Highwire tag fixes wins over everything else. Without one, Zotero
    asks its RDF translator (not ported) when there are Dublin Core/OpenGraph tags; that
    falls back to the Highwire guess, e.g. "journalArticle" for a bare citation_title."""
    hw_type = hw_guess = generator_type = None
    has_rdf = False
    for meta in doc.iter("meta"):
        names = meta.get("name") or meta.get("property")
        value = meta.get("content")
        if not names or not value:
            continue
        for tag in names.split():
            parts = re.split(r"[.:_]", tag)
            prefix = parts[1].lower() if len(parts) > 2 else None
            if not prefix or prefix not in RDF_PREFIXES:
                prefix = parts[0].lower()
            if prefix in RDF_PREFIXES:
                has_rdf = True
            elif tag.lower() == "generator":
                if any(g in value.lower() for g in ("blogger", "wordpress", "wooframework")):
                    generator_type = "blogPost"
            else:
                short = tag[tag.rfind("citation_") :]  # JS slice(-1) when absent, as here
                hw_type = HIGHWIRE_TYPES.get(short, hw_type)
                if short == "citation_isbn":
                    hw_guess = "book"
                elif short in ("citation_title", "citation_series_title"):
                    hw_guess = hw_guess or "journalArticle"
    if hw_type:
        return hw_type
    return hw_guess or generator_type or ("webpage" if has_rdf else None)


def _fix_case(name: str) -> str:
    # fixCase(): only all-upper or all-lower names are recased (capitalizeTitle, simplified).
    if name.upper() == name or name.lower() == name:
        return name.title()
    return name


def clean_author(author: str, creator_type: str, use_comma: bool) -> dict[str, str]:
    """ZU.cleanAuthor: 'Family, Given' when use_comma, else the last word is the family name."""
    initial = re.compile(r"^-?[A-Z\u0400-\u042f]$")
    author = re.sub(r"^[\s\xa0.,/\[\]:]+", "", author)
    author = re.sub(r"[\s\xa0.,/\[\]:]+$", "", author)
    author = re.sub(r"[\s\xa0]+", " ", author, count=1)
    first = ""
    if use_comma:
        author = re.sub(r"\.([^ ])", r". \1", author, count=1)
        split = re.split(r", ?", author)
        last, first = (split[0], split[1]) if len(split) > 1 else (author, "")
    else:
        space = len(author)
        while True:
            space = author.rfind(" ", 0, max(space, 0))
            last, first = author[space + 1 :], author[: max(space, 0)]
            if (last[:1].isalpha()) or space <= 0:
                break
    if (
        first
        and re.fullmatch(r"[A-Z\u0400-\u042f]+", first)
        and len(first) < 4
        and (len(first) == 1 or last.upper() != last)
    ):
        first = " ".join(f"{c}." for c in first)  # probably initials
    if first:
        first = re.sub(r"^[\s.]+", "", first)
        first = re.sub(r"[\s,]+$", "", first)
        first = re.sub(
            r"\s*([\u002d\u00ad\u2010-\u2015\u2212\u2e3a\u2e3b])\s*", "-", first, count=1
        )
        names = re.split(r"(?:[\s.]+|(?=-))", first)
        first = "".join(n + ("." if initial.match(n) else "") + " " for n in names)
        first = first.replace(" -", "-").strip()
    return {"firstName": first, "lastName": last, "creatorType": creator_type}


def _highwire_creators(values: list[str], creator_type: str, language: str) -> list[dict[str, str]]:
    """processHighwireCreators()."""
    creators: list[dict[str, str]] = []
    previous = None
    for value in values:
        names = re.split(r"\s*;\s*", value)
        if len(names) == 1 and len(values) == 1:
            by_comma = re.split(r"\s*,\s*", names[0])
            two_word_spanish = (
                len(by_comma) == 2
                and language in ("es", "spa", "Spanish", "español")
                and len(by_comma[0].split(" ")) == 2
            )
            if (
                len(by_comma) > 1
                and " " in by_comma[0]
                and " " in by_comma[1]
                and not two_word_spanish
            ):
                names = by_comma
        for name in names:
            name = name.strip()
            if not name or not re.search(r"[^\s,\-.;]", name) or name == previous:
                continue
            previous = name
            creator = clean_author(name, creator_type, "," in name)
            if creator["firstName"]:
                creator["firstName"] = _fix_case(creator["firstName"])
                creator["lastName"] = _fix_case(creator["lastName"])
            creators.append(creator)
    return creators


def zotero_embedded_metadata(html: str, page_url: str) -> ZoteroItem:
    """What Zotero's Embedded Metadata translator saves from this page: its item type, the
    Highwire fields (processFields: first head <meta> whose name ends with the key), its
    creators (citation_author, else citation_authors) and its URL (citation_public_url, else
    the canonical link, else the page's address; made absolute)."""
    doc = lxml.html.document_fromstring(html)
    head_meta = doc.xpath("/html/head/meta[@name]")
    item = ZoteroItem(item_type=zotero_item_type(doc))
    for key, zotero_field in HIGHWIRE_MAPPINGS.items():
        match = next((m for m in head_meta if m.get("name").endswith(key)), None)
        value = match.get("content") or match.get("contents") if match is not None else None
        if value and value.strip():
            item.fields[zotero_field] = _trim_internal(value)

    def meta_values(suffix: str) -> list[str]:
        return [
            m.get("content") or m.get("contents") or ""
            for m in doc.xpath("/html/*[self::head or self::body]/meta[@name]")
            if m.get("name").endswith(suffix)
        ]

    authors = meta_values("citation_author") or meta_values("citation_authors")
    item.creators = _highwire_creators(authors, "author", item.fields.get("language", ""))
    # RDF.js copies dc:type/dcterms:type into every "…Type" field (reportType for a report),
    # and takes the abstract from og:description, dcterms:abstract or dc:description when
    # no Highwire citation_abstract gave one.
    rdf = {
        (m.get("name") or m.get("property") or "").lower(): m.get("content") or ""
        for m in reversed(doc.xpath("/html/head/meta[@name or @property]"))
    }
    report_type = rdf.get("dc.type") or rdf.get("dcterms.type")
    if report_type:
        item.fields["reportType"] = _trim_internal(report_type)
    abstract = next(
        (rdf[k] for k in ("og:description", "dcterms.abstract", "dc.description") if rdf.get(k)),
        "",
    )
    if abstract and not item.fields.get("abstractNote"):
        item.fields["abstractNote"] = _trim_internal(abstract)
    if not item.fields.get("title"):
        item.fields["title"] = doc.findtext(".//title") or ""
    url = item.fields.get("url") or next(iter(doc.xpath("//head/link[@rel='canonical']/@href")), "")
    item.fields["url"] = urljoin(page_url, url or page_url)
    return item


@pytest.mark.parametrize(
    ("name", "use_comma", "expected"),
    [
        ("Bajoria, Jayshree", True, ("Bajoria", "Jayshree")),
        ("de la Vega, Ana María", True, ("de la Vega", "Ana María")),
        ("Jayshree Bajoria", False, ("Bajoria", "Jayshree")),
        ("Ana María de la Vega", False, ("Vega", "Ana María de la")),
        ("Smith, JR", True, ("Smith", "J. R.")),
    ],
)
def test_the_ported_name_parser_splits_names_as_zotero_does(
    name: str, use_comma: bool, expected: tuple[str, str]
) -> None:
    creator = clean_author(name, "author", use_comma)

    assert (creator["lastName"], creator["firstName"]) == expected


@pytest.mark.parametrize(
    ("tags", "item_type"),
    [
        ([("name", "citation_title")], "journalArticle"),
        ([("name", "citation_title"), ("name", "citation_journal_title")], "journalArticle"),
        ([("name", "citation_title"), ("property", "og:type")], "journalArticle"),
        ([("name", "citation_title"), ("name", "citation_technical_report_institution")], "report"),
        ([("property", "og:type"), ("name", "citation_technical_report_institution")], "report"),
        ([("name", "citation_dissertation_institution")], "thesis"),
        ([("property", "og:title")], "webpage"),
        ([("name", "description")], None),
    ],
)
def test_the_ported_translator_finds_the_item_type_as_zotero_does(
    tags: list[tuple[str, str]], item_type: str | None
) -> None:
    metas = "".join(f'<meta {attr}="{key}" content="x">' for attr, key in tags)
    html = f"<html><head>{metas}</head><body></body></html>"

    assert zotero_embedded_metadata(html, "https://example.org/").item_type == item_type


# --- the briefs --------------------------------------------------------------------------


@dataclass
class World:
    tree: SiteTree
    authors: list[AuthorPage]
    brief: BriefPage
    reuters: Source
    crs: Source
    cable: Source
    hostile: BriefPage
    hostile_source: Source


def make_named_author(tree: SiteTree, given: str, family: str, slug: str) -> AuthorPage:
    page = AuthorPage(title=f"{given} {family}", slug=slug, given_name=given, family_name=family)
    tree.authors.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def build_world() -> World:
    tree = make_site_tree()
    authors = [
        make_author(tree, "Jayshree", "Bajoria"),
        make_author(tree, "Greg", "Bruno"),
        make_named_author(tree, "Ana María", "de la Vega", "ana-maria-de-la-vega"),
    ]
    pakistan = make_topic(tree, "Pakistan")
    afghanistan = make_topic(tree, "Afghanistan")
    reuters = SourceFactory(
        outlet=OutletFactory(name="Reuters"),
        title="Pakistan condemns leaks",
        authors=[{"family": "Doe", "given": "Jane"}],
        issued="2010-11-29",
        url="https://www.reuters.com/pakistan-condemns",
    )
    crs = SourceFactory(
        kind="report",
        outlet=OutletFactory(name="Congressional Research Service"),
        title="Pakistan-U.S. Relations",
        authors=[{"literal": "Congressional Research Service"}],
        issued="2010-06",
        url="https://crsreports.example/R41307.pdf",
    )
    cable = SourceFactory(
        kind="diplomatic_cable",
        outlet=OutletFactory(name="WikiLeaks"),
        title="Army chief on the fuel talks",
        authors=[],
        issued="2009",
        url="",
    )
    brief = make_brief(
        tree,
        brief_type="Analysis Brief",
        authors=authors,
        topics=[pakistan, afghanistan],
        date=dt.date(2010, 12, 6),
        summary="What the cables say about a strained alliance.",
        body=[
            ("paragraph", f"<p>Restrained {cite(crs)}, then firm {cite(reuters)}.</p>"),
            ("paragraph", f"<p>The army chief {cite(cable)}; again {cite(crs)}.</p>"),
        ],
    )
    hostile_source = SourceFactory(
        outlet=OutletFactory(name="Evil </script> Outlet"),
        title="</script><img src=x onerror=alert(2)>",
        url="javascript:alert(1)",
    )
    hostile = make_brief(
        tree,
        title="<script>alert(1)</script>",
        slug="hostile",
        authors=[authors[0]],
        summary="</script><script>alert(3)</script> & more",
        body=[("paragraph", f"<p>Claim {cite(hostile_source)}.</p>")],
    )
    return World(
        tree=tree,
        authors=authors,
        brief=brief,
        reuters=reuters,
        crs=crs,
        cable=cable,
        hostile=hostile,
        hostile_source=hostile_source,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def head_of(html: str) -> str:
    head, found, _ = html.partition("</head>")
    assert found
    return head


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def midnight(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone()).isoformat()


def extract(html: str, page: BriefPage) -> dict[str, Any]:
    return extruct.extract(
        html, base_url=page.canonical_url(), syntaxes=["json-ld", "opengraph", "dublincore"]
    )


def json_ld_items(html: str, page: BriefPage) -> list[dict[str, Any]]:
    return extract(html, page)["json-ld"]


# --- Zotero and Google Scholar: Highwire Press tags --------------------------------------


@pytest.mark.django_db
def test_zotero_saves_a_brief_as_a_report_with_its_title_date_and_url(
    world: World, client: Any
) -> None:
    item = zotero_embedded_metadata(page_html(client, world.brief), world.brief.canonical_url())

    assert item.item_type == "report"
    assert item.fields["title"] == "How WikiLeaks Hurts U.S.-Pakistan Ties"
    assert item.fields["date"] == "2010/12/06"
    assert item.fields["url"] == world.brief.canonical_url()
    assert item.fields["institution"] == settings.BRIEFDESK_PUBLISHER
    assert item.fields["number"] == world.brief.number == "2010-1"
    assert item.fields["reportType"] == "Analysis Brief"
    assert item.fields["abstractNote"] == "What the cables say about a strained alliance."
    assert item.fields["language"] == "en"


def zotero_item_of_csl(item: dict[str, Any]) -> ZoteroItem:
    """The Zotero report a CSL report item is (Zotero's own CSL mappings: genre is the
    report type, number the report number, publisher the institution), with the fields
    named as the ported translator names them and the date as the page writes it."""
    year, month, day = item["issued"]["date-parts"][0]
    return ZoteroItem(
        item_type={"report": "report"}.get(item["type"]),
        fields={
            "title": item["title"],
            "date": f"{year:04d}/{month:02d}/{day:02d}",
            "institution": item["publisher"],
            "publisher": item["publisher"],
            "number": item.get("number", ""),
            "reportType": item["genre"],
            "abstractNote": item.get("abstract", ""),
            "language": item["language"],
            "url": item["URL"],
        },
        creators=[
            {"firstName": a["given"], "lastName": a["family"], "creatorType": "author"}
            for a in item.get("author", [])
        ],
    )


@pytest.mark.django_db
def test_what_zotero_saves_from_the_page_is_the_brief_s_csl_item_field_by_field(
    world: World, client: Any
) -> None:
    for brief in (world.brief, world.hostile):
        from_page = zotero_embedded_metadata(page_html(client, brief), brief.canonical_url())
        from_csl = zotero_item_of_csl(brief.to_csl())

        assert from_page.item_type == from_csl.item_type == "report"
        assert from_page.fields == from_csl.fields
        assert from_page.creators == from_csl.creators


@pytest.mark.django_db
def test_the_brief_s_csl_item_is_a_report_with_every_field(world: World) -> None:
    assert world.brief.to_csl() == {
        "id": f"brief-{world.brief.pk}",
        "type": "report",
        "genre": "Analysis Brief",
        "number": "2010-1",
        "title": "How WikiLeaks Hurts U.S.-Pakistan Ties",
        "author": [
            {"family": "Bajoria", "given": "Jayshree"},
            {"family": "Bruno", "given": "Greg"},
            {"family": "de la Vega", "given": "Ana María"},
        ],
        "issued": {"date-parts": [[2010, 12, 6]]},
        "publisher": settings.BRIEFDESK_PUBLISHER,
        "abstract": "What the cables say about a strained alliance.",
        "language": "en",
        "URL": world.brief.canonical_url(),
    }


@pytest.mark.django_db
def test_dublin_core_and_json_ld_say_what_the_csl_item_says(world: World, client: Any) -> None:
    item = world.brief.to_csl()
    html = page_html(client, world.brief)
    [dc] = extract(html, world.brief)["dublincore"]
    [article] = json_ld_items(html, world.brief)

    def values(element: str) -> list[str]:
        return [e["content"] for e in dc["elements"] if e["name"] == f"DC.{element}"]

    names = [f"{a['family']}, {a['given']}" for a in item["author"]]
    assert values("title") == [item["title"]]
    assert values("creator") == names
    assert values("date") == ["2010-12-06"]
    assert values("publisher") == [item["publisher"]]
    assert values("identifier") == [item["URL"]]
    assert values("type") == [item["genre"]]
    assert values("description") == [item["abstract"]]
    assert values("language") == [item["language"]]
    assert article["@type"] == ["Report", "AnalysisNewsArticle"]
    assert (article["headline"], article["name"]) == (item["title"], item["title"])
    assert [(p["familyName"], p["givenName"]) for p in article["author"]] == [
        (a["family"], a["given"]) for a in item["author"]
    ]
    assert article["datePublished"].startswith("2010-12-06")
    assert article["publisher"]["name"] == item["publisher"]
    assert article["reportNumber"] == item["number"]
    assert article["genre"] == item["genre"]
    assert article["url"] == item["URL"]
    assert article["abstract"] == article["description"] == item["abstract"]
    assert article["inLanguage"] == item["language"]


@pytest.mark.django_db
def test_no_page_id_is_presented_as_a_number_anywhere(world: World, client: Any) -> None:
    for brief in (world.brief, world.hostile):
        doc = lxml.html.document_fromstring(page_html(client, brief))
        [article] = json_ld_items(page_html(client, brief), brief)

        assert doc.xpath("/html/head/meta[@name='citation_technical_report_number']/@content") == [
            brief.number
        ]
        assert article["reportNumber"] == brief.number
        assert brief.number != str(brief.pk)
        assert f"No. {brief.pk}" not in json.dumps(brief.citations)
        assert f"No. {brief.number}" in brief.citations["apa"]["bibliography"]


@pytest.mark.django_db
def test_dc_type_is_the_brief_type_never_text(world: World, client: Any) -> None:
    doc = lxml.html.document_fromstring(page_html(client, world.hostile))

    assert doc.xpath("/html/head/meta[@name='DC.type']/@content") == [world.hostile.brief_type]
    assert "(Text" not in world.hostile.citations["apa"]["bibliography"]


@pytest.mark.django_db
def test_zotero_reads_every_author_in_byline_order(world: World, client: Any) -> None:
    item = zotero_embedded_metadata(page_html(client, world.brief), world.brief.canonical_url())

    assert item.names() == [
        ("Bajoria", "Jayshree"),
        ("Bruno", "Greg"),
        ("de la Vega", "Ana María"),
    ]
    assert {c["creatorType"] for c in item.creators} == {"author"}


@pytest.mark.django_db
def test_the_highwire_tags_carry_publisher_keywords_and_the_pdf(world: World, client: Any) -> None:
    doc = lxml.html.document_fromstring(page_html(client, world.brief))

    def values(name: str) -> list[str]:
        return doc.xpath(f"/html/head/meta[@name='{name}']/@content")

    assert values("citation_publisher") == [settings.BRIEFDESK_PUBLISHER]
    assert values("citation_public_url") == [world.brief.canonical_url()]
    assert values("citation_keywords") == ["Pakistan", "Afghanistan"]
    pdf_url = f"{world.brief.canonical_url()}pdf/"
    assert values("citation_pdf_url") == [pdf_url]
    assert client.get(pdf_url.removeprefix("http://127.0.0.1:8000")).status_code == 200


# --- extruct: JSON-LD, OpenGraph, Dublin Core --------------------------------------------


@pytest.mark.django_db
def test_extruct_finds_one_report_that_is_an_analysis_news_article_in_json_ld(
    world: World, client: Any
) -> None:
    [article] = json_ld_items(page_html(client, world.brief), world.brief)

    assert article["@context"] == "https://schema.org"
    assert article["@type"] == ["Report", "AnalysisNewsArticle"]
    assert article["reportNumber"] == "2010-1"
    assert article["headline"] == "How WikiLeaks Hurts U.S.-Pakistan Ties"
    assert article["url"] == world.brief.canonical_url()
    assert article["datePublished"] == midnight(dt.date(2010, 12, 6))
    assert article["dateModified"] == article["datePublished"]
    assert article["publisher"] == {
        "@type": "Organization",
        "name": settings.BRIEFDESK_PUBLISHER,
        "url": absolute("/"),
    }
    assert article["keywords"] == ["Pakistan", "Afghanistan"]


@pytest.mark.django_db
def test_the_json_ld_names_each_author_as_a_person_with_their_page(
    world: World, client: Any
) -> None:
    [article] = json_ld_items(page_html(client, world.brief), world.brief)

    assert article["author"] == [
        {
            "@type": "Person",
            "name": author.name,
            "givenName": author.given_name,
            "familyName": author.family_name,
            "url": absolute(author.url),
        }
        for author in world.authors
    ]


@pytest.mark.django_db
def test_the_json_ld_lists_the_cited_sources_in_order_of_first_citation(
    world: World, client: Any
) -> None:
    [article] = json_ld_items(page_html(client, world.brief), world.brief)

    assert article["citation"] == [
        {
            "@type": "Report",
            "name": "Pakistan-U.S. Relations",
            "url": "https://crsreports.example/R41307.pdf",
            "datePublished": "2010-06",
            "author": [{"@type": "Organization", "name": "Congressional Research Service"}],
            "publisher": {"@type": "Organization", "name": "Congressional Research Service"},
        },
        {
            "@type": "NewsArticle",
            "name": "Pakistan condemns leaks",
            "url": "https://www.reuters.com/pakistan-condemns",
            "datePublished": "2010-11-29",
            "author": [
                {"@type": "Person", "name": "Jane Doe", "givenName": "Jane", "familyName": "Doe"}
            ],
            "publisher": {"@type": "Organization", "name": "Reuters"},
        },
        {
            "@type": "CreativeWork",
            "name": "Army chief on the fuel talks",
            "datePublished": "2009",
            "publisher": {"@type": "Organization", "name": "WikiLeaks"},
        },
    ]


@pytest.mark.django_db
def test_extruct_finds_the_opengraph_article(world: World, client: Any) -> None:
    [og] = extract(page_html(client, world.brief), world.brief)["opengraph"]
    props = og["properties"]

    def values(key: str) -> list[str]:
        return [v for k, v in props if k == key]

    assert dict(props)["og:type"] == "article"
    assert values("og:title") == ["How WikiLeaks Hurts U.S.-Pakistan Ties"]
    assert values("og:url") == [world.brief.canonical_url()]
    assert values("og:description") == ["What the cables say about a strained alliance."]
    assert values("og:site_name") == [settings.WAGTAIL_SITE_NAME]
    assert values("article:published_time") == [midnight(dt.date(2010, 12, 6))]
    assert values("article:modified_time") == [midnight(dt.date(2010, 12, 6))]
    assert values("article:author") == [absolute(a.url) for a in world.authors]
    assert values("article:section") == ["Pakistan"]
    assert values("article:tag") == ["Pakistan", "Afghanistan"]


@pytest.mark.django_db
def test_extruct_finds_the_dublin_core_record(world: World, client: Any) -> None:
    [dc] = extract(page_html(client, world.brief), world.brief)["dublincore"]

    def values(element: str) -> list[str]:
        return [e["content"] for e in dc["elements"] if e["name"] == f"DC.{element}"]

    assert dc["namespaces"] == {"DC": "http://purl.org/dc/elements/1.1/"}
    assert values("title") == ["How WikiLeaks Hurts U.S.-Pakistan Ties"]
    assert values("creator") == ["Bajoria, Jayshree", "Bruno, Greg", "de la Vega, Ana María"]
    assert values("date") == ["2010-12-06"]
    assert values("publisher") == [settings.BRIEFDESK_PUBLISHER]
    assert values("identifier") == [world.brief.canonical_url()]
    assert values("language") == ["en"]
    assert values("type") == ["Analysis Brief"]
    assert values("description") == ["What the cables say about a strained alliance."]


@pytest.mark.django_db
def test_modified_time_follows_the_updated_line_the_page_shows(world: World, client: Any) -> None:
    BriefPage.objects.filter(pk=world.brief.pk).update(updated=dt.date(2011, 2, 3))

    html = page_html(client, world.brief)

    [article] = json_ld_items(html, world.brief)
    [og] = extract(html, world.brief)["opengraph"]
    assert article["dateModified"] == midnight(dt.date(2011, 2, 3))
    assert dict(og["properties"])["article:modified_time"] == midnight(dt.date(2011, 2, 3))
    assert 'datetime="2011-02-03"' in html  # the "Updated" line agrees


# --- links -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_head_links_to_the_citation_downloads(world: World, client: Any) -> None:
    doc = lxml.html.document_fromstring(page_html(client, world.brief))
    base = world.brief.canonical_url()

    links = [
        (link.get("href"), link.get("type"), link.get("title"))
        for link in doc.xpath("/html/head/link[@rel='alternate']")
        if "/feeds/" not in link.get("href")  # the site's feeds: briefdesk/feeds
    ]

    assert links == [
        (f"{base}cite.json", "application/vnd.citationstyles.csl+json", "CSL-JSON"),
        (f"{base}cite.bib", "application/x-bibtex", "BibTeX"),
        (f"{base}cite.ris", "application/x-research-info-systems", "RIS"),
    ]


@pytest.mark.django_db
def test_the_head_has_exactly_one_canonical_link(world: World, client: Any) -> None:
    doc = lxml.html.document_fromstring(page_html(client, world.brief))

    assert doc.xpath("//link[@rel='canonical']/@href") == [world.brief.canonical_url()]


# --- hostile input -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_script_title_stays_text_in_every_tag(world: World, client: Any) -> None:
    html = page_html(client, world.hostile)
    head = head_of(html)
    doc = lxml.html.document_fromstring(html)

    assert "<script>alert" not in head
    assert "<img" not in head
    assert doc.xpath("/html/head/meta[@name='citation_title']/@content") == [
        "<script>alert(1)</script>"
    ]
    assert doc.xpath("/html/head/meta[@property='og:title']/@content") == [
        "<script>alert(1)</script>"
    ]
    # The only scripts in the head are the JSON-LD one, and its text is the whole JSON.
    assert [s.get("type") for s in doc.xpath("/html/head/script")] == [JSON_LD]


@pytest.mark.django_db
def test_the_json_ld_cannot_close_its_script_element(world: World, client: Any) -> None:
    head = head_of(page_html(client, world.hostile))
    _, _, rest = head.partition(f'<script type="{JSON_LD}">')
    raw, found, _ = rest.partition("</script>")

    assert found
    assert not set(raw) & {"<", ">"}
    data = json.loads(raw)  # the text up to the first </script> is the complete JSON
    assert data["headline"] == "<script>alert(1)</script>"
    assert data["description"] == "</script><script>alert(3)</script> & more"
    assert data["citation"][0]["name"] == "</script><img src=x onerror=alert(2)>"
    assert data["citation"][0]["publisher"]["name"] == "Evil </script> Outlet"


@pytest.mark.django_db
def test_a_javascript_url_is_never_emitted_in_the_head_or_the_json_ld(
    world: World, client: Any
) -> None:
    html = page_html(client, world.hostile)
    [article] = json_ld_items(html, world.hostile)

    assert "javascript:" not in head_of(html)
    assert article["citation"][0]["name"] == world.hostile_source.title
    assert "url" not in article["citation"][0]


@pytest.mark.django_db
def test_a_javascript_url_never_becomes_a_live_link_anywhere_on_the_page(
    world: World, client: Any
) -> None:
    doc = lxml.html.document_fromstring(page_html(client, world.hostile))

    urls = doc.xpath("//@href | //@src | //@action")

    assert [u for u in urls if u.strip().lower().startswith("javascript:")] == []


# --- cost --------------------------------------------------------------------------------


TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK|BEGIN|COMMIT)\b", re.I)


def brief_citing(world: World, n: int, slug: str) -> BriefPage:
    outlets = Outlet.objects.bulk_create(Outlet(name=f"{slug} outlet {i}") for i in range(n))
    sources = Source.objects.bulk_create(
        Source(
            title=f"Story {i}",
            outlet=o,
            url=f"https://news.example/{slug}/{i}",
            authors=[{"family": "Doe", "given": "Jane"}],
        )
        for i, o in enumerate(outlets)
    )
    cites = " ".join(cite(s) for s in sources)
    return make_brief(
        world.tree, title=slug, slug=slug, authors=world.authors, body=[("paragraph", cites)]
    )


def count_queries(client: Any, page: BriefPage) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        html = page_html(client, page)
    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    return len(queries), html


@pytest.mark.django_db
def test_the_metadata_costs_no_query_per_cited_source(world: World, client: Any) -> None:
    small = brief_citing(world, 2, "meta-two-sources")
    large = brief_citing(world, 20, "meta-twenty-sources")
    for page in (small, large):  # warm the site-root cache both requests share
        page_html(client, page)

    small_count, _ = count_queries(client, small)
    large_count, large_html = count_queries(client, large)

    assert len(json_ld_items(large_html, large)[0]["citation"]) == 20
    assert small_count == large_count


# --- briefdesk.briefs.metadata, with plain data ------------------------------------------


def record(**changes: Any) -> BriefRecord:
    values: dict[str, Any] = {
        "title": "A brief",
        "url": "https://briefs.example/briefs/a-brief/",
        "number": "2010-7",
        "brief_type": "Analysis Brief",
        "published": dt.datetime(2010, 12, 6, tzinfo=UTC),
        "modified": dt.datetime(2010, 12, 6, tzinfo=UTC),
        "publisher": "Council",
        "site_name": "Briefdesk",
        "site_url": "https://briefs.example/",
        "authors": [Person("Jayshree", "Bajoria", "https://briefs.example/authors/jb/")],
    }
    return BriefRecord(**{**values, **changes})


def tags(brief: BriefRecord) -> list[tuple[str, str]]:
    return [(m.key, m.content) for m in head_metadata(brief).meta]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
        ("  http://example.org/  ", "http://example.org/"),
        ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
        ("javascript:alert(1)", ""),
        (" JavaScript:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox", ""),
        ("/briefs/a/", ""),
        ("//evil.example/", ""),
        ("https:///no-host", ""),
        ("http://[::1", ""),
        ("", ""),
    ],
)
def test_only_absolute_http_urls_pass(value: str, expected: str) -> None:
    assert web_url(value) == expected


@pytest.mark.parametrize(
    ("person", "inverted", "name"),
    [
        (Person("Jayshree", "Bajoria"), "Bajoria, Jayshree", "Jayshree Bajoria"),
        (Person("Ana María", "de la Vega"), "de la Vega, Ana María", "Ana María de la Vega"),
        (Person("", "Madonna"), "Madonna", "Madonna"),
        (Person("Cher", ""), "Cher", "Cher"),
    ],
)
def test_authors_are_written_family_name_first_for_readers_that_split_names(
    person: Person, inverted: str, name: str
) -> None:
    assert (person.inverted, person.name) == (inverted, name)


@pytest.mark.parametrize(
    ("brief_type", "schema_type"),
    [
        ("Analysis Brief", "AnalysisNewsArticle"),
        ("Expert Brief", "AnalysisNewsArticle"),
        ("Backgrounder", "BackgroundNewsArticle"),
        ("Op-Ed", "OpinionNewsArticle"),
        ("Interview", "NewsArticle"),
        ("Something new", "NewsArticle"),
    ],
)
def test_each_brief_type_is_a_report_and_a_news_article_type(
    brief_type: str, schema_type: str
) -> None:
    assert schema_org(record(brief_type=brief_type))["@type"] == ["Report", schema_type]


@pytest.mark.parametrize("brief_type", ["Analysis Brief", "Op-Ed", "Interview"])
def test_the_genre_is_the_brief_type_in_every_vocabulary(brief_type: str) -> None:
    brief = record(brief_type=brief_type)
    emitted = dict(tags(brief))

    assert emitted["DC.type"] == brief_type
    assert schema_org(brief)["genre"] == brief_type


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"a": "</script>"}, '{"a": "\\u003C/script\\u003E"}'),
        ({"a": "<!-- x -->"}, '{"a": "\\u003C!-- x --\\u003E"}'),
        ({"a": "Q&A"}, '{"a": "Q\\u0026A"}'),
        ({"a": "Zürich — “quoted”"}, '{"a": "Zürich — “quoted”"}'),
    ],
)
def test_json_ld_escapes_what_could_end_its_script_element(data: Any, expected: str) -> None:
    body = json_ld_script_body(data)

    assert body == expected
    assert json.loads(body) == data


def test_a_pdf_url_is_announced_once_briefs_have_one() -> None:
    with_pdf = record(pdf_url="https://briefs.example/briefs/a-brief/pdf/")

    assert ("citation_pdf_url", "https://briefs.example/briefs/a-brief/pdf/") in tags(with_pdf)
    assert schema_org(with_pdf)["associatedMedia"]["contentUrl"] == with_pdf.pdf_url
    assert "citation_pdf_url" not in dict(tags(record()))
    assert "citation_pdf_url" not in dict(tags(record(pdf_url="javascript:alert(1)")))


def test_without_topics_the_section_is_the_brief_type_and_no_keywords_are_emitted() -> None:
    emitted = tags(record(brief_type="Backgrounder", topics=[]))

    assert ("article:section", "Backgrounder") in emitted
    assert not [key for key, _ in emitted if key in ("citation_keywords", "article:tag")]


def test_empty_values_leave_their_tags_out() -> None:
    emitted = dict(tags(record(authors=[], description="", number="")))

    assert "citation_author" not in emitted
    assert "og:description" not in emitted
    assert "citation_technical_report_number" not in emitted
    assert "citation_abstract" not in emitted
    assert "DC.description" not in emitted
    assert "description" not in schema_org(record(description=""))
    assert "reportNumber" not in schema_org(record(number=""))


def test_a_cited_organisation_is_an_organization_and_a_bad_date_is_dropped() -> None:
    brief = record(
        sources=[
            CitedWork(
                title="Annual report",
                kind="report",
                issued="sometime",
                authors=[{"literal": "World Bank"}, {"family": "Doe", "given": "Jane"}],
            )
        ]
    )

    assert schema_org(brief)["citation"] == [
        {
            "@type": "Report",
            "name": "Annual report",
            "author": [
                {"@type": "Organization", "name": "World Bank"},
                {"@type": "Person", "name": "Jane Doe", "givenName": "Jane", "familyName": "Doe"},
            ],
        }
    ]


KARACHI = ZoneInfo("Asia/Karachi")


@pytest.mark.parametrize(
    ("date", "first_published_at", "tz", "expected"),
    [
        # Published on its date: the moment, in the site's time zone.
        (
            dt.date(2010, 12, 6),
            dt.datetime(2010, 12, 6, 9, 30, 15, 999, tzinfo=UTC),
            UTC,
            "2010-12-06T09:30:15+00:00",
        ),
        (
            dt.date(2010, 12, 6),
            dt.datetime(2010, 12, 5, 20, 0, tzinfo=UTC),
            KARACHI,
            "2010-12-06T01:00:00+05:00",
        ),
        # Imported or published later than dated: the editorial date wins.
        (
            dt.date(2010, 12, 6),
            dt.datetime(2025, 1, 2, 9, 0, tzinfo=UTC),
            UTC,
            "2010-12-06T00:00:00+00:00",
        ),
        (dt.date(2010, 12, 6), None, KARACHI, "2010-12-06T00:00:00+05:00"),
    ],
)
def test_published_time_falls_on_the_publication_date(
    date: dt.date, first_published_at: dt.datetime | None, tz: dt.tzinfo, expected: str
) -> None:
    assert published_moment(date, first_published_at, tz).isoformat() == expected


PUBLISHED = dt.datetime(2010, 12, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("updated_on", "last_published_at", "expected"),
    [
        (None, dt.datetime(2025, 1, 2, 9, 0, tzinfo=UTC), "2010-12-06T09:00:00+00:00"),
        (dt.date(2011, 2, 3), None, "2011-02-03T00:00:00+00:00"),
        (
            dt.date(2011, 2, 3),
            dt.datetime(2011, 2, 3, 14, 5, tzinfo=UTC),
            "2011-02-03T14:05:00+00:00",
        ),
        (
            dt.date(2011, 2, 3),
            dt.datetime(2025, 1, 2, 9, 0, tzinfo=UTC),
            "2011-02-03T00:00:00+00:00",
        ),
    ],
)
def test_modified_time_is_the_updated_day_the_page_shows(
    updated_on: dt.date | None, last_published_at: dt.datetime | None, expected: str
) -> None:
    assert modified_moment(PUBLISHED, updated_on, last_published_at, UTC).isoformat() == expected

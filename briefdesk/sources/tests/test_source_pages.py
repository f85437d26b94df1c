"""Source pages are real, reachable records: a brief links each Sources entry (and each
citation of a source with no web URL) to /sources/<id>/; the page carries the source's own
metadata for Zotero; /sources/ lists them (by outlet, by kind, newest first); the sitemap has
them on the canonical origin. Private and draft ones stay out everywhere."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import PageViewRestriction

from briefdesk.briefs.models import BriefPage
from briefdesk.briefs.rendering import brief_page_context
from briefdesk.sources.metadata import SourceRecord, source_head_metadata, source_record
from briefdesk.sources.models import Source
from tests.db import rolled_back
from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
)
from tests.pages import html_of, page_html, section

BASE = settings.WAGTAILADMIN_BASE_URL.rstrip("/")


@dataclass
class World:
    reuters: Source
    cable: Source
    article: Source
    report: Source
    private_only: Source
    draft: Source
    brief: BriefPage
    private_brief: BriefPage


def build_world() -> World:
    tree = make_site_tree()
    author = make_author(tree)
    reuters = SourceFactory(
        outlet=OutletFactory(name="Reuters"),
        title="Pakistan condemns leaks",
        issued="2010-11-29",
        url="https://www.reuters.com/pakistan-condemns",
        authors=[{"family": "Bokhari", "given": "Farhan"}],
    )
    cable = SourceFactory(
        kind="diplomatic_cable",
        outlet=OutletFactory(name="WikiLeaks"),
        title="Army chief on the Swat offensive",
        issued="2009-02-12",
        url="",
        authors=[],
    )
    article = SourceFactory(
        kind="journal_article",
        outlet=OutletFactory(name="Foreign Affairs"),
        title="Pakistan's Nuclear Future",
        issued="2008-03",
        csl_extra={"volume": "87", "issue": "2", "page": "112-125", "DOI": "10.2307/20032581"},
    )
    report = SourceFactory(
        kind="report",
        outlet=OutletFactory(name="Congressional Research Service"),
        title="Pakistan-U.S. Relations",
        issued="2009-07-01",
        number="R40645",
        authors=[{"family": "Kronstadt", "given": "K. Alan"}],
    )
    private_only = SourceFactory(outlet=OutletFactory(name="Secret Gazette"), title="Zeppelins")
    draft = SourceFactory(outlet=OutletFactory(name="Reuters"), title="Unpublished wombat")
    brief = make_brief(
        tree,
        authors=[author],
        body=[
            (
                "paragraph",
                f"<p>Firm {cite(reuters)}; the army chief {cite(cable)}; the bomb "
                f"{cite(article)}; aid {cite(report)}; draft {cite(draft, 'Wombat')}.</p>",
            )
        ],
    )
    private_brief = make_brief(
        tree,
        title="Private brief",
        slug="private-brief",
        body=[("paragraph", f"<p>Hidden {cite(private_only)} and {cite(cable)}.</p>")],
    )
    # Taken down after the brief went live (publishing a brief publishes its new sources).
    Source.objects.filter(pk=draft.pk).update(live=False)
    PageViewRestriction.objects.create(
        page=private_brief, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    return World(reuters, cable, article, report, private_only, draft, brief, private_brief)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def detail(source: Source) -> str:
    return reverse("sources:detail", args=[source.pk])


def metas(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, content in re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', page):
        found.setdefault(key, []).append(htmllib.unescape(content))
    return found


# --- a brief links to its sources' pages -------------------------------------------------


@pytest.mark.django_db
def test_each_sources_entry_links_to_its_source_page(world: World, client: Any) -> None:
    html = page_html(client, world.brief)
    entries = section(html, '<ol class="source-list">', "</ol>")

    for source in (world.reuters, world.cable, world.article, world.report):
        entry = section(entries, f'<li id="source-{source.pk}">', "</li>")
        assert f'<a class="source-list__record" href="{detail(source)}">' in entry


@pytest.mark.django_db
def test_a_citation_of_a_source_without_url_links_to_its_page(world: World, client: Any) -> None:
    html = page_html(client, world.brief)

    assert f'(<a href="{detail(world.cable)}" data-source="{world.cable.pk}">' in html
    assert f'(<a href="{world.reuters.url}" data-source="{world.reuters.pk}" ' in html
    assert client.get(detail(world.cable)).status_code == 200


@pytest.mark.django_db
def test_the_switched_sources_list_keeps_the_source_page_links(world: World, client: Any) -> None:
    html = html_of(client, f"{world.brief.url}?style=apa&partial=sources")

    assert f'href="{detail(world.report)}"' in html


@pytest.mark.django_db
def test_a_private_brief_links_no_source_page_a_reader_cannot_open(world: World) -> None:
    context = brief_page_context(world.private_brief)

    # The cable is public through the public brief, but this brief's readers may not be
    # anyone else's: a private brief links within itself.
    assert context["cited"][world.cable.pk].href == f"#source-{world.cable.pk}"
    assert [e["page_url"] for e in context["source_entries"]] == ["", ""]


@pytest.mark.django_db
def test_the_admin_preview_links_no_source_page(world: World) -> None:
    context = brief_page_context(world.brief, include_drafts=True)

    assert context["cited"][world.cable.pk].href == f"#source-{world.cable.pk}"


@pytest.mark.django_db
def test_a_source_cited_only_by_a_private_brief_has_no_page(world: World, client: Any) -> None:
    assert client.get(detail(world.private_only)).status_code == 404
    assert client.get(detail(world.draft)).status_code == 404


# --- the source page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_source_page_is_titled_by_the_source_once(world: World, client: Any) -> None:
    html = html_of(client, detail(world.reuters))

    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None
    assert (
        htmllib.unescape(title.group(1))
        == f"Pakistan condemns leaks · {settings.WAGTAIL_SITE_NAME}"
    )


@pytest.mark.django_db
def test_a_news_page_tells_zotero_it_is_a_newspaper_article(world: World, client: Any) -> None:
    found = metas(html_of(client, detail(world.reuters)))

    assert "citation_title" not in found  # Zotero would guess "journal article"
    assert found["z.itemType"] == ["newspaperArticle"]
    assert found["og:type"] == ["article"]
    assert found["og:title"] == ["Pakistan condemns leaks"]
    assert found["og:url"] == [world.reuters.url]
    assert found["og:site_name"] == ["Reuters"]
    assert found["article:published_time"] == ["2010-11-29"]
    assert found["article:author"] == ["Farhan Bokhari"]
    assert found["citation_author"] == ["Bokhari, Farhan"]
    assert found["citation_publication_date"] == ["2010/11/29"]


@pytest.mark.django_db
def test_a_journal_article_page_carries_its_journal_volume_issue_pages_and_doi(
    world: World, client: Any
) -> None:
    found = metas(html_of(client, detail(world.article)))

    assert found["citation_title"] == ["Pakistan's Nuclear Future"]
    assert found["citation_journal_title"] == ["Foreign Affairs"]
    assert found["citation_volume"] == ["87"]
    assert found["citation_issue"] == ["2"]
    assert found["citation_firstpage"] == ["112"]
    assert found["citation_lastpage"] == ["125"]
    assert found["citation_doi"] == ["10.2307/20032581"]
    assert found["citation_publication_date"] == ["2008/03"]
    assert found["citation_public_url"] == [world.article.url]
    assert found["z.itemType"] == ["journalArticle"]


@pytest.mark.django_db
def test_a_report_page_carries_its_institution_and_number(world: World, client: Any) -> None:
    found = metas(html_of(client, detail(world.report)))

    assert found["citation_technical_report_institution"] == ["Congressional Research Service"]
    assert found["citation_technical_report_number"] == ["R40645"]
    assert found["citation_author"] == ["Kronstadt, K. Alan"]
    assert found["z.itemType"] == ["report"]


@pytest.mark.django_db
def test_the_source_page_is_canonical_and_offers_its_downloads(world: World, client: Any) -> None:
    html = html_of(client, detail(world.cable))
    page_url = f"{BASE}{detail(world.cable)}"

    assert f'<link rel="canonical" href="{page_url}">' in html
    for name in ("cite.json", "cite.bib", "cite.ris"):
        assert f'<link rel="alternate" href="{page_url}{name}"' in html
        assert client.get(f"{detail(world.cable)}{name}").status_code == 200
    assert f'href="{reverse("sources:index")}"' in html


# --- the metadata, with plain data -------------------------------------------------------


def record(kind: str, **fields: Any) -> SourceRecord:
    return SourceRecord(
        kind=kind, title="A title", page_url="https://site.example/sources/1/", **fields
    )


def tags(rec: SourceRecord) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for m in source_head_metadata(rec).meta:
        found.setdefault(m.key, []).append(m.content)
    return found


@pytest.mark.parametrize(
    ("kind", "zotero_type", "has_citation_title"),
    [
        ("news_article", "newspaperArticle", False),
        ("op_ed", "newspaperArticle", False),
        ("magazine_article", "magazineArticle", False),
        ("blog_post", "blogPost", False),
        ("web_page", "webpage", False),
        ("diplomatic_cable", "document", False),
        ("interview", "interview", False),
        ("speech", "presentation", False),
        ("journal_article", "journalArticle", True),
        ("report", "report", True),
        ("government_document", "report", True),
        ("book", "book", True),
    ],
)
def test_each_kind_names_its_zotero_type_and_only_scholarly_kinds_a_citation_title(
    kind: str, zotero_type: str, has_citation_title: bool
) -> None:
    found = tags(record(kind))

    assert found["z.itemType"] == [zotero_type]
    assert ("citation_title" in found) is has_citation_title


def test_a_book_has_its_isbn_publisher_and_book_open_graph() -> None:
    found = tags(record("book", publisher="Brookings", isbn="978-0-8157-0000-0", issued="2011"))

    assert found["citation_isbn"] == ["978-0-8157-0000-0"]
    assert found["citation_publisher"] == ["Brookings"]
    assert found["og:type"] == ["book"]
    assert found["book:release_date"] == ["2011"]
    assert "citation_technical_report_institution" not in found


def test_a_record_is_read_from_the_sources_csl_item() -> None:
    item = {
        "type": "article-journal",
        "title": "T",
        "author": [{"family": "Roy", "given": "Arundhati"}, {"literal": "Staff"}, "junk"],
        "issued": {"date-parts": [[2009, 2]]},
        "container-title": "Journal",
        "volume": 4,
        "page": "7\u20139",
        "URL": "javascript:alert(1)",
    }
    rec = source_record(item, "journal_article", "https://site.example/sources/9/")
    found = tags(rec)

    assert rec.issued == "2009-02"
    assert found["citation_author"] == ["Roy, Arundhati", "Staff"]
    assert found["citation_volume"] == ["4"]
    assert (found["citation_firstpage"], found["citation_lastpage"]) == (["7"], ["9"])
    assert "citation_public_url" not in found  # only http(s) URLs are emitted
    assert "og:url" not in found


def test_bad_csl_values_are_left_out_not_raised() -> None:
    item = {"title": ["not", "text"], "issued": {"date-parts": [["x"]]}, "volume": True}
    rec = source_record(item, "journal_article", "https://site.example/sources/9/")

    assert (rec.title, rec.issued, rec.volume) == ("", "", "")


# --- the index ---------------------------------------------------------------------------


def index_links(html: str) -> list[str]:
    listing = section(html, '<ul class="source-index">', "</ul>")
    return re.findall(r'<a href="(/sources/\d+/)">', listing)


@pytest.mark.django_db
def test_the_index_lists_public_sources_newest_first(world: World, client: Any) -> None:
    links = index_links(html_of(client, reverse("sources:index")))

    assert links == [
        detail(world.reuters),  # 2010-11-29
        detail(world.report),  # 2009-07-01
        detail(world.cable),  # 2009-02-12
        detail(world.article),  # 2008-03
    ]


@pytest.mark.django_db
def test_the_index_filters_by_outlet_and_by_kind(world: World, client: Any) -> None:
    url = reverse("sources:index")

    by_outlet = index_links(html_of(client, f"{url}?outlet={world.reuters.outlet_id}"))
    by_kind = index_links(html_of(client, f"{url}?kind=report"))

    assert by_outlet == [detail(world.reuters)]  # not the draft from the same outlet
    assert by_kind == [detail(world.report)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["outlet=abc", "outlet=999999", "kind=novel", "outlet=%00", "kind=report%00"]
)
def test_a_bad_filter_is_ignored_with_a_message(world: World, client: Any, query: str) -> None:
    response = client.get(f"{reverse('sources:index')}?{query}")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message"' in html
    assert len(index_links(html)) == 4


@pytest.mark.django_db
def test_the_index_never_shows_private_or_draft_sources(world: World, client: Any) -> None:
    html = html_of(client, reverse("sources:index"))

    assert "Zeppelins" not in html
    assert "Unpublished wombat" not in html
    assert "Secret Gazette" not in html  # nor as a filter choice


@pytest.mark.django_db
def test_the_index_pages_keep_the_filters(world: World, client: Any) -> None:
    outlet = OutletFactory(name="Dawn")
    more = [
        SourceFactory(outlet=outlet, title=f"Dawn {n}", issued=f"2001-01-{n + 1:02d}")
        for n in range(21)
    ]
    tree_brief = world.brief.get_parent()
    extra = make_brief_under(tree_brief, more)
    try:
        html = html_of(client, f"{reverse('sources:index')}?outlet={outlet.pk}")
        assert len(index_links(html)) == 20
        assert f'href="?outlet={outlet.pk}&amp;page=2" rel="next"' in html
        second = html_of(client, f"{reverse('sources:index')}?outlet={outlet.pk}&page=2")
        assert index_links(second) == [detail(more[0])]
    finally:
        extra.delete()


def make_brief_under(parent: Any, sources: list[Source]) -> BriefPage:
    page = BriefPage(
        title="Dawn roundup",
        slug="dawn-roundup",
        date=dt.date(2011, 1, 1),
        body=[("paragraph", "<p>" + " ".join(cite(s) for s in sources) + "</p>")],
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


# --- the sitemap -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sitemap_lists_public_source_pages_on_the_canonical_origin(
    world: World, client: Any
) -> None:
    xml = client.get("/sitemap.xml", HTTP_HOST="elsewhere.example").content.decode()

    for source in (world.reuters, world.cable, world.article, world.report):
        assert f"<loc>{BASE}{detail(source)}</loc>" in xml
    for source in (world.private_only, world.draft):
        assert f"{detail(source)}</loc>" not in xml
    assert "/briefs/" in xml  # Wagtail's pages are still there


# --- what Zotero saves from a source page is the source -----------------------------------


@pytest.mark.django_db
def test_a_source_page_gives_zotero_nothing_of_the_briefs_citing_it(
    world: World, client: Any
) -> None:
    # The cable has no author: Zotero would look for a byline on the page, and for a <time>.
    html = html_of(client, detail(world.cable))
    listed = section(html, '<section class="brief-list"', "</section>")

    assert world.brief.title in listed
    assert "Z3988" not in html  # COinS would make Zotero save the citing briefs instead
    assert not re.search(r'class="[^"]*(byline|vcard)', html, re.IGNORECASE)
    assert "<time" not in listed


@pytest.mark.django_db
def test_the_source_pages_json_ld_is_json(world: World, client: Any) -> None:
    html = html_of(client, detail(world.report))
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)

    assert found is not None
    assert "Pakistan-U.S. Relations" in json.dumps(json.loads(found.group(1)))


def test_a_magazine_page_names_its_magazine_and_pages_without_looking_like_a_journal() -> None:
    record = SourceRecord(
        kind="magazine_article",
        title="The Cable Dump",
        page_url="http://127.0.0.1:8000/sources/1/",
        outlet="Newsweek",
        volume="156",
        issue="23",
        pages="30-33",
    )
    found = {m.key: m.content for m in source_head_metadata(record).meta}

    assert found["prism.publicationName"] == "Newsweek"
    assert (found["citation_volume"], found["citation_issue"]) == ("156", "23")
    assert (found["citation_firstpage"], found["citation_lastpage"]) == ("30", "33")
    # Either would make Zotero's Embedded Metadata save a journal article.
    assert "citation_journal_title" not in found
    assert "citation_title" not in found


def test_a_report_page_gives_its_report_type() -> None:
    record = SourceRecord(
        kind="report",
        title="Pakistan-U.S. Relations",
        page_url="http://127.0.0.1:8000/sources/1/",
        publisher="Congressional Research Service",
        number="R40645",
        genre="CRS Report for Congress",
    )
    found = {m.key: m.content for m in source_head_metadata(record).meta}

    assert found["DC.type"] == "CRS Report for Congress"  # Zotero's report type
    assert found["citation_technical_report_number"] == "R40645"

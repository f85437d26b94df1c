"""What is stored about a work is formatted again when what it names changes elsewhere: an
author renamed (their briefs' own citations, in every style), an outlet renamed (its sources'
entries, and so the Sources lists of the briefs citing them), a source edited (its entries,
and what its citing briefs show), a topic renamed (no citation names a topic; the brief's
metadata and page show the new name). Edits go through the admin as an editor makes them,
and what a reader gets is read back from the database and the public pages."""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.citations.styles import STYLES
from briefdesk.sources.models import Outlet, Source
from briefdesk.topics.models import TopicGuidePage
from tests.factories import (
    OutletFactory,
    SiteTree,
    SourceFactory,
    Users,
    author_form_data,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
    make_users,
    outlet_form_data,
    source_form_data,
)
from tests.pages import section

pytestmark = pytest.mark.django_db

PUBLISH_PAGE = {"action-publish": "action-publish"}
PUBLISH_SNIPPET = {"action-publish": "1"}
AUTHOR_EDIT = "wagtailadmin_pages:edit"
OUTLET_EDIT = "wagtailsnippets_sources_outlet:edit"
SOURCE_EDIT = "wagtailsnippets_sources_source:edit"


@dataclass
class World:
    tree: SiteTree
    users: Users
    author: AuthorPage
    topic: TopicGuidePage
    outlet: Outlet
    source: Source
    brief: BriefPage


@pytest.fixture
def world() -> World:
    tree = make_site_tree()
    author = make_author(tree, "Jayshree", "Bajoria")
    topic = make_topic(tree, "Nuclear Security")
    outlet = OutletFactory(name="Karachi Ledger", short_label="Ledger")
    source = SourceFactory(
        outlet=outlet,
        title="Cables Reveal Reactor Fuel Standoff",
        authors=[{"family": "Sanger", "given": "David"}],
        issued="2010-11-28",
        url="https://ledger.example/reactor-fuel",
    )
    brief = make_brief(
        tree,
        title="What the Cables Say About Reactor Fuel",
        slug="reactor-fuel",
        authors=[author],
        topics=[topic],
        body=[("paragraph", f"<p>The fuel stayed put {cite(source)}.</p>")],
    )
    return World(tree, make_users(), author, topic, outlet, source, brief)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def brief_citations(brief: BriefPage) -> dict[str, dict[str, str]]:
    return BriefPage.objects.get(pk=brief.pk).citations


def source_entries(source: Source) -> dict[str, dict[str, str]]:
    return Source.objects.get(pk=source.pk).formatted


def all_forms(formatted: dict[str, dict[str, str]], style: str) -> str:
    """Every form stored for one style (bibliography, citation, note...), as one text."""
    return " | ".join(str(value) for value in formatted[style].values())


def page_in(brief: BriefPage, style: str) -> str:
    response = Client().get(brief.url, {"style": style})
    assert response.status_code == 200
    return response.content.decode()


def sources_list(page: str) -> str:
    return html_lib.unescape(section(page, '<ol class="source-list">', "</ol>"))


def cite_text(brief: BriefPage, style: str) -> str:
    url = reverse("brief_cite_file", kwargs={"slug": brief.slug, "fmt": "txt"})
    response = Client().get(url, {"style": style})
    assert response.status_code == 200
    return response.content.decode()


def json_ld(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def meta_values(page: str, key: str) -> list[str]:
    """The content of every <meta name=key> or <meta property=key> on the page."""
    pattern = rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"'
    return [html_lib.unescape(value) for value in re.findall(pattern, page)]


# --- authors -------------------------------------------------------------------------------


def rename_author(world: World, author: AuthorPage, **changes: str) -> None:
    response = signed_in(world.users.editor).post(
        reverse(AUTHOR_EDIT, args=[author.pk]), author_form_data(author, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_renaming_an_author_reformats_their_briefs_citation_in_every_style(world: World) -> None:
    before = brief_citations(world.brief)
    assert all("Bajoria" in all_forms(before, style) for style in STYLES)

    rename_author(world, world.author, family_name="Bajoria-Rao", **PUBLISH_PAGE)

    after = brief_citations(world.brief)
    assert set(after) == set(STYLES)
    for style in STYLES:
        assert "Bajoria-Rao" in after[style]["bibliography"], style
        assert "Bajoria-Rao" in after[style]["bibliography_html"], style
        assert "Bajoria-Rao" in after[style]["citation"], style
        assert "Bajoria-Rao" in cite_text(world.brief, style), style
        forms = all_forms(after, style).replace("Bajoria-Rao", "")
        assert "Bajoria" not in forms, style


def test_a_renamed_author_is_named_in_the_cite_dialog_and_the_byline(world: World) -> None:
    rename_author(world, world.author, given_name="Jay", family_name="Rao", **PUBLISH_PAGE)

    page = page_in(world.brief, "mla")
    dialog = section(page, '<dialog id="cite-dialog"', "</dialog>")
    assert "Rao, Jay." in dialog  # MLA
    assert "Rao, J. (2010" in dialog  # APA
    assert "Jay Rao," in dialog  # Chicago note
    assert "Bajoria" not in dialog
    assert ">Jay Rao</a>" in section(page, '<p class="byline">', "</p>")


def test_every_brief_of_a_renamed_author_is_reformatted_and_no_other(world: World) -> None:
    coauthor = make_author(world.tree, "Daniel", "Markey")
    shared = make_brief(
        world.tree, title="Fuel and Aid", slug="fuel-and-aid", authors=[coauthor, world.author]
    )
    theirs = make_brief(world.tree, title="Markey Alone", slug="markey-alone", authors=[coauthor])
    untouched = brief_citations(theirs)

    rename_author(world, world.author, family_name="Bajoria-Rao", **PUBLISH_PAGE)

    for style in STYLES:
        bibliography = brief_citations(shared)[style]["bibliography"]
        assert "Markey" in bibliography, style
        assert "Bajoria-Rao" in bibliography, style
    assert brief_citations(theirs) == untouched


def test_an_authors_name_saved_as_a_draft_leaves_the_citations_as_readers_see_them(
    world: World,
) -> None:
    before = brief_citations(world.brief)

    rename_author(world, world.author, family_name="Bajoria-Rao")  # a draft, not published

    assert brief_citations(world.brief) == before
    assert "Bajoria-Rao" not in cite_text(world.brief, "apa")


# --- outlets -------------------------------------------------------------------------------


def edit_outlet(world: World, **changes: str) -> None:
    outlet = Outlet.objects.get(pk=world.outlet.pk)
    response = signed_in(world.users.editor).post(
        reverse(OUTLET_EDIT, args=[outlet.pk]), outlet_form_data(outlet, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_renaming_an_outlet_reformats_its_sources_in_every_style(world: World) -> None:
    other = SourceFactory(outlet=world.outlet, title="Second Ledger Story")
    assert all("Karachi Ledger" in source_entries(other)[style]["bibliography"] for style in STYLES)

    edit_outlet(world, name="Lahore Ledger", **PUBLISH_SNIPPET)

    for source in (world.source, other):
        entries = source_entries(source)
        assert set(entries) == set(STYLES)
        for style in STYLES:
            assert "Lahore Ledger" in entries[style]["bibliography"], style
            assert "<i>Lahore Ledger</i>" in entries[style]["bibliography_html"], style
            assert "Karachi Ledger" not in all_forms(entries, style), style


def test_renaming_an_outlet_changes_the_sources_list_of_a_brief_citing_it(world: World) -> None:
    edit_outlet(world, name="Lahore Ledger", **PUBLISH_SNIPPET)

    for style in STYLES:
        listed = sources_list(page_in(world.brief, style))
        assert "Lahore Ledger" in listed, style
        assert "Karachi Ledger" not in listed, style


def test_an_outlet_renamed_as_a_draft_leaves_its_sources_as_readers_see_them(
    world: World,
) -> None:
    before = source_entries(world.source)

    edit_outlet(world, name="Lahore Ledger")  # saved, not published

    assert source_entries(world.source) == before
    assert "Karachi Ledger" in sources_list(page_in(world.brief, "apa"))


# --- sources -------------------------------------------------------------------------------


EDITED = {
    "title": "Reactor Fuel Deal Collapses",
    "authors": "Perlez, Jane",
    "issued": "2011-02-03",
}


def edit_source(world: World, user: Any, **changes: str) -> Any:
    source = Source.objects.get(pk=world.source.pk)
    return signed_in(user).post(
        reverse(SOURCE_EDIT, args=[source.pk]), source_form_data(source, **changes)
    )


def test_editing_a_sources_title_authors_and_date_reformats_it_in_every_style(
    world: World,
) -> None:
    response = edit_source(world, world.users.editor, **EDITED, **PUBLISH_SNIPPET)

    assert response.status_code == 302
    entries = source_entries(world.source)
    for style in STYLES:
        forms = all_forms(entries, style)
        assert "Perlez" in entries[style]["bibliography"], style
        assert "2011" in entries[style]["bibliography"], style
        assert "Reactor fuel deal collapses" in forms or "Reactor Fuel Deal Collapses" in forms
        for old in ("Sanger", "2010", "Standoff", "standoff"):
            assert old not in forms, (style, old)
    assert "Reactor fuel deal collapses" in entries["apa"]["bibliography"]
    assert "(Perlez, 2011)" in entries["apa"]["citation"]
    assert "(Perlez 2011)" in entries["chicago-ad"]["citation"]
    assert "February 3, 2011" in entries["chicago-nb"]["bibliography"]


def test_an_edited_source_is_shown_edited_on_the_brief_citing_it(world: World) -> None:
    edit_source(world, world.users.editor, **EDITED, **PUBLISH_SNIPPET)

    for style in STYLES:
        page = page_in(world.brief, style)
        listed = sources_list(page)
        assert "Perlez" in listed, style
        assert "Reactor" in listed and "Deal" in listed.title(), style
        assert "Sanger" not in listed and "Standoff" not in listed.title(), style
    cited = json_ld(page_in(world.brief, "mla"))["citation"]
    assert [(work["name"], work["datePublished"]) for work in cited] == [
        ("Reactor Fuel Deal Collapses", "2011-02-03")
    ]
    url = reverse("brief_cite_file", kwargs={"slug": world.brief.slug, "fmt": "json"})
    items = json.loads(Client().get(url, {"with": "sources"}).content)
    assert items[1]["title"] == "Reactor Fuel Deal Collapses"
    assert items[1]["author"] == [{"family": "Perlez", "given": "Jane"}]
    assert items[1]["issued"] == {"date-parts": [[2011, 2, 3]]}


def test_an_authors_edit_of_a_live_source_waits_for_an_editor(world: World) -> None:
    before = source_entries(world.source)

    response = edit_source(world, world.users.author, **EDITED)

    assert response.status_code == 302
    assert source_entries(world.source) == before
    assert "Sanger" in sources_list(page_in(world.brief, "chicago-nb"))


# --- topics --------------------------------------------------------------------------------


def test_no_stored_citation_names_a_topic(world: World) -> None:
    stored = json.dumps([brief_citations(world.brief), source_entries(world.source)])

    assert "Nuclear Security" not in stored


def test_renaming_a_topic_changes_the_brief_pages_topic_and_metadata(world: World) -> None:
    topic = world.topic
    topic.title = "Nuclear Safety"
    topic.save_revision().publish()

    page = page_in(world.brief, "mla")
    for key in ("citation_keywords", "DC.subject", "article:tag"):
        assert meta_values(page, key) == ["Nuclear Safety"], key
    assert json_ld(page)["keywords"] == ["Nuclear Safety"]
    assert "Nuclear Security" not in page
    assert "Nuclear Safety" in page.split("</head>", 1)[1]  # named in the body too


def test_a_topic_renamed_as_a_draft_leaves_the_brief_page_as_it_was(world: World) -> None:
    topic = world.topic
    topic.title = "Nuclear Safety"
    topic.save_revision()  # not published

    page = page_in(world.brief, "mla")
    assert meta_values(page, "citation_keywords") == ["Nuclear Security"]
    assert json_ld(page)["keywords"] == ["Nuclear Security"]
    assert "Nuclear Safety" not in page

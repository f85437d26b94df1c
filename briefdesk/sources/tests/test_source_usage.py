"""Usage at a glance: the Sources listing counts the briefs citing each source, live and in
drafts (sortable, in the listing's own query), and a source's edit page lists them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ReferenceIndex

from briefdesk.briefs.models import BriefPage, BriefSource
from briefdesk.sources.models import Source
from tests.factories import (
    SiteTree,
    SourceFactory,
    Users,
    cite,
    make_brief,
    make_site_tree,
    make_users,
)

pytestmark = pytest.mark.django_db

LISTING = "wagtailsnippets_sources_source:list"
EDIT = "wagtailsnippets_sources_source:edit"


@dataclass
class World:
    tree: SiteTree
    users: Users
    cited: Source  # by a live brief and by an unpublished draft
    in_waiting_draft: Source  # only by the draft of a live brief, waiting for review
    uncited: Source
    live_brief: BriefPage
    draft_brief: BriefPage


def paragraph(*sources: Source) -> list[tuple[str, Any]]:
    return [("paragraph", "<p>Claims " + " and ".join(cite(s) for s in sources) + ".</p>")]


def save_draft(brief: BriefPage, *sources: Source) -> None:
    """What the editor does to a live brief: a new revision; the row keeps the live version."""
    brief.body = paragraph(*sources)
    brief.save_revision()


@pytest.fixture
def world() -> World:
    tree = make_site_tree()
    cited = SourceFactory(title="Envoy recalled")
    in_waiting_draft = SourceFactory(title="Aid talks stall")
    uncited = SourceFactory(title="Nobody cites this")
    live_brief = make_brief(tree, title="Live brief", body=paragraph(cited))
    draft_brief = make_brief(tree, title="Draft brief", body=paragraph(cited), publish=False)
    save_draft(BriefPage.objects.get(pk=live_brief.pk), cited, in_waiting_draft)
    return World(tree, make_users(), cited, in_waiting_draft, uncited, live_brief, draft_brief)


def editor(world: World, client: Any) -> Any:
    client.force_login(world.users.editor)
    return client


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def listing_row(html: str, title: str) -> str:
    start = html.find(f">{title}") if f">{title}" in html else html.find(title)
    assert start >= 0, title
    return plain(html[start : html.find("</tr>", start)])


def test_wagtails_reference_index_misses_a_live_briefs_waiting_draft(world: World) -> None:
    """Why usage.py reads waiting drafts from revisions: Wagtail indexes the page row, which
    for a live brief is the published version (as BriefSource does)."""
    briefs_citing = {r.object_id for r in ReferenceIndex.get_references_to(world.cited)}
    assert briefs_citing == {str(world.live_brief.pk), str(world.draft_brief.pk)}

    assert not ReferenceIndex.get_references_to(world.in_waiting_draft).exists()
    assert not BriefSource.objects.filter(source=world.in_waiting_draft).exists()


def test_the_listing_counts_live_and_draft_briefs(world: World, client: Any) -> None:
    html = editor(world, client).get(reverse(LISTING)).content.decode()

    assert re.search(r"<th[^>]*>\s*(<a[^>]*>)?\s*Cited by", html)
    assert listing_row(html, "Envoy recalled").endswith("1 live, 1 draft")
    assert listing_row(html, "Aid talks stall").endswith("1 draft")
    assert listing_row(html, "Nobody cites this").endswith("—")


def test_the_listing_sorts_by_how_many_briefs_cite_a_source(world: World, client: Any) -> None:
    client = editor(world, client)

    most = client.get(reverse(LISTING), {"ordering": "-cited_by"}).content.decode()
    least = client.get(reverse(LISTING), {"ordering": "cited_by"}).content.decode()

    assert most.find("Envoy recalled") < most.find("Nobody cites this")
    assert least.find("Nobody cites this") < least.find("Envoy recalled")


def citation_queries(client: Any) -> int:
    """Queries of one listing page that read which briefs cite what."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(LISTING)).status_code == 200
    return sum("briefs_briefsource" in q["sql"] for q in queries.captured_queries)


def test_the_counts_cost_the_same_queries_for_any_number_of_sources(
    world: World, client: Any
) -> None:
    client = editor(world, client)
    few = citation_queries(client)
    more = SourceFactory.create_batch(6)
    make_brief(world.tree, title="Citing many", body=paragraph(*more))

    assert citation_queries(client) == few <= 3  # the page, its count, the waiting drafts


def test_a_sources_edit_page_lists_the_briefs_citing_it(world: World, client: Any) -> None:
    html = editor(world, client).get(reverse(EDIT, args=[world.cited.pk])).content.decode()

    assert "Cited by" in html
    panel = plain(html[html.find("source-cited-by") :])
    assert "Draft brief (draft)" in panel
    assert "Live brief (live)" in panel
    for brief in (world.live_brief, world.draft_brief):
        assert f'href="{reverse("wagtailadmin_pages:edit", args=[brief.pk])}"' in html


def test_a_live_briefs_waiting_draft_is_listed_as_a_draft(world: World, client: Any) -> None:
    url = reverse(EDIT, args=[world.in_waiting_draft.pk])

    html = editor(world, client).get(url).content.decode()

    assert "Live brief (draft)" in plain(html[html.find("source-cited-by") :])


def test_a_draft_that_removes_a_citation_says_so(world: World, client: Any) -> None:
    save_draft(BriefPage.objects.get(pk=world.live_brief.pk), world.in_waiting_draft)

    html = editor(world, client).get(reverse(EDIT, args=[world.cited.pk])).content.decode()

    assert "Live brief (live, removed in draft)" in plain(html)


def test_an_uncited_source_says_no_brief_cites_it(world: World, client: Any) -> None:
    html = editor(world, client).get(reverse(EDIT, args=[world.uncited.pk])).content.decode()

    assert "No brief cites this source yet." in html


def test_a_new_source_has_no_cited_by_panel(world: World, client: Any) -> None:
    html = editor(world, client).get(reverse("wagtailsnippets_sources_source:add")).content
    assert b"No brief cites this source yet." not in html

"""Listings of briefs: the home page, /briefs/, a topic guide, an author page, and the indexes
of authors and topics. (That drafts never appear in them: test_drafts_and_permissions.)"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefdesk.briefs.models import BriefPage
from tests.db import rolled_back
from tests.factories import SiteTree, make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of

pytestmark = pytest.mark.django_db

LONG_OPENING = (
    "The first batch of U.S. diplomatic cables released by WikiLeaks in late November held few "
    "outright surprises about Pakistan, yet it landed in a country where suspicion of "
    "Washington already runs deep."
)


@dataclass
class World:
    tree: SiteTree
    bajoria: Any
    bruno: Any
    pakistan: Any
    afghanistan: Any
    oldest: BriefPage
    afghan: BriefPage
    newest: BriefPage


def build_world() -> World:
    tree = make_site_tree()
    bajoria = make_author(tree, "Jayshree", "Bajoria")
    bruno = make_author(tree, "Greg", "Bruno")
    make_author(tree, "Aaron", "Zimmer")
    pakistan = make_topic(tree, "Pakistan")
    afghanistan = make_topic(tree, "Afghanistan", label="Issue Guide")
    oldest = make_brief(
        tree,
        title="Pakistan floods and the aid test",
        authors=[bajoria],
        topics=[pakistan],
        date=dt.date(2010, 8, 20),
        summary="Floods put U.S. aid to a test.",
    )
    afghan = make_brief(
        tree,
        title="Kabul Bank crisis",
        brief_type="Backgrounder",
        authors=[bruno],
        topics=[afghanistan],
        date=dt.date(2010, 9, 10),
        summary="A bank run tests the Karzai government.",
    )
    newest = make_brief(
        tree,
        title="How WikiLeaks Hurts U.S.-Pakistan Ties",
        authors=[bajoria, bruno],
        topics=[pakistan, afghanistan],
        date=dt.date(2010, 12, 6),
        body=[("paragraph", f"<p>{LONG_OPENING}</p>")],
    )
    return World(tree, bajoria, bruno, pakistan, afghanistan, oldest, afghan, newest)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back after its last test."""
    with rolled_back(django_db_blocker):
        yield build_world()


def listed_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="brief-item__title"><a href="[^"]+">([^<]+)</a></h3>', html)


def item_for(html: str, brief: BriefPage) -> str:
    """One brief's <article> in a listing."""
    for item in re.findall(r'<article class="brief-item">.*?</article>', html, re.S):
        if f'<a href="{brief.url}">' in item:
            return item
    raise AssertionError(f"{brief.title!r} is not listed")


# --- which briefs, in which order --------------------------------------------------------


def test_the_home_page_lists_the_latest_briefs_newest_first(world: World, client: Any) -> None:
    html = html_of(client, world.tree.home.url)

    assert listed_titles(html) == [
        "How WikiLeaks Hurts U.S.-Pakistan Ties",
        "Kabul Bank crisis",
        "Pakistan floods and the aid test",
    ]


def test_the_brief_index_lists_every_brief_newest_first(world: World, client: Any) -> None:
    html = html_of(client, world.tree.briefs.url)

    assert world.tree.briefs.url == "/briefs/"
    assert listed_titles(html) == [
        "How WikiLeaks Hurts U.S.-Pakistan Ties",
        "Kabul Bank crisis",
        "Pakistan floods and the aid test",
    ]


@pytest.mark.parametrize(
    ("topic", "titles"),
    [
        (
            "pakistan",
            ["How WikiLeaks Hurts U.S.-Pakistan Ties", "Pakistan floods and the aid test"],
        ),
        ("afghanistan", ["How WikiLeaks Hurts U.S.-Pakistan Ties", "Kabul Bank crisis"]),
    ],
)
def test_a_topic_guide_lists_only_the_briefs_on_its_topic(
    world: World, client: Any, topic: str, titles: list[str]
) -> None:
    html = html_of(client, getattr(world, topic).url)

    assert listed_titles(html) == titles


def test_a_topic_guide_shows_its_label_and_title(world: World, client: Any) -> None:
    html = html_of(client, world.afghanistan.url)

    assert '<p class="type-label">Issue Guide</p>' in html
    assert "<h1>Afghanistan</h1>" in html
    assert ">Briefs on Afghanistan</h2>" in html


@pytest.mark.parametrize(
    ("author", "titles"),
    [
        ("bajoria", ["How WikiLeaks Hurts U.S.-Pakistan Ties", "Pakistan floods and the aid test"]),
        ("bruno", ["How WikiLeaks Hurts U.S.-Pakistan Ties", "Kabul Bank crisis"]),
    ],
)
def test_an_author_page_lists_only_that_authors_briefs(
    world: World, client: Any, author: str, titles: list[str]
) -> None:
    html = html_of(client, getattr(world, author).url)

    assert listed_titles(html) == titles


def test_an_author_page_shows_name_and_role(world: World, client: Any) -> None:
    html = html_of(client, world.bruno.url)

    assert "<h1>Greg Bruno</h1>" in html
    assert '<p class="lede">Staff writer</p>' in html
    assert ">Briefs by Greg Bruno</h2>" in html


def test_an_author_without_briefs_says_so(world: World, client: Any) -> None:
    html = html_of(client, "/authors/aaron-zimmer/")

    assert listed_titles(html) == []
    assert "No published briefs yet." in html


def test_the_author_index_lists_authors_by_family_name(world: World, client: Any) -> None:
    html = html_of(client, world.tree.authors.url).partition('<ul class="plain-list">')[2]

    names = re.findall(r'<li><a href="/authors/[^"]+/">([^<]+)</a>', html)
    assert names == ["Jayshree Bajoria", "Greg Bruno", "Aaron Zimmer"]


def test_the_topic_index_lists_topic_guides_by_title_with_their_label(
    world: World, client: Any
) -> None:
    html = html_of(client, world.tree.topics.url).partition('<ul class="guide-index__list">')[2]

    assert re.findall(
        r'<p class="type-label">([^<]+)</p>\s*'
        r'<h2 class="guide-card__title"><a href="/topics/[^"]+/">([^<]+)</a>',
        html,
    ) == [("Issue Guide", "Afghanistan"), ("Crisis Guide", "Pakistan")]


# --- what each item shows ----------------------------------------------------------------


def test_a_listed_brief_shows_type_label_linked_title_byline_and_date(
    world: World, client: Any
) -> None:
    item = item_for(html_of(client, world.tree.briefs.url), world.afghan)

    assert '<p class="type-label">Backgrounder</p>' in item
    assert f'<a href="{world.afghan.url}">Kabul Bank crisis</a>' in item
    assert (
        '<p class="brief-item__people">Author: Greg Bruno · '
        '<time datetime="2010-09-10">September 10, 2010</time></p>'
    ) in item


def test_a_listed_brief_by_two_authors_joins_them_with_and(world: World, client: Any) -> None:
    item = item_for(html_of(client, world.tree.home.url), world.newest)

    assert "Authors: Jayshree Bajoria and Greg Bruno" in item


def test_a_listed_brief_shows_its_summary_as_the_teaser(world: World, client: Any) -> None:
    item = item_for(html_of(client, world.tree.home.url), world.oldest)

    # A complete summary is shown whole: no ellipsis (cutting is tested in test_teasers).
    assert '<p class="brief-item__teaser">Floods put U.S. aid to a test.</p>' in item


def test_without_a_summary_the_teaser_is_the_bodys_opening(world: World, client: Any) -> None:
    item = item_for(html_of(client, world.tree.home.url), world.newest)

    teaser = re.search(r'<p class="brief-item__teaser">([^<]*)</p>', item)
    assert teaser is not None
    assert teaser.group(1) == LONG_OPENING


# --- cost --------------------------------------------------------------------------------


TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK|BEGIN|COMMIT)\b", re.I)


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        html_of(client, url)
    return sum(1 for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"]))


def test_listings_take_the_same_queries_however_many_briefs_they_show(
    world: World, client: Any
) -> None:
    urls = [world.tree.home.url, world.tree.briefs.url, world.pakistan.url, world.bajoria.url]
    for url in urls:  # warm the site-root cache
        html_of(client, url)
    before = {url: count_queries(client, url) for url in urls}

    for day in (1, 2, 3):
        make_brief(
            world.tree,
            title=f"Extra {day}",
            authors=[world.bajoria, world.bruno],
            topics=[world.pakistan],
            date=dt.date(2011, 1, day),
        )

    for url in urls:
        assert len(listed_titles(html_of(client, url))) >= 5, url
    assert {url: count_queries(client, url) for url in urls} == before

"""A topic guide covers its sub-guides: its page, its feed, the read API's topic filter and
its sitemap date all hold the briefs filed under it or under a sub-guide a reader may open
through it (at any depth), once each, newest first. A private or unpublished sub-guide, and
whatever lies under one, contributes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from briefdesk.briefs.models import BriefPage
from briefdesk.topics.guide import covered_by
from briefdesk.topics.models import TopicGuidePage
from tests.db import rolled_back
from tests.factories import SiteTree, make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of

pytestmark = pytest.mark.django_db

# Pakistan's briefs as its page lists them: its own, Tribal Areas' and Waziristan's.
PAKISTAN = ["Drone strikes in Waziristan", "Tribal aid op-ed", "Torkham analysis", "Both filed"]
TRIBAL = ["Drone strikes in Waziristan", "Tribal aid op-ed", "Both filed"]
# Filed only under a private or unpublished sub-guide (or one under it), or not public.
HIDDEN = ["Saffron brief", "Draft valley brief", "Orphan glen brief", "Zeppelin", "Narwhal"]


@dataclass
class World:
    tree: SiteTree
    pakistan: TopicGuidePage
    tribal: TopicGuidePage
    waziristan: TopicGuidePage
    newest: BriefPage


def sub_guide(parent: Page, title: str, *, live: bool = True) -> TopicGuidePage:
    page = TopicGuidePage(title=title, slug=title.lower().replace(" ", "-"), live=live)
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    page.refresh_from_db()
    return page


def build_world() -> World:
    tree = make_site_tree()
    author = make_author(tree)
    pakistan = make_topic(tree, "Pakistan")
    tribal = sub_guide(pakistan, "Tribal Areas")
    waziristan = sub_guide(tribal, "Waziristan")
    saffron = sub_guide(pakistan, "Saffron")
    PageViewRestriction.objects.create(page=saffron, restriction_type="login")
    draft_valley = sub_guide(pakistan, "Draft Valley", live=False)
    orphan = sub_guide(draft_valley, "Orphan Glen")  # live, but under an unpublished guide

    def brief(title: str, date: str, topics: list[Page], **kwargs: Any) -> BriefPage:
        return make_brief(
            tree,
            title=title,
            date=dt.date.fromisoformat(date),
            authors=[author],
            topics=topics,
            **kwargs,
        )

    brief("Both filed", "2010-09-01", [pakistan, tribal])
    brief("Torkham analysis", "2010-10-05", [pakistan])
    brief("Tribal aid op-ed", "2010-11-01", [tribal], brief_type="Op-Ed")
    newest = brief("Drone strikes in Waziristan", "2010-12-01", [waziristan])
    # Published after the newest covered brief: none may date Pakistan in the sitemap.
    brief("Saffron brief", "2011-01-01", [saffron])
    brief("Draft valley brief", "2011-01-01", [draft_valley])
    brief("Orphan glen brief", "2011-01-01", [orphan])
    private = brief("Zeppelin", "2011-01-01", [tribal])
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    brief("Narwhal", "2011-01-01", [tribal], publish=False)
    return World(tree, pakistan, tribal, waziristan, newest)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def page_titles(client: Any, url: str) -> list[str]:
    html = html_of(client, url)
    return re.findall(r'<h3 class="brief-item__title"><a href="[^"]+">([^<]+)</a>', html)


def feed_titles(client: Any, guide: TopicGuidePage) -> list[str]:
    key = guide.url.removeprefix("/topics/").strip("/")
    response = client.get(reverse("feeds:topic", kwargs={"key": key, "fmt": "json"}))
    assert response.status_code == 200
    return [item["title"] for item in json.loads(response.content)["items"]]


def api_titles(client: Any, guide: TopicGuidePage, **params: str) -> list[str]:
    response = client.get(reverse("api-v1:briefs"), {"topic": guide.slug, **params})
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_a_guide_page_lists_its_sub_guides_briefs_once_newest_first(
    world: World, client: Any
) -> None:
    assert page_titles(client, world.pakistan.url) == PAKISTAN
    assert page_titles(client, world.tribal.url) == TRIBAL
    assert page_titles(client, world.waziristan.url) == ["Drone strikes in Waziristan"]


def test_a_guide_page_says_it_includes_its_sub_topics_only_when_it_has_some(
    world: World, client: Any
) -> None:
    assert "Including briefs on its sub-topics." in html_of(client, world.pakistan.url)
    assert "Including briefs on its sub-topics." not in html_of(client, world.waziristan.url)


def test_nothing_filed_only_under_a_private_or_unpublished_sub_guide_is_listed(
    world: World, client: Any
) -> None:
    html = html_of(client, world.pakistan.url)

    for title in HIDDEN:
        assert title not in html


def test_the_type_filter_and_its_counts_include_the_sub_guides_briefs(
    world: World, client: Any
) -> None:
    html = html_of(client, world.pakistan.url)

    assert 'Op-Ed <span class="guide-filter__count">(1)</span>' in html
    assert 'Analysis Brief <span class="guide-filter__count">(3)</span>' in html
    assert page_titles(client, f"{world.pakistan.url}?type=op-ed") == ["Tribal aid op-ed"]


def test_the_topic_feed_holds_what_the_guide_page_lists(world: World, client: Any) -> None:
    for guide in (world.pakistan, world.tribal, world.waziristan):
        assert feed_titles(client, guide) == page_titles(client, guide.url)


def test_the_api_topic_filter_holds_what_the_guide_page_lists(world: World, client: Any) -> None:
    for guide in (world.pakistan, world.tribal, world.waziristan):
        assert api_titles(client, guide) == page_titles(client, guide.url)
    assert api_titles(client, world.pakistan, type="Op-Ed") == ["Tribal aid op-ed"]


def test_the_api_topic_filter_does_not_open_a_private_or_unpublished_sub_guide(
    world: World, client: Any
) -> None:
    for slug in ("saffron", "draft-valley"):
        assert client.get(reverse("api-v1:briefs"), {"topic": slug}).status_code == 404
    # Live, but reached only through an unpublished guide: its own briefs, nothing more.
    assert api_titles(client, TopicGuidePage.objects.get(slug="orphan-glen")) == [
        "Orphan glen brief"
    ]


def test_the_sitemap_dates_a_guide_by_the_newest_brief_it_covers(world: World, client: Any) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    found = re.findall(r"<url><loc>[^<]*?(/topics/[^<]+)</loc><lastmod>([^<]+)</lastmod>", xml)
    dates = dict(found)

    expected = world.newest.last_published_at.date().isoformat()
    assert dates[world.pakistan.url] == expected
    assert dates[world.tribal.url] == expected


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("0001", {1, 2, 3}),  # 0003 is a draft, 0005 under it; 0004 is private
        ("00010001", {2, 3}),
        ("00010003", set()),  # the root itself is hidden
    ],
)
def test_a_guide_covers_only_sub_guides_reached_through_open_guides(
    root: str, expected: set[int]
) -> None:
    rows = [
        (1, "0001", True),
        (2, "00010001", True),
        (3, "000100010001", True),
        (4, "00010003", False),
        (5, "000100030001", True),
        (6, "00010004", True),
        (7, "0002", True),
    ]

    assert covered_by(root, rows, restricted=["00010004"]) == expected

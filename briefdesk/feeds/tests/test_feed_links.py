"""Feed readers find the feeds from the pages: every page names the site's feeds in
<link rel="alternate">, a topic guide and an expert's page name their own first; the titles
are escaped and every link answers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.pages import html_of, section

from .conftest import World

pytestmark = pytest.mark.django_db

SITE_FEEDS = [
    ("application/rss+xml", "Briefdesk (RSS)", "/feeds/rss/"),
    ("application/atom+xml", "Briefdesk (Atom)", "/feeds/atom/"),
    ("application/feed+json", "Briefdesk (JSON Feed)", "/feeds/json/"),
]


def alternates(html: str) -> list[tuple[str, str, str]]:
    head = section(html, "<head>", "</head>")
    return re.findall(r'<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">', head)


def own_feeds(title: str, path: str) -> list[tuple[str, str, str]]:
    return [
        ("application/rss+xml", f"Briefdesk — {title} (RSS)", f"/feeds/{path}/rss/"),
        ("application/atom+xml", f"Briefdesk — {title} (Atom)", f"/feeds/{path}/atom/"),
        ("application/feed+json", f"Briefdesk — {title} (JSON Feed)", f"/feeds/{path}/json/"),
    ]


@pytest.mark.parametrize(
    ("url", "title", "path"),
    [
        ("/topics/open-topic/", "Open Topic", "topics/open-topic"),
        (
            "/topics/open-topic/kashmir-valley/",
            "Kashmir Valley",
            "topics/open-topic/kashmir-valley",
        ),
        ("/authors/open-writer/", "Open Writer", "experts/open-writer"),
    ],
)
def test_a_guide_or_an_experts_page_names_its_own_feeds_then_the_sites(
    world: World, client: Any, url: str, title: str, path: str
) -> None:
    links = alternates(html_of(client, url))

    assert links == own_feeds(title, path) + SITE_FEEDS
    for _, _, href in links:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("url", ["/", "/briefs/", "/topics/", "/authors/", "/feeds/"])
def test_other_pages_name_the_sites_feeds(world: World, client: Any, url: str) -> None:
    assert alternates(html_of(client, url)) == SITE_FEEDS


def test_a_brief_page_names_the_sites_feeds(world: World, client: Any) -> None:
    assert alternates(html_of(client, world.analysis.url)) == SITE_FEEDS


def test_a_feed_title_is_escaped(world: World, client: Any) -> None:
    topic = world.topic
    topic.title = "Tom & Jerry <Affairs>"
    topic.save_revision().publish()  # rolled back after the test

    head = section(html_of(client, "/topics/open-topic/"), "<head>", "</head>")

    assert 'title="Briefdesk — Tom &amp; Jerry &lt;Affairs&gt; (RSS)"' in head
    assert "<Affairs>" not in head

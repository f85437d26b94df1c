"""Page titles: "<page> · <site>" everywhere, the site's name printed once; the home page is
the site's name (with its tagline)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import (
    SiteTree,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)

pytestmark = pytest.mark.django_db


def title_of(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    found = re.findall(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert len(found) == 1, url
    return html.unescape(" ".join(found[0].split()))


@dataclass
class Site:
    tree: SiteTree
    urls: dict[str, tuple[str, str]]  # page type: (url, the page's own title)


@pytest.fixture
def site() -> Site:
    tree = make_site_tree()
    tree.home.tagline = "Analysis of the news"
    tree.home.save_revision().publish()
    author = make_author(tree)
    topic = make_topic(tree, "Pakistan")
    source = SourceFactory(title="Cables show Pakistan's fears")
    brief = make_brief(
        tree,
        authors=[author],
        topics=[topic],
        body=[("paragraph", f"<p>Aid {cite(source)}.</p>")],
    )
    urls = {
        "brief": (brief.url, brief.title),
        "brief cite page": (brief.url + "cite/", f"Cite: {brief.title}"),
        "topic index": (tree.topics.url, tree.topics.title),
        "topic guide": (topic.url, topic.title),
        "author index": (tree.authors.url, tree.authors.title),
        "author page": (author.url, author.title),
        "search": (reverse("search"), "Search"),
        "search results": (reverse("search") + "?q=pakistan", "Search: pakistan"),
        "source page": (reverse("sources:detail", args=[source.pk]), source.title),
    }
    return Site(tree, urls)


def test_the_home_page_title_is_the_site_name_and_tagline_once(site: Site, client: Any) -> None:
    assert (
        title_of(client, site.tree.home.url)
        == f"{settings.WAGTAIL_SITE_NAME} · Analysis of the news"
    )


def test_without_a_tagline_the_home_page_title_is_the_site_name_alone(
    site: Site, client: Any
) -> None:
    site.tree.home.tagline = ""
    site.tree.home.save_revision().publish()

    assert title_of(client, site.tree.home.url) == settings.WAGTAIL_SITE_NAME


@pytest.mark.parametrize(
    "page_type",
    [
        "brief",
        "brief cite page",
        "topic index",
        "topic guide",
        "author index",
        "author page",
        "search",
        "search results",
        "source page",
    ],
)
def test_every_public_page_is_titled_page_then_site_name_once(
    site: Site, client: Any, page_type: str
) -> None:
    url, own_title = site.urls[page_type]

    assert title_of(client, url) == f"{own_title} · {settings.WAGTAIL_SITE_NAME}"


def test_an_seo_title_replaces_the_page_title_not_the_site_name(site: Site, client: Any) -> None:
    topic = site.tree.topics
    topic.seo_title = "Guides to current crises"
    topic.save_revision().publish()

    assert title_of(client, topic.url) == f"Guides to current crises · {settings.WAGTAIL_SITE_NAME}"


def test_a_missing_page_is_titled_page_not_found_with_the_site_name_once(
    site: Site, client: Any
) -> None:
    title = title_of(client, "/no-such-page/", status=404)

    assert title == f"Page not found · {settings.WAGTAIL_SITE_NAME}"

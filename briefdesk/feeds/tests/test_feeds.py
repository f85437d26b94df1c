"""Every feed — the site, a topic guide and its sub-guide, an expert, a brief type — in RSS 2.0
and Atom (parsed by feedparser, which must find nothing wrong) and JSON Feed 1.1 (validated
against the spec's structure): the public briefs, newest first, each with its title, link,
full summary, authors and categories as its page shows them; nothing private, draft or
unpublished; a 404 for a feed of nothing a reader may open."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import feedparser
import jsonschema
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefdesk.briefs.models import BriefPage
from tests.factories import make_author, make_brief, make_topic
from tests.pages import html_of

from .conftest import World, leaks, make_private

pytestmark = pytest.mark.django_db

BASE = settings.WAGTAILADMIN_BASE_URL
FORMATS = ("rss", "atom", "json")

# (name, URL kwargs, feed title, the briefs listed by attribute of World, newest first)
CHANNELS = [
    ("site", {}, "Briefdesk", ["analysis", "op_ed"]),
    # A guide covers its sub-guides: the op-ed is filed under Kashmir Valley only.
    ("topic", {"key": "open-topic"}, "Briefdesk — Open Topic", ["analysis", "op_ed"]),
    (
        "topic",
        {"key": "open-topic/kashmir-valley"},
        "Briefdesk — Kashmir Valley",
        ["op_ed"],
    ),
    ("expert", {"key": "open-writer"}, "Briefdesk — Open Writer", ["analysis", "op_ed"]),
    ("type", {"key": "op-ed"}, "Briefdesk — Op-Eds", ["op_ed"]),
    ("type", {"key": "analysis-brief"}, "Briefdesk — Analysis Briefs", ["analysis"]),
    ("type", {"key": "backgrounder"}, "Briefdesk — Backgrounders", []),
]
CHANNEL_IDS = [f"{name}-{kwargs.get('key', 'all')}" for name, kwargs, _, _ in CHANNELS]


def feed_url(name: str, fmt: str, **kwargs: str) -> str:
    return reverse(f"feeds:{name}", kwargs={**kwargs, "fmt": fmt})


def parsed(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed


# --- RSS and Atom --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize(("name", "kwargs", "title", "listed"), CHANNELS, ids=CHANNEL_IDS)
def test_each_xml_feed_parses_cleanly_and_lists_the_public_briefs_newest_first(
    world: World,
    client: Any,
    fmt: str,
    name: str,
    kwargs: dict[str, str],
    title: str,
    listed: list[str],
) -> None:
    url = feed_url(name, fmt, **kwargs)
    feed = parsed(client, url)

    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    assert feed.feed.title == title
    assert feed.feed.language == "en"
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"{BASE}{url}"]
    briefs = [getattr(world, attr) for attr in listed]
    assert [entry.link for entry in feed.entries] == [b.canonical_url() for b in briefs]
    assert [entry.title for entry in feed.entries] == [b.title for b in briefs]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_entry_carries_the_briefs_summary_authors_categories_and_dates(
    world: World, client: Any, fmt: str
) -> None:
    entry = parsed(client, feed_url("site", fmt)).entries[0]
    brief = BriefPage.objects.get(pk=world.analysis.pk)

    assert entry.id == brief.canonical_url()
    assert html.unescape(entry.summary) == brief.teaser == "Everyone reads about quokkas."
    # Every author the byline credits; the categories are the type and the public topics.
    assert [a.name for a in entry.authors] == [
        "Open Writer",
        "Hidden Quillfeather",
        "Former Inkwright",
    ]
    assert sorted(tag.term for tag in entry.tags) == ["Analysis Brief", "Open Topic"]
    assert entry.published_parsed[:3] == (2011, 2, 1)
    if fmt == "atom":
        # Only the public author page is linked.
        assert [a.get("href") for a in entry.authors] == [
            f"{BASE}/authors/open-writer/",
            None,
            None,
        ]
        assert entry.updated_parsed[:3] == (2011, 2, 1)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_titles_and_summaries_are_text_even_when_they_look_like_markup(
    world: World, client: Any, fmt: str
) -> None:
    response = client.get(feed_url("type", fmt, key="op-ed"))
    entry = feedparser.parse(response.content).entries[0]

    assert entry.title == "Tom & Jerry’s “<b>bold</b>” op-ed"
    assert html.unescape(entry.summary) == "Ampersands & <angle brackets> are text, not markup."
    assert b"<b>" not in response.content and b"<angle" not in response.content


# --- JSON Feed 1.1 -------------------------------------------------------------------------

# From https://jsonfeed.org/version/1.1: required fields, types, and "at least one of".
# Extensions start with "_"; any other unknown key is a mistake here.
URL = {"type": "string", "pattern": r"^https?://"}
DATE = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"}
STRINGS = {"type": "array", "items": {"type": "string"}}
AUTHOR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "url": URL, "avatar": URL},
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
    "patternProperties": {"^_": {}},
    "additionalProperties": False,
}
ATTACHMENT = {
    "type": "object",
    "required": ["url", "mime_type"],
    "properties": {
        "url": URL,
        "mime_type": {"type": "string"},
        "title": {"type": "string"},
        "size_in_bytes": {"type": "number"},
        "duration_in_seconds": {"type": "number"},
    },
}
ITEM = {
    "type": "object",
    "required": ["id"],
    "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
    "properties": {
        "id": {"type": "string"},
        "url": URL,
        "external_url": URL,
        "title": {"type": "string"},
        "content_html": {"type": "string"},
        "content_text": {"type": "string"},
        "summary": {"type": "string"},
        "image": URL,
        "banner_image": URL,
        "date_published": DATE,
        "date_modified": DATE,
        "authors": {"type": "array", "items": AUTHOR},
        "tags": STRINGS,
        "language": {"type": "string"},
        "attachments": {"type": "array", "items": ATTACHMENT},
    },
    "patternProperties": {"^_": {}},
    "additionalProperties": False,
}
JSON_FEED_1_1 = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": URL,
        "feed_url": URL,
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": URL,
        "icon": URL,
        "favicon": URL,
        "authors": {"type": "array", "items": AUTHOR},
        "language": {"type": "string"},
        "expired": {"type": "boolean"},
        "hubs": {"type": "array"},
        "items": {"type": "array", "items": ITEM},
    },
    "patternProperties": {"^_": {}},
    "additionalProperties": False,
}


def test_the_schema_rejects_what_the_spec_forbids() -> None:
    item = {"id": "x", "content_text": "t"}
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [item]}
    jsonschema.validate(feed, JSON_FEED_1_1)
    for broken in (
        {**feed, "version": "https://jsonfeed.org/version/1"},
        {**feed, "items": [{"id": "x"}]},  # no content
        {**feed, "items": [{**item, "id": 1}]},
        {**feed, "items": [{**item, "author": {"name": "A"}}]},  # 1.0's singular author
        {**feed, "items": [{**item, "date_published": "6 Dec 2010"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, JSON_FEED_1_1)


@pytest.mark.parametrize(("name", "kwargs", "title", "listed"), CHANNELS, ids=CHANNEL_IDS)
def test_each_json_feed_is_json_feed_1_1_with_the_same_briefs(
    world: World,
    client: Any,
    name: str,
    kwargs: dict[str, str],
    title: str,
    listed: list[str],
) -> None:
    url = feed_url(name, "json", **kwargs)
    response = client.get(url)
    document = json.loads(response.content)

    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    jsonschema.validate(document, JSON_FEED_1_1)
    assert document["title"] == title
    assert document["feed_url"] == f"{BASE}{url}"
    briefs = [getattr(world, attr) for attr in listed]
    assert [item["url"] for item in document["items"]] == [b.canonical_url() for b in briefs]
    assert [item["id"] for item in document["items"]] == [b.canonical_url() for b in briefs]


def test_a_json_item_has_the_summary_authors_tags_and_dates(world: World, client: Any) -> None:
    item = json.loads(client.get(feed_url("site", "json")).content)["items"][0]

    assert item["title"] == "Public analysis of quokkas"
    assert item["summary"] == item["content_text"] == "Everyone reads about quokkas."
    assert item["authors"] == [
        {"name": "Open Writer", "url": f"{BASE}/authors/open-writer/"},
        {"name": "Hidden Quillfeather"},
        {"name": "Former Inkwright"},
    ]
    assert item["tags"] == ["Analysis Brief", "Open Topic"]
    assert dt.datetime.fromisoformat(item["date_published"]).date() == dt.date(2011, 2, 1)


# --- what never appears --------------------------------------------------------------------


def every_feed_url() -> list[str]:
    return [feed_url(name, fmt, **kwargs) for name, kwargs, _, _ in CHANNELS for fmt in FORMATS]


def test_no_feed_shows_a_private_draft_or_unpublished_brief_topic_or_author_page(
    world: World, client: Any
) -> None:
    for url in every_feed_url():
        assert leaks(world, client.get(url).content.decode()) == {}, url


def test_briefs_in_a_private_section_are_in_no_feed(world: World, client: Any) -> None:
    make_private(world.tree.briefs)  # the whole /briefs/ section; rolled back after the test

    for url in every_feed_url():
        body = client.get(url).content.decode()
        assert "quokkas" not in body and "Tom &" not in body, url


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/topics/nowhere/rss/",
        "/feeds/topics/marmalade-affairs/rss/",  # private
        "/feeds/topics/withdrawn-quagmires/atom/",  # unpublished
        "/feeds/topics/kashmir-valley/json/",  # a sub-guide is under its guide
        "/feeds/topics/open-topic/nowhere/rss/",
        "/feeds/experts/hidden-quillfeather/rss/",  # private
        "/feeds/experts/former-inkwright/json/",  # unpublished
        "/feeds/experts/nobody/atom/",
        "/feeds/types/memo/rss/",
        "/feeds/xml/",
        "/feeds/topics/open-topic/xml/",
        "/feeds/topics//rss/",
        "/feeds/experts/%F0%9F%93%B0/rss/",
    ],
)
def test_a_feed_of_nothing_a_reader_may_open_is_a_404(world: World, client: Any, url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_feed_answers_only_get_and_head(world: World, client: Any) -> None:
    url = feed_url("site", "rss")

    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


# --- the feeds page ------------------------------------------------------------------------


def test_the_feeds_page_lists_every_feed_a_reader_may_follow(world: World, client: Any) -> None:
    page = html_of(client, reverse("feeds:index"))

    hrefs = set(re.findall(r'href="(/feeds/[^"]*)"', page))
    assert set(every_feed_url()) - hrefs == set()
    assert feed_url("type", "rss", key="interview") in hrefs
    assert leaks(world, page) == {}
    assert "Marmalade" not in page and "Quillfeather" not in page
    for href in hrefs:
        assert client.get(href).status_code == 200, href


def test_a_feed_costs_the_same_queries_however_many_briefs_it_holds(
    world: World, client: Any
) -> None:
    url = feed_url("site", "atom")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    queries()  # the first request also fills the site-structure cache (core.sitecache)
    before = queries()
    other = make_author(world.tree, "Third", "Writer")
    make_brief(world.tree, title="Another brief", authors=[other], topics=[make_topic(world.tree)])

    assert queries() == before

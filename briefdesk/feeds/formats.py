"""A channel (channels.py) written as RSS 2.0, Atom 1.0 or JSON Feed 1.1. No ORM here.

    body = render(channel, "rss", "https://example.org/feeds/rss/")
    content_type = CONTENT_TYPES["rss"]

RSS and Atom are Django's own generators (django.utils.feedgenerator, the syndication
framework's writers) taught to credit every author — Django's credit one: RSS gets a
`dc:creator` per author, Atom an `<author>` each. JSON Feed 1.1 (https://jsonfeed.org/version/1.1)
is written here: Django has no writer for it, and it is a plain dictionary.

Summaries are plain text; RSS and Atom carry them as escaped HTML (what readers expect of
`<description>` and `<summary type="html">`), JSON Feed as `summary` and `content_text`.
A body depends only on the channel and the URL: the same content gives the same bytes, which
is what makes a hash of it a sound ETag (views.py). An empty channel is dated by its
`last_modified`, never by the clock.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from .entries import Channel, Entry

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

FORMAT_NAMES = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
CONTENT_TYPES = {fmt: f"{media_type}; charset=utf-8" for fmt, media_type in MEDIA_TYPES.items()}

# What an empty channel with no history says it was updated (a fixed moment: see above).
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

DC = "http://purl.org/dc/elements/1.1/"


class _Dated:
    """The feed's date is the newest entry's, else the channel's, never now()."""

    feed: dict[str, Any]

    def latest_post_date(self) -> dt.datetime:
        return self.feed["updated"]


class BriefRssFeed(_Dated, Rss201rev2Feed):
    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:dc": DC}

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for person in item["people"]:
            handler.addQuickElement("dc:creator", person.name)


class BriefAtomFeed(_Dated, Atom1Feed):
    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for person in item["people"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", person.name)
            if person.url:
                handler.addQuickElement("uri", person.url)
            handler.endElement("author")


def feed_date(channel: Channel) -> dt.datetime:
    dates = [entry.updated for entry in channel.entries]
    if dates:
        return max(dates)
    return channel.last_modified or EPOCH


def _syndication(channel: Channel, generator: type[SyndicationFeed], self_url: str) -> bytes:
    feed = generator(
        title=channel.title,
        link=channel.home_url,
        description=channel.description,
        language=channel.language,
        feed_url=self_url,
        feed_guid=self_url,
        # Atom needs an author for an entry that names none: the publisher.
        author_name=settings.BRIEFDESK_PUBLISHER if generator is BriefAtomFeed else None,
        updated=feed_date(channel),
    )
    for entry in channel.entries:
        feed.add_item(
            title=entry.title,
            link=entry.url,
            description=escape(entry.summary),
            unique_id=entry.id,
            unique_id_is_permalink=True,
            pubdate=entry.published,
            updateddate=entry.updated,
            categories=entry.categories,
            people=entry.authors,
        )
    return feed.writeString("utf-8").encode("utf-8")


def json_feed(channel: Channel, self_url: str) -> dict[str, Any]:
    """The channel as a JSON Feed 1.1 document (a dict ready for json.dumps)."""
    return {
        "version": JSON_FEED_VERSION,
        "title": channel.title,
        "home_page_url": channel.home_url,
        "feed_url": self_url,
        "description": channel.description,
        "language": channel.language,
        "authors": [{"name": settings.BRIEFDESK_PUBLISHER, "url": _site_url()}],
        "items": [_json_item(entry) for entry in channel.entries],
    }


def _site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/"


def _json_item(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "summary": entry.summary,
        "content_text": entry.summary,
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "tags": list(entry.categories),
    }
    if entry.authors:
        item["authors"] = [
            {"name": p.name, **({"url": p.url} if p.url else {})} for p in entry.authors
        ]
    return item


def render(channel: Channel, fmt: str, self_url: str) -> bytes:
    """The feed's body in `fmt` ("rss", "atom" or "json"); `self_url` is its own address."""
    if fmt == "rss":
        return _syndication(channel, BriefRssFeed, self_url)
    if fmt == "atom":
        return _syndication(channel, BriefAtomFeed, self_url)
    if fmt == "json":
        document = json_feed(channel, self_url)
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    raise ValueError(f"unknown feed format {fmt!r}")

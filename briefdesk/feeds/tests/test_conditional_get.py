"""A feed reader polls: each feed sends an ETag and a Last-Modified, answers 304 while nothing
it prints has changed, and a 200 with a new ETag (and a later Last-Modified) once a brief is
published into it, unpublished out of it, made private, or an author renamed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from wagtail.models import Page, PageLogEntry

from tests.factories import make_brief

from .conftest import World, make_private, unpublish

pytestmark = pytest.mark.django_db

FEEDS = [
    reverse("feeds:site", kwargs={"fmt": "rss"}),
    reverse("feeds:topic", kwargs={"key": "open-topic", "fmt": "atom"}),
    reverse("feeds:expert", kwargs={"key": "open-writer", "fmt": "json"}),
    reverse("feeds:type", kwargs={"key": "analysis-brief", "fmt": "rss"}),
]


def an_hour_ago() -> None:
    """Date everything that happened so far an hour back, so that a change made now falls
    in a later second than the Last-Modified a reader saw (HTTP dates have whole seconds)."""
    earlier = timezone.now() - dt.timedelta(hours=1)
    Page.objects.update(last_published_at=earlier, first_published_at=earlier)
    PageLogEntry.objects.update(timestamp=earlier)


def validators(client: Any, url: str) -> tuple[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return response["ETag"], response["Last-Modified"]


@pytest.mark.parametrize("url", FEEDS)
def test_a_feed_answers_304_to_its_etag_and_to_its_last_modified(
    world: World, client: Any, url: str
) -> None:
    etag, last_modified = validators(client, url)

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=etag)
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)

    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == etag and by_etag["Last-Modified"] == last_modified
    assert by_date.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert client.head(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_last_modified_is_the_last_publication_and_the_etag_follows_the_body(
    world: World, client: Any
) -> None:
    an_hour_ago()
    url = FEEDS[0]
    response = client.get(url)
    newest = max(b.last_published_at for b in Page.objects.all() if b.last_published_at)

    assert parse_http_date(response["Last-Modified"]) == int(newest.timestamp())
    assert response["Cache-Control"].startswith("public, max-age=")
    assert client.get(url)["ETag"] == response["ETag"]  # the same body, the same tag
    other = client.get(reverse("feeds:site", kwargs={"fmt": "atom"}))
    assert other["ETag"] != response["ETag"]


def test_a_new_brief_gives_every_feed_it_joins_a_200_with_a_new_etag_and_a_later_date(
    world: World, client: Any
) -> None:
    an_hour_ago()
    seen = {url: validators(client, url) for url in FEEDS}

    make_brief(
        world.tree,
        title="Third brief",
        authors=[world.expert],
        topics=[world.topic],
        brief_type="Analysis Brief",
        date=dt.date(2012, 1, 1),
    )

    for url, (etag, last_modified) in seen.items():
        fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert fresh.status_code == 200, url
        assert fresh["ETag"] != etag
        assert b"Third brief" in fresh.content
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_an_unpublished_brief_gives_every_feed_it_leaves_a_200_with_a_new_etag_and_date(
    world: World, client: Any
) -> None:
    an_hour_ago()
    seen = {url: validators(client, url) for url in FEEDS}

    unpublish(world.analysis)

    for url, (etag, last_modified) in seen.items():
        fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert fresh.status_code == 200, url
        assert fresh["ETag"] != etag
        assert b"quokkas" not in fresh.content
        assert parse_http_date(fresh["Last-Modified"]) > parse_http_date(last_modified)
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_a_brief_made_private_gives_a_200_with_a_new_etag_and_a_later_date(
    world: World, client: Any
) -> None:
    an_hour_ago()
    url = FEEDS[0]
    etag, last_modified = validators(client, url)

    make_private(world.op_ed)

    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and b"Tom &amp;" not in fresh.content
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_renaming_an_author_changes_every_feed_that_credits_them(world: World, client: Any) -> None:
    an_hour_ago()
    url = FEEDS[0]
    etag, last_modified = validators(client, url)
    author = world.expert

    author.given_name = "Openly"
    author.save_revision().publish()

    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and b"Openly Writer" in fresh.content
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_an_if_modified_since_before_the_last_change_gets_the_feed(
    world: World, client: Any
) -> None:
    an_hour_ago()
    url = FEEDS[0]
    long_ago = http_date((timezone.now() - dt.timedelta(days=1)).timestamp())

    assert client.get(url, HTTP_IF_MODIFIED_SINCE=long_ago).status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE="not a date").status_code == 200

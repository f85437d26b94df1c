"""The feed views (/feeds/…) and the /feeds/ page that lists them.

Each feed answers GET and HEAD with `ETag` (a hash of the body: it changes whenever anything
the feed prints changes, a brief leaving it included) and `Last-Modified` (channels.py:
the site's last publishing event), and 304 to a matching `If-None-Match` or, without one, to
an `If-Modified-Since` no older than `Last-Modified` (Django's get_conditional_response, as
ConditionalGetMiddleware does). Feeds are public like pages (briefdesk.core.pagecache): the
page cache and front caches keep them until a change they print purges them, and readers'
feed clients revalidate after PAGE_CACHE_MAX_AGE. An unknown topic, expert or type is a 404.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from . import channels
from .entries import Channel
from .formats import CONTENT_TYPES, FORMAT_NAMES, render


def feed_response(request: HttpRequest, channel: Channel | None, fmt: str) -> HttpResponse:
    if channel is None:
        raise Http404("No such feed.")
    body = render(channel, fmt, channels.absolute(request.path))
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    last_modified = channel.last_modified
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp, response=None)
    if response is None:
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    return response


def _feed_view(find: Callable[[str], Channel | None]) -> Callable[..., HttpResponse]:
    @require_safe
    def view(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
        return feed_response(request, find(key), fmt)

    return view


@require_safe
def site_feed(request: HttpRequest, fmt: str) -> HttpResponse:
    return feed_response(request, channels.site_channel(), fmt)


topic_feed = _feed_view(channels.topic_channel)
expert_feed = _feed_view(channels.expert_channel)
type_feed = _feed_view(channels.type_channel)


@require_safe
def index(request: HttpRequest) -> TemplateResponse:
    """/feeds/: every feed a reader may subscribe to, in each format."""
    groups = channels.listed_channels()

    def with_links(listed: list[channels.Listed]) -> list[dict[str, object]]:
        return [
            {
                "name": item.name,
                "links": [
                    (FORMAT_NAMES[fmt], channels.feed_path(item.key, fmt)) for fmt in FORMAT_NAMES
                ],
            }
            for item in listed
        ]

    site = [(FORMAT_NAMES[fmt], channels.feed_path("", fmt)) for fmt in FORMAT_NAMES]
    return TemplateResponse(
        request,
        "feeds/index.html",
        {
            # The site's head (base.html's page_meta): description, canonical link, preview.
            "meta_title": "Feeds",
            "meta_description": f"Follow {settings.WAGTAIL_SITE_NAME} in a feed reader: every "
            "brief, or one topic, expert or type, as RSS, Atom or JSON Feed.",
            "site_links": site,
            "types": with_links(groups["types"]),
            "topics": with_links(groups["topics"]),
            "experts": with_links(groups["experts"]),
        },
    )

"""Which responses a shared cache may keep, said in their headers.

A response is public (`Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE,
s-maxage=PAGE_CACHE_SHARED_MAX_AGE`, and a Last-Modified) when it answers a GET or HEAD from a
reader without a session, outside the private paths (admin, documents, search, the API, the
health check), with a 200, a whole body, no cookie set, no Vary but on Cookie and no
Cache-Control of its own (views that set one, like the PDF and archive views, keep theirs).
The page cache (briefdesk.core.pagecache.app) and any front cache (Varnish, a CDN) then keep
it until a purge names its path (briefdesk.core.pagecache.purge) or the shared max-age ends.

Responses to readers with a session (editors, readers who unlocked a private page) get
`Cache-Control: private, no-cache` so no shared cache keeps them and browsers revalidate.
Django's ConditionalGetMiddleware, just outside this one, adds the ETag and answers 304s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from .entry import varies_only_by_session

PRIVATE_PREFIXES = ("/admin/", "/documents/", "/search/", "/api/", "/healthz")


class PublicPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or response.has_header("Cache-Control"):
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if public(request, response):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PAGE_CACHE_MAX_AGE,
                s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE,
            )
            if not response.has_header("Last-Modified"):
                response["Last-Modified"] = http_date(time.time())
        return response


def public(request: HttpRequest, response: HttpResponseBase) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and varies_only_by_session(response.get("Vary", ""))
        and not getattr(request, "is_preview", False)
        and not request.path.startswith(PRIVATE_PREFIXES)
    )

"""Site chrome that is not a page: robots.txt, the favicon, the 500 page."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

FAVICON = Path(__file__).parent / "static" / "briefdesk" / "favicon.ico"
# Browsers ask for /favicon.ico on every site they visit: a day in every cache, a week stale.
FAVICON_MAX_AGE = 7 * 24 * 60 * 60


def site_origin() -> str:
    """The site's one public origin, BRIEFDESK_BASE_URL (what canonical links, citations and
    the sitemap use), without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


@require_safe
@cache_control(public=True, max_age=60 * 60)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read every public page but not the admin; the sitemap is on the site's
    origin (as its links are)."""
    lines = [
        "User-agent: *",
        f"Disallow: {settings.ADMIN_URL_PREFIX}",
        "",
        f"Sitemap: {site_origin()}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@cache
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_safe
@cache_control(public=True, max_age=FAVICON_MAX_AGE)
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon at /favicon.ico, where browsers and feed readers look without being told."""
    return HttpResponse(_favicon_bytes(), content_type="image/vnd.microsoft.icon")


PLAIN_500 = "Server error. The error has been logged; please try again later.\n"


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: a static template, with no database query and no context processor (the
    database may be what failed). If even that cannot render, plain text."""
    try:
        from django.template.loader import get_template

        content = get_template("500.html").render({"site_name": settings.WAGTAIL_SITE_NAME})
    except Exception:  # the error page must not fail in turn
        logger.exception("the 500 template failed to render")
        return HttpResponse(PLAIN_500, status=500, content_type="text/plain; charset=utf-8")
    return HttpResponse(content, status=500, content_type="text/html; charset=utf-8")

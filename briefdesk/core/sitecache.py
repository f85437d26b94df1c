"""What every request reads of the site's structure, kept in Django's cache between changes:
which Site answers a host, the navigation's main topics and the footer's pages.

Each costs a query that Django takes longer to build than SQLite takes to run (a third of a
plain page's render). They change only when the page cache purges everything
(briefdesk.core.pagecache: a guide on the menu renamed, About retitled, a view restriction
or the Site changed, a section moved), so `forget()` is called there, and nowhere else needs
to know.

Entries are stored under a generation: a random token kept in the cache itself (shared by
every process, on every machine with Redis). `forget()` replaces the token, and every entry
of the old one is never read again. A request that read the old token before the change
committed stores what it built under the old token, where nobody looks: no reader can put a
stale menu back after the purge (deleting the entries instead would allow exactly that).
Entries also expire after PAGE_CACHE_TTL, the page cache's own safety net.

Within one request (CachedSiteMiddleware) each entry, and the token, is read from the cache
once and then kept for the rest of the request; `forget()` drops what the request kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.request import split_domain_port

T = TypeVar("T")

GENERATION_KEY = "briefdesk:site:generation"
_MISSING = object()
# What the current request has read (set by CachedSiteMiddleware; None outside a request).
_read: ContextVar[dict[str, Any] | None] = ContextVar("briefdesk_sitecache_read", default=None)


@dataclass(frozen=True)
class NavLink:
    """A page the site chrome links to: enough for the template, nothing to query."""

    pk: int
    title: str
    url: str


def generation() -> str:
    """The current generation token, made on first use."""
    read = _read.get()
    if read is not None and GENERATION_KEY in read:
        return str(read[GENERATION_KEY])
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, token, None):
            token = cache.get(GENERATION_KEY) or token
    if read is not None:
        read[GENERATION_KEY] = token
    return str(token)


def forget() -> None:
    """Every process builds what this module keeps anew from the database."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    read = _read.get()
    if read is not None:
        read.clear()


def remember(name: str, build: Callable[[], T], token: str | None = None) -> T:
    """`build()`'s value, kept under `name` in the current generation (or `token`)."""
    key = f"briefdesk:site:{token or generation()}:{name}"
    read = _read.get()
    if read is not None and key in read:
        return read[key]
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, settings.PAGE_CACHE_TTL)
    if read is not None:
        read[key] = value
    return value


@contextmanager
def reading_once() -> Iterator[None]:
    """Within this block each entry is read from the cache once (one request's worth)."""
    reset = _read.set({})
    try:
        yield
    finally:
        _read.reset(reset)


# --- which Site answers a request ----------------------------------------------------------


@dataclass(frozen=True)
class SiteRow:
    pk: int
    hostname: str
    port: int
    is_default_site: bool


def match_site(sites: Sequence[SiteRow], hostname: str, port: int) -> int | None:
    """The id of the Site Wagtail's get_site_for_hostname picks for this host and port, or
    None: an exact hostname and port first, then the hostname of the default site, then the
    default site unless exactly one other site has this hostname."""

    def rank(site: SiteRow) -> int:
        if site.hostname == hostname and site.port == port:
            return 0
        if site.hostname == hostname and site.is_default_site:
            return 1
        return 2 if site.is_default_site else 3

    matches = sorted((s for s in sites if s.hostname == hostname or s.is_default_site), key=rank)
    if not matches:
        return None
    if len(matches) == 1 or rank(matches[0]) in (0, 1):
        return matches[0].pk
    if rank(matches[0]) == 2:
        return matches[len(matches) == 2].pk
    return None


def _sites() -> dict[str, Any]:
    from wagtail.models import Site

    from .routing import FROM_SITE_CACHE

    sites = list(Site.objects.select_related("root_page"))
    for site in sites:
        # Kept specific: Wagtail routes from `site.root_page.specific` (core.routing says
        # why a stored root page is safe to route from).
        root = site.root_page.specific
        root.__dict__[FROM_SITE_CACHE] = True
        site.root_page = root
    return {
        "rows": [SiteRow(s.pk, s.hostname, s.port, s.is_default_site) for s in sites],
        "by_id": {s.pk: s for s in sites},
    }


def site_for_request(request: HttpRequest) -> Any:
    """The Site answering this request as Wagtail would find it, without a query while the
    sites are unchanged. A fresh copy for each request (requests may set attributes on it)."""
    sites = remember("sites", _sites)
    # As Wagtail does: the raw host, without the ALLOWED_HOSTS check.
    hostname = split_domain_port(request._get_raw_host())[0]  # type: ignore[attr-defined]
    site_id = match_site(sites["rows"], hostname, int(request.get_port()))
    return sites["by_id"].get(site_id) if site_id is not None else None


class CachedSiteMiddleware:
    """Finds the request's Site from the cache before Wagtail looks for it
    (Site.find_for_request reads `request._wagtail_site` first). A request this cannot answer
    (a host outside ALLOWED_HOSTS, a database not migrated or down, a cache unreachable) is
    left to Wagtail and the middleware after this one, exactly as without it: a 400 for the
    host, /healthz's 503 for the database."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        with reading_once():
            try:
                request.get_host()  # DisallowedHost: CommonMiddleware answers 400
                int(request.get_port())
                site = site_for_request(request)
            except Exception:
                pass
            else:
                request._wagtail_site = site  # type: ignore[attr-defined]
            return self.get_response(request)


# --- routing -------------------------------------------------------------------------------


def typed_child_slugs(parent: Any, model: str) -> frozenset[str]:
    """The slugs of `parent`'s children of type `model` ("app_label.ModelName"): the
    sections core.routing routes through in one query."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    def build() -> frozenset[str]:
        content_type = ContentType.objects.get_for_model(apps.get_model(model))
        children = parent.get_children().filter(content_type=content_type)
        return frozenset(children.values_list("slug", flat=True))

    return remember(f"children:{parent.pk}:{model}", build)


# --- the navigation and footer -------------------------------------------------------------


def nav_links(request: HttpRequest | None, pages: Callable[[], list[Any]], name: str) -> Any:
    """The pages `pages()` returns as NavLinks, kept per site (links to another site's pages
    are absolute)."""
    from wagtail.models import Site

    site = Site.find_for_request(request) if request is not None else None

    def build() -> list[NavLink]:
        return [NavLink(p.pk, p.title, p.get_url(request=request) or "") for p in pages()]

    return remember(f"{name}:{site.pk if site is not None else 0}", build)


# --- private sections ----------------------------------------------------------------------


def restricted_paths() -> list[str]:
    """The tree paths of every page with a view restriction (core.visibility), kept between
    changes: a restriction added, changed or removed purges everything, and so forgets them;
    a page moved forgets them too (pagecache.signals.page_moved)."""
    from .visibility import restricted_paths as from_database

    return remember("restricted", from_database)

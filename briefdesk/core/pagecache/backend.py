"""The page cache as a Wagtail front-end cache backend: Wagtail's purge batches
(`PurgeBatch.add_urls(...).purge()`) reach it like any CDN or Varnish backend configured in
WAGTAILFRONTENDCACHE."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from wagtail.contrib.frontend_cache.backends import HTTPBackend
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

from . import page_store

logger = logging.getLogger("wagtail.frontendcache")


class PageStoreBackend(BaseBackend):
    """briefdesk's own page cache."""

    def purge(self, url: str) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls: Iterable[str]) -> None:
        store = page_store()
        if store is not None:
            store.purge({urlsplit(url).path or "/" for url in urls})

    def purge_all(self) -> None:
        store = page_store()
        if store is not None:
            store.clear()


class VarnishBackend(HTTPBackend):
    """Wagtail's HTTP backend (one `PURGE /path` per URL) that can also empty the cache in
    one request: `PURGE /` with `X-Purge-All: 1` (deploy/varnish/briefdesk.vcl bans every
    object), for changes any page may show."""

    def purge_all(self) -> None:
        url = urlunsplit([self.cache_scheme, self.cache_netloc, "/", "", ""])
        request = Request(url, method="PURGE", headers={"X-Purge-All": "1"})
        try:
            with urlopen(request, timeout=10):  # the configured cache's own URL
                pass
        except OSError as exc:
            logger.error("Couldn't purge everything from %s: %s", url, exc)

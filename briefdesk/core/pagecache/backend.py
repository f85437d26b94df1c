"""The page cache as a Wagtail front-end cache backend: Wagtail's purge batches
(`PurgeBatch.add_urls(...).purge()`) reach it like any CDN or Varnish backend configured in
WAGTAILFRONTENDCACHE."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from wagtail.contrib.frontend_cache.backends.base import BaseBackend

from . import page_store


class PageStoreBackend(BaseBackend):
    def purge(self, url: str) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls: Iterable[str]) -> None:
        store = page_store()
        if store is not None:
            store.purge({urlsplit(url).path or "/" for url in urls})

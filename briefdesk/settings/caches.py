"""Caches: one directory, DATA_DIR/cache, shared by every process of the site.

Wagtail caches the Site's root paths and image renditions in the default cache and deletes them
when an editor changes a Site or an image; a cache in each process's memory would let the other
workers serve the old values (briefdesk.core.filecache says why and what happens when the
directory cannot be written). Safe to delete at any time: it refills itself.

REDIS_URL moves it, and the page cache below, to Redis. Settings modules may replace CACHES
as a whole.
"""

from __future__ import annotations

from .env import envbool, envint, envlist, envstr
from .paths import DATA_DIR

CACHE_DIR = DATA_DIR / "cache"

CACHES = {
    "default": {
        "BACKEND": "briefdesk.core.filecache.SharedFileCache",
        "LOCATION": str(CACHE_DIR),
        # Wagtail keeps one entry per image rendition; Django's default of 300 entries would
        # throw a third of them away on every write past it.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# --- Redis (REDIS_URL) ---------------------------------------------------------------------
# One Redis for every machine of the site: Django's cache and the page cache both move there
# (docs/deploy.md). Unset: the directory above and the page cache's own directory.
REDIS_URL = envstr("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "briefdesk",
        }
    }

# --- the page cache (briefdesk.core.pagecache) -----------------------------------------------
# Anonymous readers' pages, feeds and downloads, served before Django and purged exactly when
# what they show changes. PAGE_CACHE=false serves every request through Django.
PAGE_CACHE = envbool("PAGE_CACHE", True)
PAGE_CACHE_DIR = CACHE_DIR / "pages"
# How long an entry may live without a purge (a safety net: purges keep pages current).
PAGE_CACHE_TTL = envint("PAGE_CACHE_TTL", 3600)
# Cache-Control on public pages: browsers revalidate after max-age (a 304 from the cache);
# shared caches (Varnish, a CDN) keep them for s-maxage unless purged first.
PAGE_CACHE_MAX_AGE = envint("PAGE_CACHE_MAX_AGE", 60)
PAGE_CACHE_SHARED_MAX_AGE = envint("PAGE_CACHE_SHARED_MAX_AGE", 86400)

# Wagtail's purge batches reach every backend here: the page cache, and a front cache for
# each URL in FRONT_CACHE_PURGE_URLS (Varnish, or any cache that takes HTTP PURGE: Wagtail's
# HTTP backend plus a purge of everything in one request; Wagtail's CloudFront or Cloudflare
# backends can be added in a settings module).
WAGTAILFRONTENDCACHE: dict[str, dict[str, object]] = {
    "pages": {"BACKEND": "briefdesk.core.pagecache.backend.PageStoreBackend"},
}
for _number, _location in enumerate(envlist("FRONT_CACHE_PURGE_URLS", []), start=1):
    WAGTAILFRONTENDCACHE[f"front{_number}"] = {
        "BACKEND": "briefdesk.core.pagecache.backend.VarnishBackend",
        "LOCATION": _location,
    }

"""Caches: one directory, DATA_DIR/cache, shared by every process of the site.

Wagtail caches the Site's root paths and image renditions in the default cache and deletes them
when an editor changes a Site or an image; a cache in each process's memory would let the other
workers serve the old values (briefdesk.core.filecache says why and what happens when the
directory cannot be written). Safe to delete at any time: it refills itself.

Settings modules (or issue 14's CACHE_URL) may replace CACHES as a whole.
"""

from __future__ import annotations

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

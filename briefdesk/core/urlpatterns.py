"""URLs of views with integer arguments, reversed once and then formatted: a page citing 40
sources needs 80 such URLs, and the sitemap one per source, where reverse() costs tens of
microseconds each.

    url_pattern("sources:detail", 1).format(12)  # "/sources/12/"
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


def url_pattern(name: str, args: int) -> str:
    """The URL of a view taking `args` integer arguments, as a str.format pattern."""
    return _url_pattern_for(name, args, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=32)
def _url_pattern_for(name: str, args: int, prefix: str, urlconf: str | None) -> str:
    # Keyed by the script prefix and the request's URLconf, which reverse() reads too; a test
    # overriding ROOT_URLCONF clears this cache (_clear_url_patterns below).
    markers = [str(10**17 + n) for n in range(args)]  # digits no route of the site contains
    url = reverse(name, args=markers).replace("{", "{{").replace("}", "}}")
    for n, marker in enumerate(markers):
        url = url.replace(marker, f"{{{n}}}")
    return url


@receiver(setting_changed)
def _clear_url_patterns(setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _url_pattern_for.cache_clear()

"""Caches."""

from __future__ import annotations

# Django's default: a cache in each process's memory.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

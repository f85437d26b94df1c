"""Test data built once per module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import transaction


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """Build a module's data once, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()  # Wagtail caches site root paths; the rolled-back site must not linger.

"""The default cache: files under DATA_DIR/cache, shared by every process on the machine.

    CACHES = {"default": {"BACKEND": "briefdesk.core.filecache.SharedFileCache",
                          "LOCATION": str(DATA_DIR / "cache")}}

Wagtail keeps the Site's root paths (an hour) and image renditions in the default cache and
deletes them when a Site or image changes. With a cache in each worker's memory only the
worker that saved the change forgets the old value; the others build links from the old root
(a brief page answers 500 until restart). A directory all workers share needs no service and
no table, and a deletion is seen by all of them at once.

This is Django's FileBasedCache with one promise added: a cache that cannot be read or written
(a read-only or full disk, a file where the directory should be, an entry that no longer
unpickles after an upgrade) behaves as a miss, logs one WARNING line (at most once a minute per
process), and never fails the request. While the directory is not writable every read is a
miss too, because a cache whose entries cannot be deleted cannot be trusted to forget.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
import zlib
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

logger = logging.getLogger("briefdesk.cache")

WARN_EVERY = 60.0  # seconds
# Django culls on every write, listing the whole directory: 37 ms a write at 3,000 entries on
# a busy machine, against about 1 ms without. Once a minute per process is enough to keep the
# directory near MAX_ENTRIES.
CULL_EVERY = 60.0  # seconds
# What reading an entry can raise besides a missing file: I/O errors, a truncated or corrupt
# file, a pickled class that moved in an upgrade.
_UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    zlib.error,
    ValueError,
    AttributeError,
    ImportError,
    IndexError,
    TypeError,
)


class SharedFileCache(FileBasedCache):
    # Per process, and only timers: when it last warned, when it may cull next.
    _last_warning = float("-inf")
    _next_cull = float("-inf")

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        try:
            super().__init__(dir, params)
        except OSError as exc:
            self._dir = os.path.abspath(dir)  # the parent's __init__ stopped at mkdir
            self._warn("create", exc)

    def _warn(self, action: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - SharedFileCache._last_warning >= WARN_EVERY:
            SharedFileCache._last_warning = now
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            logger.warning(
                "cache %s failed in %s (%s); serving without the cache", action, self._dir, reason
            )

    def _cull(self) -> None:
        now = time.monotonic()
        if now < SharedFileCache._next_cull:
            return
        SharedFileCache._next_cull = now + CULL_EVERY
        super()._cull()  # type: ignore[misc]  # django-stubs omit the private _cull

    def _writable(self) -> bool:
        return os.access(self._dir, os.W_OK)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        if not self._writable():
            if os.path.exists(self._dir):
                self._warn("write check", PermissionError("directory not writable"))
            return default
        try:
            return super().get(key, default, version)
        except _UNREADABLE as exc:
            self._warn("read", exc)
            return default

    def has_key(self, key: str, version: int | None = None) -> bool:
        if not self._writable():
            return False
        try:
            return super().has_key(key, version)
        except _UNREADABLE as exc:
            self._warn("read", exc)
            return False

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except OSError as exc:
            self._warn("write", exc)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        if self.has_key(key, version):
            return False
        try:
            FileBasedCache.set(self, key, value, timeout, version)  # not ours: it swallows
        except OSError as exc:
            self._warn("write", exc)
            return False
        return True

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except _UNREADABLE as exc:
            self._warn("write", exc)
            return False

    def delete(self, key: str, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except OSError as exc:
            self._warn("delete", exc)
            return False

    def clear(self) -> None:
        try:
            super().clear()
        except OSError as exc:
            self._warn("clear", exc)

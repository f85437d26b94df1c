"""Where cached pages live: a directory every process on the machine shares (the default), or
Redis (REDIS_URL) that every machine shares. Plain data, no Django.

Both keep the same promises:

- `get` is a dictionary lookup in the process's memory plus one cheap check against the shared
  store (a `stat` of the entry's file; one small Redis read of its ETag), so a hit costs a few
  microseconds more than serving bytes from memory, and a purge by any process on any machine
  sharing the store is seen by the next request everywhere.
- `purge(path)` drops every variant (query string) of the path, and marks the path purged at
  that moment: a response whose rendering started before the purge is not stored, so a reader
  whose request raced an editor's publish can never put the old page back.
- A store that cannot be read or written behaves as empty and never fails a request; the
  failure is logged once a minute per process.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from .entry import Entry, Key, path_ids

logger = logging.getLogger("briefdesk.cache")

WARN_EVERY = 60.0


class PageStore(Protocol):
    def get(self, key: Key) -> Entry | None: ...

    def put(self, key: Key, entry: Entry, started: float) -> bool: ...

    def purge(self, paths: Iterable[str]) -> int: ...

    def clear(self) -> None: ...


class _Warnings:
    last = float("-inf")

    def warn(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self.last >= WARN_EVERY:
            self.last = now
            logger.warning("page cache %s failed, serving uncached: %s", what, exc)


class _Memory:
    """The process's own copies, newest last, by (key, version)."""

    def __init__(self, max_bytes: int) -> None:
        self.items: OrderedDict[Key, tuple[Any, Entry]] = OrderedDict()
        self.max_bytes = max_bytes
        self.size = 0

    def get(self, key: Key, version: Any) -> Entry | None:
        item = self.items.get(key)
        if item is None or item[0] != version:
            return None
        self.items.move_to_end(key)
        return item[1]

    def put(self, key: Key, version: Any, entry: Entry) -> None:
        self.drop(key)
        self.items[key] = (version, entry)
        self.size += len(entry.body)
        while self.size > self.max_bytes and self.items:
            _, (_, old) = self.items.popitem(last=False)
            self.size -= len(old.body)

    def drop(self, key: Key) -> None:
        old = self.items.pop(key, None)
        if old is not None:
            self.size -= len(old[1].body)


class FileStore:
    """DATA_DIR/cache/pages/<path id>/<variant id>, written whole (temporary file, rename).
    A purge writes `<path id>/.purged` (its time is the purge's), then removes the variants."""

    MARKER = ".purged"

    def __init__(self, root: Path, ttl: float, memory_bytes: int = 64 << 20) -> None:
        self.root = root
        self.ttl = ttl
        self.memory = _Memory(memory_bytes)
        self.warnings = _Warnings()

    def _file(self, key: Key) -> Path:
        return self.root / key.path_id / key.variant_id

    def get(self, key: Key) -> Entry | None:
        path = self._file(key)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self.memory.drop(key)
            return None
        except OSError as exc:
            self.warnings.warn("read", exc)
            return None
        version = (st.st_ino, st.st_mtime_ns, st.st_size)
        entry = self.memory.get(key, version)
        if entry is None:
            try:
                entry = Entry.loads(path.read_bytes())
            except FileNotFoundError:
                return None
            except Exception as exc:  # unreadable or from another version: a miss
                self.warnings.warn("read", exc)
                return None
            self.memory.put(key, version, entry)
        if time.time() - entry.stored_at > self.ttl:
            return None
        return entry

    def put(self, key: Key, entry: Entry, started: float) -> bool:
        directory = self.root / key.path_id
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(entry.dumps())
                if self._purged_since(directory, started):
                    os.unlink(tmp)
                    return False
                os.replace(tmp, directory / key.variant_id)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            self.warnings.warn("write", exc)
            return False
        return True

    def _purged_since(self, directory: Path, started: float) -> bool:
        for marker in (directory / self.MARKER, self.root / self.MARKER):
            try:
                if os.stat(marker).st_mtime >= started:
                    return True
            except FileNotFoundError:
                pass
        return False

    def purge(self, paths: Iterable[str]) -> int:
        removed = 0
        now = time.time()
        for path in paths:
            for path_id in path_ids(path):
                directory = self.root / path_id
                marker = directory / self.MARKER
                try:
                    # Marked even when nothing is stored yet: a render in flight must not
                    # store what it read before the change.
                    directory.mkdir(parents=True, exist_ok=True)
                    marker.touch()
                    os.utime(marker, (now, now))
                    for child in directory.iterdir():
                        if child.name != self.MARKER:
                            child.unlink(missing_ok=True)
                            removed += 1
                except OSError as exc:
                    self.warnings.warn("purge", exc)
        return removed

    def clear(self) -> None:
        """Drop every page; renders begun before now are not stored after it."""
        import shutil

        now = time.time()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            marker = self.root / self.MARKER
            marker.touch()
            os.utime(marker, (now, now))
            for child in self.root.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
        except OSError as exc:
            self.warnings.warn("purge", exc)
        self.memory = _Memory(self.memory.max_bytes)


# put: store only when the path was not purged since the render started (KEYS[1] the path's
# hash, KEYS[2] its purge time, KEYS[3] the time of the last purge of everything; ARGV:
# started, variant, etag, entry, ttl).
_PUT = """
local purged = tonumber(redis.call('GET', KEYS[2]) or '0')
local all = tonumber(redis.call('GET', KEYS[3]) or '0')
if purged >= tonumber(ARGV[1]) or all >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[2] .. ':v', ARGV[3], ARGV[2] .. ':b', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisStore:
    """A Redis hash per path (`briefdesk:page:<path id>`) holding each variant's ETag and
    entry; `briefdesk:purged:<path id>` holds the time of the path's last purge.

    A hit's reads go through a connection of the thread's own, used directly (`_hget`):
    redis-py's client costs about 14 microseconds of CPU a command (its pool, locks, retries
    and reply callbacks) on top of the connection's 5, and a hit is one command."""

    ALL = "briefdesk:purged:all"

    def __init__(self, url: str, ttl: float, memory_bytes: int = 64 << 20) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.ttl = ttl
        self.memory = _Memory(memory_bytes)
        self.warnings = _Warnings()
        self._put = self.client.register_script(_PUT)
        self._reads = threading.local()

    def _hget(self, name: str, field: str) -> Any:
        """HGET on this thread's connection (made in this process: never one from before a
        fork), closed on any error so the next call connects afresh."""
        reads = self._reads
        conn = getattr(reads, "conn", None)
        if conn is None or reads.pid != os.getpid():
            pool = self.client.connection_pool
            conn = reads.conn = pool.connection_class(**pool.connection_kwargs)
            reads.pid = os.getpid()
        try:
            conn.send_packed_command(conn.pack_command("HGET", name, field), check_health=False)
            return conn.read_response()
        except BaseException:
            conn.disconnect()
            raise

    @staticmethod
    def _hash(path_id: str) -> str:
        return f"briefdesk:page:{path_id}"

    @staticmethod
    def _marker(path_id: str) -> str:
        return f"briefdesk:purged:{path_id}"

    def get(self, key: Key) -> Entry | None:
        name = self._hash(key.path_id)
        variant = key.variant_id
        try:
            etag = self._hget(name, variant + ":v")
            if etag is None:
                self.memory.drop(key)
                return None
            entry = self.memory.get(key, etag)
            if entry is None:
                data = self._hget(name, variant + ":b")
                if data is None:
                    return None
                assert isinstance(data, bytes)  # the client does not decode responses
                entry = Entry.loads(data)
                self.memory.put(key, etag, entry)
        except Exception as exc:
            self.warnings.warn("read", exc)
            return None
        if time.time() - entry.stored_at > self.ttl:
            return None
        return entry

    def put(self, key: Key, entry: Entry, started: float) -> bool:
        path_id = key.path_id
        try:
            stored = self._put(
                keys=[self._hash(path_id), self._marker(path_id), self.ALL],
                args=[repr(started), key.variant_id, entry.etag, entry.dumps(), int(self.ttl)],
            )
        except Exception as exc:
            self.warnings.warn("write", exc)
            return False
        return bool(stored)

    def purge(self, paths: Iterable[str]) -> int:
        now = time.time()
        ids = [path_id for path in paths for path_id in path_ids(path)]
        if not ids:
            return 0
        try:
            pipe = self.client.pipeline(transaction=True)
            for path_id in ids:
                # The marker outlives any render that could have started before it.
                pipe.set(self._marker(path_id), repr(now), ex=3600)
                pipe.delete(self._hash(path_id))
            results = pipe.execute()
        except Exception as exc:
            self.warnings.warn("purge", exc)
            return 0
        return sum(int(r) for r in results[1::2])

    def clear(self) -> None:
        """Drop every page; renders begun before now are not stored after it."""
        try:
            self.client.set(self.ALL, repr(time.time()), ex=3600)
            for name in self.client.scan_iter("briefdesk:page:*", count=1000):
                self.client.delete(name)
        except Exception as exc:
            self.warnings.warn("purge", exc)
        self.memory = _Memory(self.memory.max_bytes)

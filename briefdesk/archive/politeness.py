"""Politeness per host: how many requests run at once, how far apart they start, robots.txt.

    with slot("example.org", 443, per_host=2, spacing=1.0) as waited:
        ...                                   # at most 2 at once, starts >= 1 s apart
    allowed = robots_allows("https://example.org", url, "briefdesk", load)

The limits are process-wide (one set of locks per process, shared by every thread), keyed by
host name and port, so a worker that checks a thousand links on one site still sends them
one slot at a time. A slot is held for the whole request, body included. `slot` yields the
seconds it waited, which the fetcher does not count against a fetch's deadline.

robots.txt is read once per origin and kept for an hour (ROBOTS_TTL). `load(robots_url)`,
given by the fetcher so that robots.txt goes through the same guard as everything else,
returns the file's text, or None when the site has none that applies: missing (4xx), failing
(5xx) or unreachable all mean "allowed". One origin is loaded by one thread at a time; other
origins are not held up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from protego import Protego

ROBOTS_TTL = 3600.0  # seconds

_lock = threading.Lock()


@dataclass
class _Host:
    semaphores: dict[int, threading.BoundedSemaphore] = field(default_factory=dict)
    start_lock: threading.Lock = field(default_factory=threading.Lock)
    last_start: float = float("-inf")


_hosts: dict[tuple[str, int], _Host] = {}


def _host(host: str, port: int, per_host: int) -> tuple[_Host, threading.BoundedSemaphore]:
    with _lock:
        entry = _hosts.setdefault((host, port), _Host())
        sem = entry.semaphores.get(per_host)
        if sem is None:
            sem = entry.semaphores[per_host] = threading.BoundedSemaphore(max(1, per_host))
        return entry, sem


@contextmanager
def slot(host: str, port: int, *, per_host: int, spacing: float) -> Iterator[float]:
    """Hold one of `per_host` request slots for host:port, starting at least `spacing` seconds
    after the previous request to it started. Yields the seconds spent waiting."""
    began = time.monotonic()
    entry, sem = _host(host, port, per_host)
    sem.acquire()
    try:
        with entry.start_lock:
            if spacing > 0:
                wait = entry.last_start + spacing - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            entry.last_start = time.monotonic()
        yield time.monotonic() - began
    finally:
        sem.release()


# -- robots.txt ------------------------------------------------------------------------------

_robots: dict[str, tuple[float, Protego | None]] = {}
_robots_locks: dict[str, threading.Lock] = {}


def robots_allows(
    origin: str,
    url: str,
    agent: str,
    load: Callable[[str], str | None],
    *,
    now: float | None = None,
) -> bool:
    """Whether robots.txt at `origin` lets `agent` fetch `url` (loading it if not cached)."""
    parser = _robots_for(origin, load, time.monotonic() if now is None else now)
    if parser is None:
        return True
    return bool(parser.can_fetch(url, agent))


def _robots_for(origin: str, load: Callable[[str], str | None], now: float) -> Protego | None:
    with _lock:
        lock = _robots_locks.setdefault(origin, threading.Lock())
    with lock:
        cached = _robots.get(origin)
        if cached is not None and cached[0] > now:
            return cached[1]
        text = load(origin + "/robots.txt")
        parser = None
        if text is not None:
            try:
                parser = Protego.parse(text)
            except Exception:  # a file protego cannot read restricts nothing
                parser = None
        _robots[origin] = (now + ROBOTS_TTL, parser)
        return parser


def forget() -> None:
    """Drop every cached robots.txt and every host's slots (for tests)."""
    with _lock:
        _robots.clear()
        _robots_locks.clear()
        _hosts.clear()

"""Check many links at once, politely, and say what each one's health is. No ORM.

    results = check_links([LinkToCheck(url, previous_text=snapshot_text), ...])
    results[0].health.state   # "ok", "gone", ... (health.classify); in input order

The promise:
- Politeness: at most `policy.per_host` requests in flight per host and port
  (BRIEFDESK_FETCH_PER_HOST, 2), started at least `policy.spacing` seconds apart
  (BRIEFDESK_FETCH_SPACING_MS); the fetcher enforces both process-wide, and the dispatcher
  here hands a worker only a URL whose host has a free slot, so no thread sits blocked on a
  busy host while another host has work, and `workers` threads stay busy.
- Bounded: a check reads at most CHECK_MAX_BYTES of a body (a bigger page is there: "ok",
  not compared) within the settings' timeout.
- Retries: an answer that may be transient (no answer — DNS, connect, timeout, a broken
  reply — or HTTP 5xx/429) is tried again up to `retries` more times after an exponential,
  jittered back-off (`backoff` x 2^n x 0.5..1.5, capped at `max_backoff`; a Retry-After of
  up to `max_backoff` seconds is honoured). A waiting retry holds no thread and no slot.
- Soft-404 probe: for each origin whose page answered 200, one request for a path that
  cannot exist (health.probe_url), made once per origin per run and shared by its URLs.
- Results come back in input order, one per input, whatever happened; nothing raises for
  one bad URL. Each fetch uses purpose "check" (robots.txt honoured where configured).
"""

from __future__ import annotations

import heapq
import random
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .health import UNREACHABLE, Health, classify, origin, probe_url

# FetchError kinds worth another try; a TLS failure or a redirect loop will not mend itself.
RETRY_KINDS = frozenset({"dns", "connect", "timeout", "protocol"})
# A link check needs the page's text, not a 25 MB file: read at most this much.
CHECK_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class LinkToCheck:
    """One URL to check, with the main text of its last snapshot ("" if none)."""

    url: str
    previous_text: str = ""


@dataclass(frozen=True)
class LinkResult:
    """What checking one URL found: its health, how many fetches it took (retries
    included), when the last one ended and how long the check took in all (seconds)."""

    url: str
    health: Health
    attempts: int
    checked_at: datetime
    elapsed: float


@dataclass
class _Job:
    index: int
    item: LinkToCheck
    host: str
    attempts: int = 0
    started: float = 0.0


@dataclass
class _Probes:
    """One probe per origin per run; a second URL of the origin waits for the first's."""

    fetch: Callable[..., Any]
    policy: Any
    token: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: dict[str, Any] = field(default_factory=dict)
    locks: dict[str, threading.Lock] = field(default_factory=dict)

    def get(self, url: str) -> Any:
        key = origin(url)
        with self.lock:
            lock = self.locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.outcomes:
                probe = probe_url(url, self.token)
                self.outcomes[key] = _outcome(self.fetch, probe, self.policy)
            return self.outcomes[key]


def _outcome(fetch: Callable[..., Any], url: str, policy: Any) -> Any:
    from .fetch import FetchError

    try:
        return fetch(url, policy=policy, purpose="check")
    except FetchError as error:
        return error


def check_links(
    items: Sequence[LinkToCheck],
    *,
    policy: Any = None,
    workers: int = 16,
    retries: int = 2,
    backoff: float = 1.0,
    max_backoff: float = 30.0,
    probe: bool = True,
    probe_token: str | None = None,
    fetch: Callable[..., Any] | None = None,
    on_result: Callable[[int, LinkResult], None] | None = None,
) -> list[LinkResult]:
    """Check every URL in `items` (see the module docstring for the rules).

    Args:
        policy: the fetch.Policy (default: the settings', reading at most CHECK_MAX_BYTES);
            its `per_host` and `spacing` are the politeness limits.
        fetch: the fetcher (briefdesk.archive.fetch.fetch unless given), called as
            fetch(url, policy=policy, purpose="check").
        probe_token: the random part of the probe's path (random unless given).
        on_result: called in the dispatching thread with (input index, result) as each
            URL is decided, for progress output; results still come back in input order.
    """
    from .fetch import Policy

    if fetch is None:
        from .fetch import fetch as default_fetch

        fetch = default_fetch
    if policy is None:
        from django.conf import settings

        limit = min(CHECK_MAX_BYTES, int(settings.BRIEFDESK_FETCH_MAX_BYTES))
        policy = Policy.from_settings(max_bytes=limit)
    per_host, spacing = max(1, int(policy.per_host)), max(0.0, float(policy.spacing))
    probes = _Probes(fetch, policy, probe_token or secrets.token_hex(8)) if probe else None
    results: list[LinkResult | None] = [None] * len(items)
    queues: dict[str, deque[_Job]] = defaultdict(deque)
    for index, item in enumerate(items):
        job = _Job(index, item, (urlsplit(item.url).netloc or item.url).lower())
        queues[job.host].append(job)
    in_flight: dict[str, int] = defaultdict(int)
    next_start: dict[str, float] = defaultdict(float)
    waiting: list[tuple[float, int, _Job]] = []  # retries, by when they may go
    running: dict[Future[tuple[Health, float, bool]], _Job] = {}
    sequence = 0  # tie-break for the heap, and the round-robin's starting host

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="linkcheck") as pool:
        while running or waiting or any(queues.values()):
            now = time.monotonic()
            while waiting and waiting[0][0] <= now:
                job = heapq.heappop(waiting)[2]
                queues[job.host].appendleft(job)
            # Hand out work: each host with work, a free slot and its spacing passed, taking
            # turns (the starting host rotates) so that no host waits behind another.
            soonest = waiting[0][0] if waiting else now + 1.0
            hosts = [host for host, queue in queues.items() if queue]
            sequence += 1
            for position in range(len(hosts)):
                if len(running) >= workers:
                    break
                host = hosts[(position + sequence) % len(hosts)]
                if in_flight[host] >= per_host:
                    continue
                if next_start[host] > now:
                    soonest = min(soonest, next_start[host])
                    continue
                job = queues[host].popleft()
                job.attempts += 1
                job.started = job.started or now
                in_flight[host] += 1
                next_start[host] = now + spacing
                running[pool.submit(_check_one, fetch, policy, job, probes)] = job
            if not running:
                time.sleep(max(0.0, soonest - time.monotonic()))
                continue
            timeout = max(0.0, soonest - time.monotonic()) if (waiting or spacing) else None
            done, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                in_flight[job.host] -= 1
                health, retry_after, transient = future.result()
                if job.attempts <= retries and transient:
                    delay = min(max_backoff, backoff * 2 ** (job.attempts - 1))
                    delay *= random.uniform(0.5, 1.5)  # jitter: retries of one host spread out
                    if retry_after:
                        delay = max(delay, min(retry_after, max_backoff))
                    sequence += 1
                    heapq.heappush(waiting, (time.monotonic() + delay, sequence, job))
                    continue
                result = LinkResult(
                    url=job.item.url,
                    health=health,
                    attempts=job.attempts,
                    checked_at=datetime.now(UTC),
                    elapsed=round(time.monotonic() - job.started, 3),
                )
                results[job.index] = result
                if on_result is not None:
                    on_result(job.index, result)
    return [r for r in results if r is not None]


def _check_one(
    fetch: Callable[..., Any], policy: Any, job: _Job, probes: _Probes | None
) -> tuple[Health, float, bool]:
    """Fetch one URL (and its origin's probe if needed) and classify it: the health, the
    Retry-After seconds (0 if none) and whether another try may answer otherwise. Never
    raises."""
    url = job.item.url
    try:
        outcome = _outcome(fetch, url, policy)
        status = getattr(outcome, "status", None)
        probe = probes.get(url) if probes is not None and status == 200 else None
        health = classify(url, outcome, probe=probe, previous_text=job.item.previous_text)
        if status is None:
            transient = getattr(outcome, "kind", "") in RETRY_KINDS
        else:
            transient = status >= 500 or status == 429
        return health, _retry_after(outcome), transient
    except Exception as exc:  # a bug must cost one URL, not the run
        detail = f"check failed: {type(exc).__name__}: {exc}"[:500]
        return Health(UNREACHABLE, detail=detail), 0.0, False


def _retry_after(outcome: Any) -> float:
    for name, value in getattr(outcome, "headers", ()) or ():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value.strip()))
            except ValueError:
                return 0.0
    return 0.0

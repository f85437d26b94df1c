"""Render the anatomy brief uncached N times through the full Django/Wagtail stack (routing,
middleware, templates) and print median and p95 milliseconds and SQL queries per render;
then show that the query count does not grow with the number of cited sources.

    .venv/bin/python benchmarks/page_render.py [-n 200] [--html FILE]

Two figures for each page:
- "wsgi": the WSGI application called as a server calls it (request_started/finished signals
  included, so the database connection is opened and closed per request, as CONN_MAX_AGE=0 on
  SQLite does in production). This is the honest figure.
- "client": django.test.Client, which also records every template rendered and its context
  (signals) and keeps the connection open; shown for comparison with older runs.
Each with wall-clock milliseconds and the CPU milliseconds of this process (the machine is
shared: on a loaded machine the wall clock includes waiting for a core, the CPU time does not).

Targets: median <= 15 ms, queries <= 12 and flat in the number of sources. The page cache is
not involved: the middleware only labels responses; nothing is served from a cache.
`--html FILE` saves the brief's HTML, to check with cmp that a change leaves it byte-for-byte
the same.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._setup import django_with_demo

SLUG = "how-wikileaks-hurts-us-pakistan-ties"


def measure(client, url: str, n: int) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    """Wall-clock milliseconds of `n` renders through the test client, and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: imports, template compilation
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries)


def wsgi_get(url: str) -> bytes:
    """The body of a GET through the WSGI application, as a WSGI server would call it."""
    from django.core.wsgi import get_wsgi_application
    from django.test import RequestFactory

    if "wsgi" not in _apps:
        _apps["wsgi"] = get_wsgi_application()
    app = _apps["wsgi"]
    environ = RequestFactory(HTTP_HOST="localhost")._base_environ(PATH_INFO=url)
    statuses = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses[0].startswith("200"), statuses[0]
    return body


_apps: dict[str, Any] = {}


def measure_wsgi(url: str, n: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of `n` renders through the WSGI application, and the
    queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wsgi_get(url)
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        wsgi_get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        # request_finished closes the connection: keep capturing on the one it reopens.
        wsgi_get(url)
    return wall, cpu, len(queries)


def collect_static() -> None:
    """Without DEBUG the pages name hashed static files: collect them once per data dir."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    if (
        hasattr(staticfiles_storage, "read_manifest")
        and staticfiles_storage.read_manifest() is None
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        # Django 5.2's load_manifest returns (paths, hash).
        staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = (
            staticfiles_storage.load_manifest()
        )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def brief_with_sources(count: int) -> str:
    """A published copy of the anatomy brief citing `count` distinct sources."""
    from briefdesk.briefs.models import BriefAuthor, BriefPage, BriefTopic
    from briefdesk.sources.models import Source

    original = BriefPage.objects.get(slug=SLUG)
    slug = f"bench-{count}-sources"
    existing = BriefPage.objects.filter(slug=slug).first()
    if existing:
        return existing.url
    sources = list(Source.objects.all()[:count])
    paragraph = "".join(
        f'<p>Claim {i} <a id="{s.pk}" linktype="source">{s.parenthetical_label}</a>.</p>'
        for i, s in enumerate(sources)
    )
    page = BriefPage(
        title=f"Benchmark brief with {count} sources",
        slug=slug,
        date=original.date,
        body=[("paragraph", paragraph)],
    )
    page.brief_authors = [BriefAuthor(author=a) for a in original.authors]
    page.brief_topics = [BriefTopic(topic=link.topic) for link in original.brief_topics.all()]
    original.get_parent().add_child(instance=page)
    page.save_revision().publish()
    return page.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="renders to time (default 200)")
    parser.add_argument("--html", type=Path, help="save the brief's HTML to this file")
    args = parser.parse_args()
    django_with_demo()
    collect_static()
    from django.test import Client

    from briefdesk.briefs.models import BriefPage

    logging.disable(logging.INFO)  # the access log would time the terminal too

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    client = Client(HTTP_HOST="localhost")
    url = BriefPage.objects.get(slug=SLUG).url
    if args.html:
        args.html.write_bytes(wsgi_get(url))
    for name, page in (
        ("anatomy brief", url),
        ("reference /topics/ (plain Wagtail page)", "/topics/"),
    ):
        wall, cpu, queries = measure_wsgi(page, args.n)
        times, client_queries = measure(client, page, args.n)
        print(f"{name} {page}: {args.n} uncached renders")
        print(
            f"  wsgi:   median {statistics.median(wall):.2f} ms   p95 {p95(wall):.2f} ms   "
            f"CPU median {statistics.median(cpu):.2f} ms   queries {queries}"
        )
        print(
            f"  client: median {statistics.median(times):.2f} ms   p95 {p95(times):.2f} ms   "
            f"queries {client_queries}"
        )
    for count in (5, 40):
        bench_url = brief_with_sources(count)
        wall, cpu, queries = measure_wsgi(bench_url, max(20, args.n // 5))
        print(
            f"  brief citing {count:>2} sources (wsgi): median {statistics.median(wall):.2f} ms"
            f"   CPU median {statistics.median(cpu):.2f} ms   queries {queries}"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""Render the anatomy brief uncached N times through the full Django/Wagtail stack (routing,
middleware, templates) and print median and p95 milliseconds and SQL queries per render;
then show that the query count does not grow with the number of cited sources.

    .venv/bin/python benchmarks/page_render.py [-n 200]

Targets: median <= 15 ms, queries <= 12 and flat in the number of sources.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._setup import django_with_demo

SLUG = "how-wikileaks-hurts-us-pakistan-ties"


def measure(client, url: str, n: int) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
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
    args = parser.parse_args()
    django_with_demo()
    from django.test import Client

    from briefdesk.briefs.models import BriefPage

    client = Client(HTTP_HOST="localhost")
    url = BriefPage.objects.get(slug=SLUG).url
    times, queries = measure(client, url, args.n)
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    # Reference measured in the same run: the smallest Wagtail page on the site (the topic
    # index), so the ratio says what the brief costs beyond Wagtail's own serving.
    ref_times, ref_queries = measure(client, "/topics/", args.n)
    ref_median = statistics.median(ref_times)
    median = statistics.median(times)
    print(f"anatomy brief {url}: {args.n} uncached renders")
    print(f"  median {median:.2f} ms   p95 {p95:.2f} ms   queries {queries}")
    print(
        f"  reference /topics/ (plain Wagtail page): median {ref_median:.2f} ms, "
        f"queries {ref_queries}; brief/reference = {median / ref_median:.2f}x"
    )
    for count in (5, 40):
        bench_url = brief_with_sources(count)
        bench_times, bench_queries = measure(client, bench_url, max(20, args.n // 5))
        print(
            f"  brief citing {count:>2} sources: median {statistics.median(bench_times):.2f} ms"
            f"   queries {bench_queries}"
        )


if __name__ == "__main__":
    main()

"""Citation engine figures: cold start per style, warm throughput per style (a batch of 100
and one at a time), memory per process with every style loaded, and the render time of a brief
citing 40 sources, with proof that rendering a page never runs the engine.

    .venv/bin/python benchmarks/citations.py

An "entry" here is one record fully formatted in one style, as saving a source does it:
bibliography entry (text and HTML), in-text citation or first note (text and HTML), and for
Chicago notes the short note. Target: >= 450 entries/s for bulk re-formatting.

Bulk re-formatting (`briefdesk reformat-citations`) runs the way the command does
(briefdesk.core.reformat_workers): every source and brief in every style, across one worker
process per core (spawned; each loads its own V8), results stored in one transaction. It is
timed from start to end, worker start-up included, on the demo content plus copies of its
sources (only in the benchmark's own temporary data dir), and then in one process for
comparison; at two sizes: 600 sources (a young site: below MIN_RECORDS the command itself
stays in one process) and 3,000 (an archive of some years, which is when a bulk re-format is
slow enough to matter).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = json.loads((ROOT / "tests/cite-fixtures/corpus.json").read_text())

COLD = """
import os, time, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefdesk.settings.test")
import django; django.setup()
from briefdesk.citations.engine import format_items
t = time.perf_counter()
format_items([{{"id": "x", "type": "webpage", "title": "T"}}], {style!r})
print(json.dumps({{"seconds": time.perf_counter() - t}}), flush=True)
os._exit(0)  # V8's teardown at interpreter exit can hang; the figure is out
"""


BULK_SIZES = (600, 3000)


def bulk_figures() -> None:
    import os

    from briefdesk.citations.styles import STYLES
    from briefdesk.core.reformat_workers import default_processes, reformat_in_processes
    from briefdesk.sources.models import Source

    if os.environ.get("BENCH_OWN_DIR") != os.environ["BRIEFDESK_DATA_DIR"]:
        print("bulk re-formatting: skipped (BRIEFDESK_DATA_DIR is set: no copies in a real site)")
        return
    print(f"bulk re-formatting (every record in {len(STYLES)} styles, start-up included):")
    originals = list(Source.objects.all())
    for size in BULK_SIZES:
        copies = []
        for n in range(max(0, size - Source.objects.count())):
            copy = originals[n % len(originals)]
            copy.pk = copy.id = None
            copies.append(copy)
        Source.objects.bulk_create(copies)  # no save(): formatting them is what is timed
        for processes in (default_processes(), 1):
            start = time.perf_counter()
            count = sum(reformat_in_processes(processes, min_records=0))
            seconds = time.perf_counter() - start
            entries = count * len(STYLES)
            rate = entries / seconds
            how = f"across {processes} processes" if processes > 1 else "in one process"
            print(
                f"  {size} sources, {how}: {entries} entries in {seconds:.1f} s = "
                f"{rate:.0f} entries/s ({rate / processes:.0f} per process)"
            )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    import os
    import tempfile

    from benchmarks._setup import django_with_demo

    if "BRIEFDESK_DATA_DIR" not in os.environ:
        os.environ["BRIEFDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="briefdesk-bench-")
        os.environ["BENCH_OWN_DIR"] = os.environ["BRIEFDESK_DATA_DIR"]
    django_with_demo()
    import logging

    logging.disable(logging.INFO)
    from briefdesk.citations import engine
    from briefdesk.citations.styles import STYLES

    print("cold start (new process: V8 + citeproc-js + style + first entry):")
    for style in STYLES:
        try:
            out = subprocess.run(
                [sys.executable, "-c", COLD.format(style=style)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"  {style:<11} failed: {str(exc).splitlines()[0]}")
            continue
        print(f"  {style:<11} {json.loads(out.stdout.splitlines()[-1])['seconds'] * 1000:8.0f} ms")

    before = rss_mb()
    batch = [dict(CORPUS[i % len(CORPUS)], id=f"item-{i}") for i in range(100)]
    print("warm throughput (entries/s, one process):")
    for style in STYLES:
        engine.format_items(batch, style)  # load the style and let V8 optimise
        start = time.perf_counter()
        engine.format_items(batch, style)
        batch_rate = len(batch) / (time.perf_counter() - start)
        singles = []
        for item in batch[:50]:
            start = time.perf_counter()
            engine.format_items([item], style)
            singles.append(time.perf_counter() - start)
        single_rate = 1 / statistics.median(singles)
        print(f"  {style:<11} batch of 100: {batch_rate:6.0f}/s   single: {single_rate:6.0f}/s")
    print(
        f"memory: process RSS {rss_mb():.0f} MB with all {len(STYLES)} styles loaded "
        f"({rss_mb() - before:+.0f} MB for loading styles after the first)"
    )

    bulk_figures()

    from django.test import Client

    from benchmarks.page_render import brief_with_sources, collect_static, measure

    collect_static()

    url = brief_with_sources(40)
    calls = 0
    original = engine._Engine.format

    def counting(self, key, items):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return original(self, key, items)

    engine._Engine.format = counting  # type: ignore[method-assign]
    times, queries = measure(Client(HTTP_HOST="localhost"), url, 100)
    engine._Engine.format = original  # type: ignore[method-assign]
    print(
        f"brief citing 40 sources: median {statistics.median(times):.2f} ms, {queries} queries, "
        f"citation engine calls during 100 renders: {calls}"
    )


if __name__ == "__main__":  # the bulk workers are spawned: they import this module
    main()

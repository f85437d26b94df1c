"""Citation engine figures: cold start per style, warm throughput per style (a batch of 100
and one at a time), memory per process with every style loaded, and the render time of a brief
citing 40 sources, with proof that rendering a page never runs the engine.

    .venv/bin/python benchmarks/citations.py

An "entry" here is one record fully formatted in one style, as saving a source does it:
bibliography entry (text and HTML), in-text citation or first note (text and HTML), and for
Chicago notes the short note. Target: >= 450 entries/s per style per process.
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
print(json.dumps({{"seconds": time.perf_counter() - t}}))
"""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from benchmarks._setup import django_with_demo

    django_with_demo()
    from briefdesk.citations import engine
    from briefdesk.citations.styles import STYLES

    print("cold start (new process: V8 + citeproc-js + style + first entry):")
    for style in STYLES:
        out = subprocess.run(
            [sys.executable, "-c", COLD.format(style=style)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
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

    from django.test import Client

    from benchmarks.page_render import brief_with_sources, measure

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


if __name__ == "__main__":
    main()

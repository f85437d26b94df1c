"""HTML import throughput: generate saved brief pages, import them, print pages/s.

    .venv/bin/python benchmarks/import.py            # 1,000 pages
    .venv/bin/python benchmarks/import.py -n 200

Runs on a throwaway SQLite database (unless BRIEFDESK_DATA_DIR / DATABASE_URL say
otherwise) with pages written to a temporary directory. The pages look like a think tank's
(importers/html/tests/files/thinktank): site chrome, a type label, one or two authors out of
40, a date, six paragraphs with four outlet citations (each a new article; 12 outlets), a PDF
and an outside link, an internal link, a sub-heading and a block quote, two Additional
Analysis items, a crisis-guide box (one of 8 guides) and three "More on This Topic" links to
other generated pages. The import is the command's own path (`import_html`: read, parse,
write each page in its own transaction, then the second pass for links and pins), as drafts.
It prints the time to parse alone, the whole import, and pages per second. Target: >= 20
pages/s for the whole import.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUTLETS = ["Reuters", "AP", "BBC", "Dawn", "Al Jazeera", "New York Times", "Guardian",
           "Washington Post", "AFP", "Bloomberg", "Financial Times", "Economist"]  # fmt: skip
GUIDES = ["Pakistan", "Afghanistan", "Iran", "India", "Kashmir", "Syria", "Yemen", "Iraq"]
SITE = "https://www.thinktank.example"


def setup() -> None:
    os.environ.setdefault("BRIEFDESK_DATA_DIR", tempfile.mkdtemp(prefix="briefdesk-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefdesk.settings.dev")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("BRIEFDESK_CAPTURE_ON_PUBLISH", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def thread_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of each thread of this process, by thread id (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return out


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's children that have ended: the import's
    formatting worker, once the import has stopped it."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def page(n: int, total: int) -> str:
    authors = [f"Expert{n % 40} Fellow{n % 40}"] + ([f"Second{n % 7} Scholar"] if n % 3 else [])
    byline = " and ".join(f'<a rel="author" href="/experts/{a.lower()}">{a}</a>' for a in authors)
    cite = [
        f'(<a href="https://news{(n + i) % 12}.example/world/{n}/story-about-item-{n}-{i}">'
        f"{OUTLETS[(n + i) % 12]}</a>)"
        for i in range(4)
    ]
    related = "".join(
        f'<li><a href="/briefs/brief-{(n + k) % total}">Brief {(n + k) % total}</a></li>'
        for k in (1, 2, 3)
    )
    words = "The talks stalled again this week as both sides hardened their positions. " * 3
    day = 1 + n % 28
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Brief number {n} | Council</title>
<link rel="canonical" href="{SITE}/briefs/brief-{n}">
<meta name="description" content="Summary of brief {n}.">
<meta property="article:published_time" content="2011-{1 + n % 12:02d}-{day:02d}">
<script>var x = {n};</script></head><body>
<header class="site-header"><nav><a href="/">Home</a> <a href="/topics">Topics</a></nav>
<form class="search"><input name="q"></form></header>
<main><article><div class="article-header">
<div class="article-header__type">{["Analysis Brief", "Backgrounder", "Expert Brief"][n % 3]}</div>
<h1>Brief number {n}</h1><div class="article-header__byline">By {byline}</div>
<ul class="article-tools"><li><a href="#print">Print</a></li><li>Share</li></ul></div>
<div class="body-content">
<p>{words}The latest round ended without agreement {cite[0]}.</p>
<p>{words}Officials blamed each other {cite[1]}, and an audit (<a href="{SITE}/files/audit-{n}.pdf"
 title="Audit {n}">PDF</a>) found gaps.</p>
<h2>What comes next</h2>
<p>{words}Analysts at <a href="https://analysis.example/papers/paper-{n}">a research centre</a>
 expect more delay {cite[2]}. See <a href="/briefs/brief-{(n + 5) % total}">an earlier brief</a>.
</p>
<blockquote><p>We will not be rushed.</p><footer>— A negotiator</footer></blockquote>
<p>{words}Markets shrugged {cite[3]}.</p>
<p>{words}</p><p>{words}</p>
<div class="guide-box">Crisis Guide: <a href="/interactives/guide-{n % 8}">{GUIDES[n % 8]}</a></div>
</div>
<section><h2>Additional Analysis</h2><ul>
<li>One view holds the talks are doomed {cite[0]}.</li>
<li>Another sees room for a deal (<a href="https://journal.example/articles/deal-{n}">Journal</a>).</li>
</ul></section></article>
<aside><h2>More on This Topic</h2><ul>{related}</ul></aside></main>
<footer class="site-footer"><p>© Council</p></footer></body></html>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="pages to generate (default 1,000)")
    args = parser.parse_args()
    setup()
    from django.core.management import call_command

    from briefdesk.briefs.models import BriefPage
    from briefdesk.importers.management.commands.import_html import page_files, read_page
    from briefdesk.sources.models import Source

    with tempfile.TemporaryDirectory(prefix="briefdesk-pages-") as folder:
        for n in range(args.n):
            Path(folder, f"brief-{n}.html").write_text(page(n, args.n), encoding="utf-8")
        started = time.perf_counter()
        parsed = [read_page(path, rel, "") for path, rel in page_files([folder])]
        parse_seconds = time.perf_counter() - started
        failed = [p for p in parsed if not hasattr(p, "title")]
        load_before = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        threads_before = thread_cpu() if Path("/proc/self/task").is_dir() else {}
        children_before = children_cpu()
        out = io.StringIO()
        call_command("import_html", folder, stdout=out)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        worker_seconds = children_cpu() - children_before
        threads = thread_cpu() if threads_before else {}
        load_after = os.getloadavg()[0]
    pins = sum(p.related_pins.count() for p in BriefPage.objects.all()[:50])
    print(f"pages:            {args.n:,} ({len(failed)} unreadable)")
    print(f"parse only:       {parse_seconds:.2f} s ({args.n / parse_seconds:,.0f} pages/s)")
    print(
        f"import:           {seconds:.2f} s ({cpu_seconds:.2f} s of CPU, all threads; "
        f"{worker_seconds:.2f} s in the formatting worker process)"
    )
    if threads:
        import threading

        main_id = threading.main_thread().native_id
        writer = threads.get(main_id, 0.0) - threads_before.get(main_id, 0.0)
        # The other threads: mini-racer's V8 (citeproc-js: the briefs' own citations, and the
        # new sources when no worker process formats them) and the import's formatting threads.
        others = cpu_seconds - writer
        print(f"CPU by thread:    {writer:.2f} s writing (main), {others:.2f} s others")
    print(f"CPU per page:     {1000 * (cpu_seconds + worker_seconds) / args.n:.1f} ms, all")
    print(f"load average:     {load_before:.2f} before, {load_after:.2f} after (1 min)")
    print(f"throughput:       {args.n / seconds:,.1f} pages/s (target >= 20)")
    print(f"briefs, sources:  {BriefPage.objects.count():,}, {Source.objects.count():,}")
    print(f"pins (first 50):  {pins}")
    print(out.getvalue().splitlines()[-1])


if __name__ == "__main__":
    main()

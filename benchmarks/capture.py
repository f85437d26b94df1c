"""Capture figures: how many pages per second `capture` stores (fetch from a local web, WARC,
main text, storage, the Snapshot row), and how many bytes the snapshots take.

    .venv/bin/python benchmarks/capture.py [--pages 1000] [--hosts 20] [--workers 1]

Runs on a fresh SQLite database in a temporary data dir (migrations only, no demo) with the
snapshots in its private storage; the pages come from briefdesk.archive.testweb's LocalWeb on
127.0.0.1 (the guard lets loopback through here only), each a news-like article of about
15-40 kB with a redirect in front of every tenth. Target: >= 20 pages/s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "reservoir authority season storage rainfall engineers minister budget province river "
    "drought harvest report council farmers levels monday policy water irrigation dam supply "
    "forecast capacity emergency region officials data records public"
).split()


def article(rng: random.Random, n: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(12, 30)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 110))]
        paragraphs.append("<p>" + " ".join(words).capitalize() + ".</p>")
    nav = "".join(f'<li><a href="/section-{i}">Section {i}</a></li>' for i in range(25))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Story {n}: "
        f"{rng.choice(WORDS)} {rng.choice(WORDS)}</title>"
        "<style>body{font-family:serif}</style><script>var tracking = 1;</script></head>"
        f"<body><header><nav><ul>{nav}</ul></nav></header><main><article>"
        f"<h1>Story {n}</h1>{''.join(paragraphs)}</article></main>"
        "<footer><p>Copyright the outlet. All rights reserved.</p></footer></body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="briefdesk-bench-capture-")
    os.environ["BRIEFDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefdesk.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ["BRIEFDESK_FETCH_SPACING_MS"] = "0"
    os.environ["BRIEFDESK_ENV_FILE"] = ""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    settings.BRIEFDESK_FETCH_ALLOW = ["127.0.0.0/8"]  # the local web only; never in production
    settings.BRIEFDESK_FETCH_PER_HOST = max(2, args.workers)
    settings.BRIEFDESK_CAPTURE_ON_PUBLISH = False

    from briefdesk.archive.testweb import LocalWeb, Route
    from briefdesk.sources.archiving import capture
    from briefdesk.sources.models import Snapshot, Source

    rng = random.Random(13)
    with LocalWeb() as web:
        urls = []
        page_bytes = 0
        for n in range(args.pages):
            host = f"site{n % args.hosts}"
            body = article(rng, n)
            page_bytes += len(body.encode())
            web.route(host, f"/story-{n}", Route.html(body))
            if n % 10 == 0:
                web.route(host, f"/s/{n}", Route.redirect(web.url(host, f"/story-{n}")))
                urls.append(web.url(host, f"/s/{n}"))
            else:
                urls.append(web.url(host, f"/story-{n}"))
        sources = Source.objects.bulk_create(
            [Source(kind="news_article", title=f"Story {n}", url=url) for n, url in enumerate(urls)]
        )
        ids = [s.pk for s in sources]

        capture(ids[0])  # imports and first use out of the timing
        Snapshot.objects.all().delete()

        def one(source_id: int) -> str:
            try:
                return capture(source_id).state
            finally:
                if args.workers > 1:
                    connection.close()

        start = time.perf_counter()
        if args.workers > 1:
            with ThreadPoolExecutor(args.workers) as pool:
                states = list(pool.map(one, ids))
        else:
            states = [one(source_id) for source_id in ids]
        elapsed = time.perf_counter() - start

    stored = sum(
        p.stat().st_size for p in Path(settings.BRIEFDESK_PRIVATE_ROOT).rglob("*") if p.is_file()
    )
    counts = {state: states.count(state) for state in sorted(set(states))}
    print(f"{len(ids)} pages from {args.hosts} local hosts, {args.workers} worker(s): {counts}")
    print(f"{elapsed:.1f} s, {len(ids) / elapsed:.1f} pages/s (target >= 20)")
    print(
        f"pages served {page_bytes / 1e6:.1f} MB; stored {stored / 1e6:.1f} MB "
        f"({stored / max(1, len(ids)) / 1024:.1f} kB per snapshot, gzip WARC), "
        f"{Snapshot.objects.count()} snapshot rows"
    )


if __name__ == "__main__":
    main()

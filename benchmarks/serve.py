"""Serving figures, all from one run on this machine: wrk on loopback against nginx serving a
saved copy of the anatomy brief, and against `briefdesk serve` (granian, 2 workers, production
settings) on the demo data: uncached (PAGE_CACHE=false), from the page cache (a directory),
from the page cache in Redis, and behind Varnish. Prints requests/s, p50, p99 and errors for
each, and each one's ratio to nginx; then the cached brief at 256 connections.

    .venv/bin/python benchmarks/serve.py [--seconds 10] [--connections 64] [--data DIR]

Needs Debian's nginx, wrk, redis-server and varnish (scripts/test.sh installs the first
three... apt-get install nginx wrk redis-server varnish). --data reuses a demo data dir
(made on first use; loading the demo takes about 1.5 minutes).

Targets (issue 14): cached >= 20% of nginx with p99 <= 20 ms at 64 connections; Varnish
>= 50%; uncached >= 300 requests/s; no errors at 256 connections.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefdesk.core.pagecache.tests.servers import (
    Load,
    briefdesk_serve,
    demo_data_dir,
    nginx_serving,
    redis_server,
    varnish,
    wrk,
)

BRIEF = "/briefs/how-wikileaks-hurts-us-pakistan-ties/"


def row(name: str, load: Load, nginx: Load | None) -> str:
    ratio = f"{load.requests_per_second / nginx.requests_per_second:7.1%}" if nginx else "      -"
    return (
        f"{name:<34} {load.requests_per_second:>10,.0f} {load.p50_ms:>8.2f} {load.p99_ms:>8.2f}"
        f" {load.errors:>7} {ratio:>9}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per measurement (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="default 64")
    parser.add_argument("--data", type=Path, help="demo data dir to (re)use")
    args = parser.parse_args()
    data = demo_data_dir(args.data or Path(tempfile.mkdtemp(prefix="briefdesk-serve-bench-")))
    c, s = args.connections, args.seconds
    results: list[tuple[str, Load]] = []

    print(f"load: wrk, 2 threads, {c} connections, {s} s each; {os.cpu_count()} cores", flush=True)
    with briefdesk_serve(data, PAGE_CACHE="false") as served:
        status, _, saved = served.get(BRIEF)
        assert status == 200, status
        served.get(BRIEF)
        results.append(("briefdesk, uncached", wrk(served.url + BRIEF, connections=c, seconds=s)))
    with nginx_serving({BRIEF: saved}) as port:
        nginx = wrk(f"http://127.0.0.1:{port}{BRIEF}", connections=c, seconds=s)
    with briefdesk_serve(data) as served:
        served.get(BRIEF)
        results.append(
            ("briefdesk, page cache (directory)", wrk(served.url + BRIEF, connections=c, seconds=s))
        )
        at_256 = wrk(served.url + BRIEF, connections=256, seconds=s)
        try:
            with varnish(served.port) as front:
                url = f"http://127.0.0.1:{front}{BRIEF}"
                subprocess.run(["curl", "-s", "-o", "/dev/null", url], check=False)
                results.append(
                    ("Varnish in front of briefdesk", wrk(url, connections=c, seconds=s))
                )
        except RuntimeError as exc:
            print(f"(Varnish skipped: {exc})")
    with redis_server() as redis_url, briefdesk_serve(data, REDIS_URL=redis_url) as served:
        served.get(BRIEF)
        results.append(
            ("briefdesk, page cache (Redis)", wrk(served.url + BRIEF, connections=c, seconds=s))
        )

    print(f"\n{'':<34} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'of nginx':>9}")
    print(row("nginx, saved copy", nginx, None))
    for name, load in results:
        print(row(name, load, nginx))
    print(row("page cache (directory), 256 conn.", at_256, nginx))


if __name__ == "__main__":
    main()

"""Link-check figures: how fast `check_links` classifies a large mixed set of links, and how
much memory it needs.

    .venv/bin/python benchmarks/linkcheck.py [--urls 10000] [--hosts 100] [--per-host 2]

A local test web (briefdesk.archive.testweb.LocalWeb, run in a child process so that its
servers do not share a core with the checker) serves `--hosts` hosts on 127.0.0.1 ports and
`--urls` URLs spread over them in mixed states: ok pages (each with a snapshot text to
compare), permanent and temporary redirects, 404s and 410s, 500s (retried), soft-404s (a
"Page not found" page, a deep URL sent to the home page), drifted pages, and links to a
closed port. The checker runs with per-host concurrency `--per-host` (2), `--workers` threads
(16, the `check_links` command's default), no spacing (the
settings' 1 s between starts would make 100 URLs per host take 100 s by themselves), one
retry after ~50 ms, and prints total time, URLs/s, the checker's peak memory (max RSS of
this process) and the confusion table, which must be diagonal.

Targets: <= 60 s and <= 300 MB for 10,000 URLs over 100 hosts.

Why 16 threads and not one per slot (hosts x per-host = 200): on loopback an answer takes
well under a millisecond, so the checker is CPU-bound in one process (the GIL), and 200
threads only add switching: ~1.4 ms of checker CPU per URL against ~1.1 ms with 16, for the
same verdicts. Against real sites, where a thread mostly waits on the network, more threads
pay (`check_links --workers`). More processes would not: the checker and the test web
together already keep both cores of the 2-core machine busy.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import socket
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "reservoir authority season storage rainfall engineers minister budget province river "
    "drought harvest report council farmers levels monday policy water irrigation dam supply "
    "forecast capacity emergency region officials data records public cables embassy envoy "
    "treaty border tariff election ministry spokesman parliament debate army talks aid"
).split()

# (state served, share of URLs); the rest of the URLs are ok pages.
MIX = [
    ("redirected-301", 0.06),
    ("redirected-302", 0.04),
    ("gone-404", 0.06),
    ("gone-410", 0.02),
    ("server-error", 0.02),
    ("soft-404-page", 0.03),
    ("soft-404-home", 0.02),
    ("drifted", 0.05),
    ("unreachable", 0.01),
]
EXPECTED = {
    "ok": "ok",
    "redirected-301": "redirected",
    "redirected-302": "redirected",
    "gone-404": "gone",
    "gone-410": "gone",
    "server-error": "server-error",
    "soft-404-page": "soft-404",
    "soft-404-home": "soft-404",
    "drifted": "drifted",
    "unreachable": "unreachable",
}


def text_for(n: int) -> str:
    rng = random.Random(n)
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 60))).capitalize() + "."
        for _ in range(rng.randint(6, 14))
    )


def page(title: str, text: str) -> bytes:
    nav = "".join(f'<li><a href="/section-{i}">Section {i}</a></li>' for i in range(15))
    paragraphs = "".join(f"<p>{s}.</p>" for s in text.split(". "))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav><ul>{nav}</ul></nav><article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>Copyright the example press</footer></body></html>"
    ).encode()


def plan(urls: int, hosts: int) -> list[tuple[int, str, str]]:
    """(host index, path, kind) for each URL, the same in both processes."""
    rng = random.Random(13)
    kinds = [kind for kind, share in MIX for _ in range(round(share * urls))]
    kinds += ["ok"] * (urls - len(kinds))
    rng.shuffle(kinds)
    return [(n % hosts, f"/story/{n}", kind) for n, kind in enumerate(kinds)]


def serve(urls: int, hosts: int, conn: multiprocessing.connection.Connection) -> None:
    from briefdesk.archive.testweb import LocalWeb, Route

    html = {"Content-Type": "text/html; charset=utf-8"}
    with LocalWeb() as web:
        names = [f"h{i}" for i in range(hosts)]
        for name in names:
            web.route(name, "/", Route(headers=html, body=page("Home", text_for(-1))))
            web.route(name, "/new/", Route(headers=html, body=page("Moved", text_for(-2))))
        for host, path, kind in plan(urls, hosts):
            name = names[host]
            n = int(path.rsplit("/", 1)[1])
            if kind == "ok":
                route = Route(headers=html, body=page(f"Story {n}", text_for(n)))
            elif kind == "drifted":
                route = Route(headers=html, body=page(f"Story {n}", text_for(n + 10**6)))
            elif kind.startswith("redirected"):
                route = Route.redirect(web.url(name, "/new/"), int(kind[-3:]))
            elif kind.startswith("gone"):
                route = Route(status=int(kind[-3:]), body=b"<h1>Not here</h1>")
            elif kind == "server-error":
                route = Route(status=500, body=b"<h1>Internal Server Error</h1>")
            elif kind == "soft-404-page":
                route = Route(headers=html, body=page("Page not found", "Sorry, try the search"))
            elif kind == "soft-404-home":
                route = Route.redirect(web.url(name, "/"), 301)
            else:
                continue  # unreachable: the checker is given a closed port
            web.route(name, path, route)
        conn.send({name: web.port(name) for name in names})
        conn.recv()  # until the parent is done


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, default=16, help="threads (default 16; 0: hosts x per-host)"
    )
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(args.urls, args.hosts, child), daemon=True
    )
    server.start()
    ports = parent.recv()

    from briefdesk.archive.fetch import Policy
    from briefdesk.archive.linkcheck import LinkToCheck, check_links

    dead = closed_port()
    items, expected = [], []
    for host, path, kind in plan(args.urls, args.hosts):
        port = dead if kind == "unreachable" else ports[f"h{host}"]
        previous = text_for(int(path.rsplit("/", 1)[1])) if kind in ("ok", "drifted") else ""
        items.append(LinkToCheck(f"http://127.0.0.1:{port}{path}", previous))
        expected.append(EXPECTED[kind])
    policy = Policy(
        allow=("127.0.0.0/8",),
        per_host=args.per_host,
        spacing=0.0,
        timeout=10.0,
        max_bytes=5 * 1024 * 1024,
        robots=True,
        user_agent="briefdesk-benchmark",
    )
    workers = args.workers or args.hosts * args.per_host
    load_before = os.getloadavg()[0]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    results = check_links(
        items, policy=policy, workers=workers, retries=1, backoff=0.05, max_backoff=0.2
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    peak = after.ru_maxrss / 1024
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    parent.send("stop")
    server.join(timeout=10)

    found = [r.health.state for r in results]
    pairs = Counter(zip(expected, found, strict=True))
    states = sorted({*expected, *found})
    print(
        f"{len(items)} URLs over {args.hosts} hosts, per-host concurrency {args.per_host}, "
        f"{workers} threads, {os.cpu_count()} CPUs "
        f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)"
    )
    print(f"total {elapsed:.1f} s, {len(items) / elapsed:.0f} URLs/s")
    # On a shared machine the wall time says as much about the neighbours as about us.
    print(f"checker CPU time {cpu:.1f} s ({cpu / len(items) * 1000:.1f} ms per URL)")
    print(
        f"peak memory (max RSS of the checker) {peak:.0f} MB (before the run {rss_before:.0f} MB)"
    )
    print(f"fetches {sum(r.attempts for r in results)} (retries included), probes {args.hosts}")
    print("confusion (rows expected, columns found):")
    print(" " * 14 + "".join(s[:11].rjust(12) for s in states))
    for row in states:
        print(row.ljust(14) + "".join(str(pairs[(row, col)] or ".").rjust(12) for col in states))
    wrong = sum(n for (a, b), n in pairs.items() if a != b)
    print(f"misclassified: {wrong}")
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()

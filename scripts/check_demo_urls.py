"""Serve the demo on a free port from a fresh data directory and check that every absolute URL
it hands out is on that port and answers 200; then serve the same data on a second port and
check again (the Site and the stored citations follow the new base URL).

    .venv/bin/python scripts/check_demo_urls.py

Checked for every page in sitemap.xml: each <loc> is on the port; on each brief, the
canonical link, every absolute URL in the page (citations, Cite dialog, JSON-LD, Highwire
tags, the PDF link) and the `UR` of cite.ris are on the port, and each such URL answers 200;
listing pages carry one COinS span per listed brief. Exits 1 with a list of what is wrong.
Too slow for the test run (a fresh demo loads in one to two minutes); run it after changing
how URLs are built.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFDESK = ROOT / ".venv/bin/briefdesk"
ABSOLUTE = re.compile(r"https?://[^\s\"'<>)\\]+")
START_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_demo(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"BRIEFDESK_BASE_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["BRIEFDESK_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [str(BRIEFDESK), "demo", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so stopping it stops its scheduler and worker too
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the demo stopped (exit {process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    stop(process)
    raise SystemExit(f"the demo did not answer within {START_TIMEOUT} s; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def check(port: int) -> list[str]:
    origin = f"http://127.0.0.1:{port}"
    problems: list[str] = []
    checked: set[str] = set()

    def answers(url: str, where: str) -> None:
        if url in checked:
            return
        checked.add(url)
        status, _ = get(url)
        if status != 200:
            problems.append(f"{url} (from {where}) answers {status}")

    def on_origin(urls: list[str], where: str) -> None:
        for found in urls:
            url = found.rstrip(".,;:")  # a citation's closing full stop is not in the URL
            if re.match(r"https?://(127\.0\.0\.1|localhost)\b", url):
                if not url.startswith(origin + "/"):
                    problems.append(f"{where}: {url} is not on {origin}")
                else:
                    answers(url, where)

    status, sitemap = get(f"{origin}/sitemap.xml")
    if status != 200:
        return [f"{origin}/sitemap.xml answers {status}"]
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    on_origin(locs, "sitemap.xml")
    briefs = [u for u in locs if re.search(r"/briefs/[^/]+/$", u)]
    for url in briefs:
        _, page = get(url)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)
        if not canonical or canonical.group(1) != url:
            problems.append(f"{url}: canonical link is {canonical and canonical.group(1)!r}")
        on_origin(ABSOLUTE.findall(page.replace("&amp;", "&")), url)
        _, ris = get(url + "cite.ris")
        ur = re.findall(r"^UR  - (.+)$", ris, re.M)
        if ur != [url]:
            problems.append(f"{url}cite.ris: UR is {ur}")
    for listing in (f"{origin}/", f"{origin}/briefs/"):
        _, page = get(listing)
        items = page.count('<article class="brief-item">')
        spans = page.count('class="Z3988"')
        if not items or spans != items:
            problems.append(f"{listing}: {spans} COinS spans for {items} listed briefs")
    print(f"{origin}: {len(locs)} sitemap entries, {len(briefs)} briefs, {len(checked)} URLs")
    return problems


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="briefdesk-demo-urls-"))
    problems: list[str] = []
    try:
        for run in (1, 2):  # the second run: same data, another port
            port = free_port()
            started = time.monotonic()
            process = start_demo(data_dir, port, data_dir / f"demo-{run}.log")
            print(f"demo on port {port} answered after {time.monotonic() - started:.0f} s")
            try:
                problems += check(port)
            finally:
                stop(process)
    finally:
        if not problems:
            shutil.rmtree(data_dir, ignore_errors=True)
    for problem in problems:
        print("FAIL", problem)
    print("ok" if not problems else f"{len(problems)} problems (logs in {data_dir})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""briefdesk serve with its page cache, as operators run it: real processes on loopback.

- Two `briefdesk serve` processes (two app servers) sharing one database and one Redis: a page
  one of them stored is served by the other, and a change made by a third process (an editor
  elsewhere) purges it for both.
- Varnish from Debian in front of `briefdesk serve`, purged through the same batches.
- Load (marked `load`, run once by scripts/test.sh): 60 s at 256 connections on the cached
  brief and 30 s at 32 connections on search, with no errors; the figures are printed.

The database is a fresh SQLite file, or with DATABASE_URL=postgres://… a fresh database on
that server (the PostgreSQL stage of scripts/test.sh).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from .servers import (
    BRIEFDESK,
    REPO,
    Served,
    briefdesk_serve,
    free_port,
    production_env,
    redis_server,
    varnish,
    wrk,
)

SETUP = """
from tests.factories import SiteTree, SourceFactory, cite, make_author, make_brief, make_topic
from briefdesk.briefs.models import AuthorIndexPage, BriefIndexPage
from briefdesk.core.models import HomePage
from briefdesk.core.site_tree import ensure_site
from briefdesk.topics.models import TopicIndexPage
r = ensure_site()
tree = SiteTree(
    home=HomePage.objects.get(pk=r.home_id),
    briefs=BriefIndexPage.objects.get(pk=r.briefs_id),
    authors=AuthorIndexPage.objects.get(pk=r.authors_id),
    topics=TopicIndexPage.objects.get(pk=r.topics_id),
)
author = make_author(tree)
guide = make_topic(tree)
sources = [SourceFactory() for _ in range(8)]
claims = "".join(f"<p>Claim {n} about Pakistan {cite(s)}.</p>" for n, s in enumerate(sources))
make_brief(tree, title="The Cables Brief", slug="cables", authors=[author], topics=[guide],
           body=[("paragraph", claims)])
for n in range(20):
    make_brief(tree, title=f"Pakistan brief {n}", slug=f"pakistan-{n}", authors=[author],
               topics=[guide], body=[("paragraph", f"<p>Army and parliament, part {n}.</p>")])
"""

RENAME = """
from briefdesk.briefs.models import BriefPage
brief = BriefPage.objects.get(slug="cables")
brief.title = "{title}"
brief.save_revision().publish()
"""

BRIEF = "/briefs/cables/"

# What does not depend on the database engine runs once, in the SQLite stage.
sqlite_stage_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the same on every engine; run in the SQLite stage",
)


@dataclass
class SiteData:
    data_dir: Path
    database_url: str

    def env(self, port: int = 8000, **extra: str) -> dict[str, str]:
        return production_env(self.data_dir, port, DATABASE_URL=self.database_url, **extra)

    def manage(self, *args: str, **extra: Any) -> str:
        done = subprocess.run(
            [*BRIEFDESK, *args], env=self.env(**extra), cwd=REPO, capture_output=True,
            text=True, timeout=600, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"briefdesk {args[:2]}: {done.stderr[-3000:]}"
        return done.stdout


@contextlib.contextmanager
def fresh_database(tmp: Path) -> Iterator[str]:
    """A new empty database on the suite's engine: its URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp / 'shared.sqlite3'}"
        return
    import psycopg

    name = f"briefdesk_serving_{secrets.token_hex(4)}"
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteData]:
    tmp = tmp_path_factory.mktemp("serving")
    with fresh_database(tmp) as database_url:
        site = SiteData(tmp / "data", database_url)
        site.data_dir.mkdir()
        site.manage("init")
        site.manage("manage", "shell", "-c", SETUP)
        yield site


def title_on(served: Served, path: str) -> tuple[str, str]:
    status, headers, body = served.get(path)
    assert status == 200, (served.port, path, status)
    marker = "<title>"
    text = body.decode()
    start = text.index(marker) + len(marker)
    return text[start : text.index("</title>", start)], headers.get("x-cache", "")


def test_two_app_servers_sharing_the_database_and_redis_share_the_cache_and_its_purges(
    site: SiteData, tmp_path: Path
) -> None:
    with redis_server() as redis_url:
        # Two machines: each its own data dir (local cache, static files), one database, one
        # Redis.
        first_dir, second_dir = tmp_path / "one", tmp_path / "two"
        for directory in (first_dir, second_dir):
            directory.mkdir()
        env: dict[str, Any] = {"DATABASE_URL": site.database_url, "REDIS_URL": redis_url}
        with (
            briefdesk_serve(first_dir, **env) as one,
            briefdesk_serve(second_dir, **env) as two,
        ):
            assert title_on(one, BRIEF)[1] == "MISS"
            assert title_on(one, BRIEF)[1] == "HIT"
            title, cache = title_on(two, BRIEF)
            assert cache == "HIT" and "The Cables Brief" in title  # stored by the other one

            site.manage("manage", "shell", "-c", RENAME.format(title="Cables, Revised"),
                        REDIS_URL=redis_url)  # fmt: skip

            # Purged for both: the first request after the change renders it afresh, and the
            # other server then serves what that one stored.
            assert title_on(one, BRIEF) == ("Cables, Revised · Briefdesk", "MISS")
            assert title_on(two, BRIEF) == ("Cables, Revised · Briefdesk", "HIT")


@sqlite_stage_only
def test_varnish_in_front_serves_from_its_cache_and_is_purged_by_a_publish(
    site: SiteData, tmp_path: Path
) -> None:
    port = free_port()
    with varnish(port) as front_port:
        front = f"http://127.0.0.1:{front_port}"
        env: dict[str, Any] = {"DATABASE_URL": site.database_url, "FRONT_CACHE_PURGE_URLS": front}
        data = tmp_path / "data"
        data.mkdir()
        with briefdesk_serve(data, port=port, **env):
            via = Served(front_port, None, data / "none.log")  # type: ignore[arg-type]
            status, headers, _ = via.get(BRIEF)
            assert status == 200 and headers["x-front-cache"] == "MISS"
            status, headers, body = via.get(BRIEF)
            assert headers["x-front-cache"] == "HIT"
            old_title = body.decode()

            # The editor's process shares the server's data dir, as on one machine.
            site.manage("manage", "shell", "-c", RENAME.format(title="Cables, Varnished"),
                        FRONT_CACHE_PURGE_URLS=front, BRIEFDESK_DATA_DIR=str(data))  # fmt: skip

            status, headers, body = via.get(BRIEF)
            assert headers["x-front-cache"] == "MISS"
            assert "Cables, Varnished" in body.decode() and body.decode() != old_title
            # An editor's session is never served from Varnish.
            _, headers, _ = via.get(BRIEF, Cookie="sessionid=abc")
            assert headers["x-front-cache"] == "MISS"


@pytest.mark.load
def test_under_load_the_cached_brief_and_search_answer_every_request(
    site: SiteData, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with briefdesk_serve(data, DATABASE_URL=site.database_url) as served:
        assert served.get(BRIEF)[0] == 200
        assert served.get("/search/?q=pakistan+army")[0] == 200
        started = time.monotonic()
        brief = wrk(served.url + BRIEF, connections=256, seconds=60)
        search = wrk(served.url + "/search/?q=pakistan+army", connections=32, seconds=30)
        print(
            f"\ncached brief, 256 connections, 60 s: {brief.requests:,} requests, "
            f"{brief.requests_per_second:,.0f}/s, p50 {brief.p50_ms:.1f} ms, "
            f"p99 {brief.p99_ms:.1f} ms, {brief.errors} errors"
            f"\nsearch, 32 connections, 30 s: {search.requests:,} requests, "
            f"{search.requests_per_second:,.0f}/s, p50 {search.p50_ms:.1f} ms, "
            f"p99 {search.p99_ms:.1f} ms, {search.errors} errors"
            f"\n({time.monotonic() - started:.0f} s)"
        )
        assert brief.errors == 0, brief.output
        assert search.errors == 0, search.output
        assert brief.requests > 0 and search.requests > 0


@sqlite_stage_only
def test_the_brief_page_with_its_css_and_js_weighs_under_40_kb_compressed_and_revalidates(
    site: SiteData, tmp_path: Path
) -> None:
    import gzip
    import re

    data = tmp_path / "data"
    data.mkdir()
    with briefdesk_serve(data, DATABASE_URL=site.database_url) as served:
        status, headers, html = served.get(BRIEF, **{"Accept-Encoding": "gzip"})
        assert status == 200
        total = len(gzip.compress(html))  # granian does not compress; nginx in front does
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"', html.decode())
        assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
        for asset in assets:
            status, asset_headers, body = served.get(asset, **{"Accept-Encoding": "gzip"})
            assert status == 200, asset
            # Hashed names, kept for a year, compressed ahead of time (whitenoise).
            assert re.search(r"\.[0-9a-f]{12}\.", asset), asset
            assert "immutable" in asset_headers["cache-control"], asset
            if asset.endswith((".css", ".js")):
                assert asset_headers.get("content-encoding") == "gzip", asset
            total += len(body)
        print(f"\nthe brief page, compressed: {total / 1024:.1f} KB ({len(assets)} assets)")
        assert total <= 40 * 1024

        # Readers' browsers revalidate: the cache answers 304 to the ETag it gave.
        status, again, _ = served.get(BRIEF, **{"If-None-Match": headers["etag"]})
        assert status == 304 and again.get("x-cache") == "HIT"

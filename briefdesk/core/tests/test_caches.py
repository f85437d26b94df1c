"""One cache for every process of the site (DATA_DIR/cache): after an operator edits
*Settings → Sites* through one process, every process serves the new Site at once — no 500
from a worker that remembers the old root — and a cache that cannot be written is a miss with
a warning, never an error.

The servers are two real WSGI processes (granian, production settings) on one SQLite file,
like two workers of `briefdesk serve`; the edit is made by a third process, whose save clears
only what that process can reach.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefdesk.core.filecache import SharedFileCache
from briefdesk.settings import caches as cache_settings

BRIEFDESK = Path(sys.executable).with_name("briefdesk")
REPO = Path(__file__).resolve().parents[3]
BRIEF = "/briefs/cached-brief/"

SETUP = """
from wagtail.models import Page, Site
from briefdesk.briefs.models import AuthorIndexPage, BriefIndexPage
from briefdesk.core.models import HomePage
from briefdesk.core.site_tree import ensure_site
from briefdesk.topics.models import TopicIndexPage
from tests.factories import SiteTree, make_author, make_brief
r = ensure_site()
tree = SiteTree(
    home=HomePage.objects.get(pk=r.home_id),
    briefs=BriefIndexPage.objects.get(pk=r.briefs_id),
    authors=AuthorIndexPage.objects.get(pk=r.authors_id),
    topics=TopicIndexPage.objects.get(pk=r.topics_id),
)
make_brief(tree, title="Cached brief", slug="cached-brief", authors=[make_author(tree)])
"""

# Point the default Site at a plain placeholder page (as on a fresh install) or at the home
# page, as an operator does in Settings → Sites.
REROOT = """
from wagtail.models import Page, Site
from briefdesk.core.models import HomePage
root = Page.get_first_root_node()
placeholder = Page.objects.filter(depth=2, slug="placeholder").first()
if placeholder is None:
    placeholder = root.add_child(instance=Page(title="Placeholder", slug="placeholder"))
site = Site.objects.get(is_default_site=True)
site.root_page = placeholder if "{target}" == "placeholder" else HomePage.objects.get()
site.save()
"""

MOVE = """
from wagtail.models import Site
site = Site.objects.get(is_default_site=True)
site.hostname, site.port = "{host}", {port}
site.save()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(BRIEFDESK), *args],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"briefdesk {args[:2]}: {done.stderr[-2000:]}"
    return done.stdout


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


@dataclass
class Servers:
    env: dict[str, str]
    ports: tuple[int, int]
    data: Path

    def shell(self, code: str) -> None:
        run(["manage", "shell", "-c", code], self.env)

    def statuses(self, *paths: str, rounds: int = 3) -> dict[str, set[int]]:
        seen: dict[str, set[int]] = {}
        for _ in range(rounds):
            for port in self.ports:
                for path in paths:
                    seen.setdefault(path, set()).add(get(port, path)[0])
        return seen


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    data = tmp_path_factory.mktemp("shared-cache")
    ports = (free_port(), free_port())
    (data / "briefdesk.env").write_text("")  # this test's whole configuration is below
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFDESK_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="briefdesk.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        BRIEFDESK_DATA_DIR=str(data),
        BRIEFDESK_ENV_FILE=str(data / "briefdesk.env"),
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
        BRIEFDESK_BASE_URL=f"http://127.0.0.1:{ports[0]}",
        PYTHONPATH=str(REPO),  # tests.factories, for the setup below
    )
    run(["manage", "migrate", "--noinput"], env)
    run(["manage", "collectstatic", "--noinput"], env)
    site = Servers(env=env, ports=ports, data=data)
    site.shell(SETUP)
    site.shell(REROOT.format(target="placeholder"))
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "1", "briefdesk.wsgi:application"],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=(data / f"server-{port}.log").open("w"),
            start_new_session=True,
        )
        for port in ports
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        for port in ports:
            while True:
                try:
                    get(port, "/admin/login/")
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"no server on {port}"
                    time.sleep(0.3)
        yield site
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


# --- two processes -------------------------------------------------------------------------


def test_after_the_site_is_pointed_at_the_home_page_every_request_through_either_process_is_200(
    servers: Servers,
) -> None:
    # Both processes build URLs while the Site is rooted at the placeholder, so both have
    # read (and cached) its root paths.
    assert servers.statuses("/sitemap.xml", rounds=1) == {"/sitemap.xml": {200}}

    servers.shell(REROOT.format(target="home"))

    assert servers.statuses("/", BRIEF, "/briefs/", "/topics/", "/sitemap.xml") == {
        path: {200} for path in ("/", BRIEF, "/briefs/", "/topics/", "/sitemap.xml")
    }
    for port in servers.ports:
        home = get(port, "/")[1]
        assert f'href="{BRIEF}"' in home
        assert 'href="None"' not in home


def test_after_the_sites_port_changes_the_sitemap_through_either_process_names_the_new_port(
    servers: Servers,
) -> None:
    first, second = servers.ports
    servers.shell(MOVE.format(host="127.0.0.1", port=first))
    assert all(f"http://127.0.0.1:{first}/" in get(p, "/sitemap.xml")[1] for p in servers.ports)

    servers.shell(MOVE.format(host="127.0.0.1", port=second))

    for port in servers.ports:
        status, sitemap = get(port, "/sitemap.xml")
        assert status == 200
        assert f"<loc>http://127.0.0.1:{second}{BRIEF}</loc>" in sitemap
        assert f"127.0.0.1:{first}/" not in sitemap


def test_the_servers_cache_lives_in_the_data_directory(servers: Servers) -> None:
    get(servers.ports[0], "/sitemap.xml")

    assert list((servers.data / "cache").glob("*.djcache"))


# --- the cache itself ------------------------------------------------------------------------


def test_the_default_cache_is_the_shared_file_cache_under_the_data_dir() -> None:
    default = cache_settings.CACHES["default"]

    assert default["BACKEND"] == "briefdesk.core.filecache.SharedFileCache"
    assert default["LOCATION"] == str(cache_settings.DATA_DIR / "cache")


def test_two_caches_on_one_directory_see_each_others_writes_and_deletes(tmp_path: Path) -> None:
    first = SharedFileCache(str(tmp_path / "cache"), {})
    second = SharedFileCache(str(tmp_path / "cache"), {})

    first.set("root", ["/home/"], 3600)
    assert second.get("root") == ["/home/"]
    second.delete("root")
    assert first.get("root") is None


def test_a_cache_that_cannot_be_written_is_a_miss_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("a file where the directory should be")
    SharedFileCache._last_warning = float("-inf")

    with caplog.at_level(logging.WARNING, logger="briefdesk.cache"):
        cache = SharedFileCache(str(in_the_way), {})
        for _ in range(3):
            cache.set("root", ["/home/"], 3600)
            assert cache.get("root", "missed") == "missed"
            assert cache.add("other", 1) is False
            cache.delete("root")
        cache.clear()

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "WARNING",
            f"cache create failed in {in_the_way} (File exists); serving without the cache",
        )
    ]


def test_a_corrupt_entry_is_a_miss(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = SharedFileCache(str(tmp_path / "cache"), {})
    cache.set("root", ["/home/"], 3600)
    (entry,) = (tmp_path / "cache").glob("*.djcache")
    entry.write_bytes(entry.read_bytes()[:-4] + b"junk")
    SharedFileCache._last_warning = float("-inf")

    with caplog.at_level(logging.WARNING, logger="briefdesk.cache"):
        assert cache.get("root") is None

    assert "cache read failed" in caplog.text

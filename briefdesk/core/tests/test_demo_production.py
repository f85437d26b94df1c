"""`briefdesk demo` serves as production does: DEBUG off (the site's 404 page, never Django's
debug page with the URLconf), static files collected and served by WhiteNoise under hashed
names, a secret key generated into the data dir, robots.txt. The real command, in a process of
its own, on a fresh data dir (it migrates and loads the demo: the slowest test here)."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefdesk.core.tests.ops_servers import BRIEFDESK, free_port

START_TIMEOUT = 300


@dataclass
class Demo:
    url: str
    data_dir: Path
    log: Path

    def get(self, path: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()


def demo_env(data_dir: Path) -> dict[str, str]:
    """A fresh reader's machine: no settings module, key, DEBUG or base URL chosen."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "BRIEFDESK_", "SENTRY_", "EMAIL_"))
        and k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    return {**env, "BRIEFDESK_ENV_FILE": "", "BRIEFDESK_DATA_DIR": str(data_dir)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("demo")
    port = free_port()
    running = Demo(url=f"http://127.0.0.1:{port}", data_dir=root / "data", log=root / "demo.log")
    with running.log.open("wb") as log:
        process = subprocess.Popen(
            [str(BRIEFDESK), "demo", "--port", str(port)],
            env=demo_env(running.data_dir),
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the server, its worker and the scheduler stop together
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"demo exited ({process.returncode}):\n{running.log.read_text()}"
                )
            with_server = False
            try:
                with socket.create_connection(("127.0.0.1", port), 0.5):
                    with_server = True
            except OSError:
                pass
            if with_server:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"demo did not listen:\n{running.log.read_text()}")
            time.sleep(0.5)
        yield running
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_bad_url_gets_the_sites_404_page_not_the_debug_page(demo: Demo) -> None:
    status, content_type, body = demo.get("/no/such/page/")

    html = body.decode()
    assert status == 404
    assert content_type.startswith("text/html")
    assert "<h1>Page not found</h1>" in html
    assert "URLconf" not in html and "Traceback" not in html


def test_static_files_are_collected_and_served_under_hashed_names(demo: Demo) -> None:
    status, _, body = demo.get("/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/briefdesk/site\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "the front page links the hashed stylesheet"

    status, content_type, css = demo.get(stylesheet.group(1))

    assert status == 200
    assert content_type.startswith("text/css")
    assert b".site-header" in css
    assert (demo.data_dir / "static" / "staticfiles.json").exists()


def test_the_front_page_is_arranged_and_robots_txt_names_the_sitemap(demo: Demo) -> None:
    _, _, home = demo.get("/")
    status, _, robots = demo.get("/robots.txt")

    assert "How WikiLeaks Hurts U.S.-Pakistan Ties" in home.decode()
    assert 'class="front-expert__name"' in home.decode()
    assert status == 200
    assert f"Sitemap: {demo.url}/sitemap.xml" in robots.decode()


def test_the_generated_secret_key_is_kept_in_the_data_dir_for_its_owner_only(demo: Demo) -> None:
    key_file = demo.data_dir / "secret_key"

    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

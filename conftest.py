"""Shared pytest fixtures: the page tree, stock users for each role, and Chromium settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# pytest-django's live_server runs in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# No env file of this machine (/etc/briefdesk/briefdesk.env) feeds the tests.
os.environ.setdefault("BRIEFDESK_ENV_FILE", "")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_the_live_server() -> None:
    """The live server shares the test's in-memory SQLite connection with its request
    threads; two requests at once (the Wagtail editor pings and autosaves while a form posts)
    interleave their savepoints on that one connection and fail with "no such savepoint".
    Requests are run one at a time, as a single-threaded server would; connections stay
    concurrent, so keep-alive cannot block another request."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SerialisedWSGIServer(ThreadedWSGIServer):
        def set_app(self, application: Any) -> None:
            lock = threading.Lock()

            def serialised(environ: Any, start_response: Any) -> Any:
                with lock:
                    return application(environ, start_response)

            super().set_app(serialised)

    LiveServerThread.server_class = SerialisedWSGIServer


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "load: minutes of wrk load on real servers; scripts/test.sh runs them once, on SQLite",
    )


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Refuse a test that pytest-playwright made a browser test by accident (a parameter
    named `page` is its fixture): it would run among the transactional browser tests, and
    their flush would leave it, and the tests ordered after it, without the migrated data."""
    stray = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        and not item.get_closest_marker("browser")
    ]
    if stray:
        raise pytest.UsageError(
            f"not marked browser but run in a browser (a parameter named page?): {stray[0]}"
        )


@pytest.fixture(autouse=True)
def _fresh_related_index() -> None:
    """Each test starts without the relatedness engine's per-process index: a rolled-back
    test database hands out its ids again, which the index would take for the same briefs."""
    from briefdesk.briefs.related_store import forget_index

    forget_index()


@pytest.fixture(autouse=True)
def _fresh_site_cache() -> None:
    """Each test reads the site's chrome, Sites and private sections from its own database:
    what another test kept (core.sitecache) describes a rolled-back one."""
    from briefdesk.core.sitecache import forget

    forget()


@pytest.fixture(autouse=True)
def _own_search_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test has a search index directory of its own (built from the test database at its
    first search), for the same reason: an index left by another test would hold records of
    a rolled-back database under ids handed out again."""
    from django.conf import settings

    from briefdesk.search.sync import forget_stores

    before = settings.BRIEFDESK_SEARCH_DIR
    settings.BRIEFDESK_SEARCH_DIR = tmp_path_factory.mktemp("search")
    forget_stores()
    yield
    settings.BRIEFDESK_SEARCH_DIR = before
    forget_stores()


@pytest.fixture
def site_tree(db: Any) -> Any:
    from tests.factories import make_site_tree

    return make_site_tree()


@pytest.fixture
def users(db: Any) -> Any:
    from tests.factories import make_users

    return make_users()

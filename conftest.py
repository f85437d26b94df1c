"""Shared pytest fixtures: the page tree, stock users for each role, and Chromium settings."""

from __future__ import annotations

import os
from typing import Any

import pytest

# pytest-django's live_server runs in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


@pytest.fixture
def site_tree(db: Any) -> Any:
    from tests.factories import make_site_tree

    return make_site_tree()


@pytest.fixture
def users(db: Any) -> Any:
    from tests.factories import make_users

    return make_users()

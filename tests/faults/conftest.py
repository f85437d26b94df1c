"""One initialised data directory for the whole fault-test session (`briefdesk init` takes
tens of seconds); each test works on a copy of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .site import Site, prepare_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # These tests run their own SQLite site whatever the suite's database; the PostgreSQL
    # stage (scripts/test.sh) would only run them a second time.
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the crash tests run SQLite sites of their own: the SQLite stage runs them")
    return prepare_template(tmp_path_factory.mktemp("faults-template"))


@pytest.fixture
def site(template: Path, tmp_path: Path) -> Iterator[Site]:
    copy = Site.copy_of(template, tmp_path)
    try:
        yield copy
    finally:
        copy.stop_all()

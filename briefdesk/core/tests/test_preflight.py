"""The preflight checks (briefdesk.core.preflight) and the static files stamp, against the
suite's real database and real directories. What the `briefdesk` command prints and exits with
is tested in test_cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler
from django.test import override_settings

from briefdesk.core.checks import check_citeproc, citeproc_problem
from briefdesk.core.preflight import (
    MIGRATIONS,
    SITE,
    STORAGE,
    SYSTEM_CHECKS,
    Problem,
    database_problem,
    migrations_problem,
    run_preflight,
    storage_problems,
    system_check_problems,
    writable_problem,
)
from briefdesk.core.static_stamp import (
    STAMP_NAME,
    static_fingerprint,
    static_is_current,
    write_static_stamp,
)

pytestmark = pytest.mark.django_db


def a_path_under_a_file(tmp_path: Path) -> Path:
    """A directory that cannot be created by anyone, root included (the tests run as root,
    for whom a chmod 555 directory is still writable): its parent is a regular file."""
    (tmp_path / "a-file").write_text("not a directory")
    return tmp_path / "a-file" / "data"


# --- the whole run -----------------------------------------------------------------------


def test_a_migrated_and_initialised_site_with_writable_dirs_has_no_problems(
    site_tree: Any, tmp_path: Path
) -> None:
    with override_settings(
        DATA_DIR=tmp_path / "data",
        MEDIA_ROOT=tmp_path / "data" / "media",
        BRIEFDESK_PRIVATE_ROOT=tmp_path / "data" / "private",
    ):
        assert run_preflight() == []


def test_a_database_without_the_site_pages_says_to_run_init() -> None:
    problems = run_preflight(skip={STORAGE, SYSTEM_CHECKS})

    assert [problem.check for problem in problems] == [SITE]
    assert str(problems[0]).endswith("run briefdesk init")


def test_before_migrate_the_site_and_migrations_are_not_checked() -> None:
    assert run_preflight(skip={MIGRATIONS, SITE, STORAGE, SYSTEM_CHECKS}) == []


def test_one_faulty_data_dir_is_one_problem_not_one_per_directory_inside_it(
    site_tree: Any, tmp_path: Path
) -> None:
    data_dir = a_path_under_a_file(tmp_path)
    with override_settings(
        DATA_DIR=data_dir,
        MEDIA_ROOT=data_dir / "media",
        BRIEFDESK_PRIVATE_ROOT=data_dir / "private",
    ):
        problems = run_preflight()

    assert problems == [
        Problem(
            STORAGE,
            f"cannot create the data dir (BRIEFDESK_DATA_DIR) {data_dir}: Not a directory",
        )
    ]


# --- each check --------------------------------------------------------------------------


def test_the_suite_database_is_reachable_and_fully_migrated() -> None:
    assert database_problem() is None
    assert migrations_problem() is None


def test_migrations_that_are_not_applied_are_counted_and_the_first_named() -> None:
    # As after installing a version with new migrations of the core app: none recorded.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["core"])

    problem = migrations_problem()

    assert problem is not None
    assert problem.endswith("(first: core.0001_initial): run briefdesk init")


def test_a_missing_sqlite_file_is_a_problem_after_migrate_but_not_before(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "never-made.sqlite3"
    elsewhere = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(missing)}}
    )["default"]

    assert database_problem(elsewhere, must_exist=True) == (
        f"the SQLite database {missing} does not exist: run briefdesk init"
    )
    assert database_problem(elsewhere, must_exist=False) is None
    assert not missing.exists()


def test_an_unreachable_postgresql_server_is_named_by_host_and_port_without_the_password() -> None:
    unreachable = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "briefdesk",
                "USER": "briefdesk",
                "PASSWORD": "s3cret-pw",
                "HOST": "127.0.0.1",
                # Nothing listens on port 1: refused at once.
                "PORT": 1,
                "OPTIONS": {"connect_timeout": 5},
            }
        }
    )["default"]

    problem = database_problem(unreachable)

    assert problem is not None
    assert problem.startswith("cannot connect to the database (127.0.0.1:1): ")
    assert "s3cret-pw" not in problem
    assert "\n" not in problem


def test_a_writable_dir_is_made_if_missing_and_left_with_no_probe_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "media"

    assert writable_problem("media dir (MEDIA_ROOT)", target) is None

    assert target.is_dir()
    assert list(target.iterdir()) == []


def test_a_dir_that_cannot_be_made_is_named_with_the_reason(tmp_path: Path) -> None:
    target = a_path_under_a_file(tmp_path)

    assert writable_problem("media dir (MEDIA_ROOT)", target) == (
        f"cannot create the media dir (MEDIA_ROOT) {target}: Not a directory"
    )


def test_a_private_root_outside_the_data_dir_is_checked_on_its_own(tmp_path: Path) -> None:
    private = a_path_under_a_file(tmp_path)
    with override_settings(
        DATA_DIR=tmp_path / "data", MEDIA_ROOT=tmp_path / "media", BRIEFDESK_PRIVATE_ROOT=private
    ):
        assert storage_problems() == [
            f"cannot create the private dir (BRIEFDESK_PRIVATE_ROOT) {private}: Not a directory"
        ]


# --- citeproc-js (briefdesk.E003) ----------------------------------------------------------


def test_a_missing_citeproc_js_names_the_path_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "citeproc_commonjs.js"
    with override_settings(BRIEFDESK_CITEPROC_JS=missing):
        errors = check_citeproc()
        lines = system_check_problems()

    assert [error.id for error in errors] == ["briefdesk.E003"]
    assert errors[0].msg == (
        f"citeproc-js not found at {missing}: run `npm ci --omit=dev` in the checkout, "
        "or set BRIEFDESK_CITEPROC_JS to its citeproc_commonjs.js"
    )
    assert lines == [f"{errors[0].msg} [briefdesk.E003]"]


def test_the_installed_citeproc_js_passes() -> None:
    from django.conf import settings

    assert citeproc_problem(Path(settings.BRIEFDESK_CITEPROC_JS)) is None
    assert check_citeproc() == []


# --- the static files stamp ----------------------------------------------------------------


@pytest.fixture
def static_source(tmp_path: Path, settings: Any) -> Path:
    """A static source directory of the test's own beside the apps', and a fresh STATIC_ROOT."""
    source = tmp_path / "static-src"
    source.mkdir()
    (source / "extra.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "static-root"
    settings.STATIC_ROOT.mkdir()
    return source


def test_static_files_are_stale_until_stamped_then_current(static_source: Path) -> None:
    assert not static_is_current()

    write_static_stamp()

    assert static_is_current()


def test_a_changed_static_source_file_makes_the_collected_files_stale(
    static_source: Path,
) -> None:
    write_static_stamp()

    (static_source / "extra.css").write_text("body { color: darkslategray; }")

    assert not static_is_current()


def test_a_new_static_source_file_makes_the_collected_files_stale(static_source: Path) -> None:
    write_static_stamp()

    (static_source / "more.js").write_text("")

    assert not static_is_current()


def test_the_stamp_is_an_opaque_hash_that_reveals_no_versions(
    static_source: Path, settings: Any
) -> None:
    write_static_stamp()

    stamp = (Path(settings.STATIC_ROOT) / STAMP_NAME).read_text().strip()

    assert stamp == static_fingerprint()
    assert len(stamp) == 64 and set(stamp) <= set("0123456789abcdef")

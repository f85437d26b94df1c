"""The `briefdesk` command (briefdesk.cli.main): bad input ends in one line and a non-zero
exit, never a traceback; good input runs the right steps in the right order.

Parsing and the order of steps are tested in-process with the child processes, the checks
and the server stubbed out; the installed console script is run for real where settings,
Django's own parser and the process's exit and output matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from briefdesk import cli
from briefdesk.core.checks import GENERATE_KEY

BRIEFDESK = Path(sys.executable).with_name("briefdesk")
TEST_SETTINGS = "briefdesk.settings.test"
GOOD_KEY = "kq3V9x_Wm2-Lr8TzYb4NcHs7PdJf6GaUeQw1XoRi5Ml0Ek-Zt2Cy9Bv3Nu7Hp4Sj"


def sqlite_url(tmp_path: Path) -> str:
    """A database of the test's own: subprocesses never share the suite's (or PostgreSQL's)."""
    return f"sqlite:///{tmp_path / 'db' / 'briefdesk.sqlite3'}"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> list[tuple[Any, ...]]:
    """Stub the child processes, the checks and the server; record what main() asked of them.
    Static files are collected into a fresh STATIC_ROOT, so the first serve collects."""
    recorded: list[tuple[Any, ...]] = []
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "static").mkdir()
    # `demo` sets BRIEFDESK_BASE_URL for its children; undo it after the test.
    monkeypatch.setenv("BRIEFDESK_BASE_URL", "unset")
    monkeypatch.delenv("BRIEFDESK_BASE_URL")

    def run_child(argv: list[str], settings_module: str) -> int:
        recorded.append(("child", argv, settings_module))
        return 0

    def run_step(argv: list[str], settings_module: str) -> str | None:
        recorded.append(("step", argv, settings_module))
        return None

    def preflight(settings_module: str, skip: frozenset[str] = frozenset()) -> list[str]:
        recorded.append(("preflight", sorted(skip), settings_module))
        return []

    def serve(host: str, port: int, workers: int, settings_module: str) -> int:
        recorded.append(("serve", host, port, workers, settings_module))
        return 0

    class Child:
        def __init__(self, argv: list[str]) -> None:
            self.argv = argv

        def terminate(self) -> None:
            recorded.append(("terminate", self.argv))

    def start_child(argv: list[str], settings_module: str) -> Child:
        recorded.append(("start", argv, settings_module))
        return Child(argv)

    monkeypatch.setattr(cli, "_run_child", run_child)
    monkeypatch.setattr(cli, "_run_step", run_step)
    monkeypatch.setattr(cli, "_preflight", preflight)
    monkeypatch.setattr(cli, "_start_child", start_child)
    monkeypatch.setattr(cli, "_serve", serve)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", TEST_SETTINGS)
    return recorded


def run_briefdesk(
    *args: str, tmp_path: Path, settings: str = TEST_SETTINGS, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environ.update({"BRIEFDESK_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": settings, **env})
    return subprocess.run(
        [str(BRIEFDESK), *args],
        env=environ,
        capture_output=True,
        # No terminal, as under systemd or a provisioning script: nothing may prompt.
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=300,
        check=False,
    )


def error_lines(stderr: str) -> list[str]:
    """Lines that report an error (argparse prints a usage line before its one error line)."""
    return [line for line in stderr.splitlines() if "error" in line.lower()]


# --- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "reason"),
    [
        ("abc", "argument --port: 'abc' is not a port number"),
        ("8.5", "argument --port: '8.5' is not a port number"),
        ("0", "argument --port: 0 is not between 1 and 65535"),
        ("70000", "argument --port: 70000 is not between 1 and 65535"),
    ],
)
def test_demo_with_a_bad_port_exits_2_with_a_one_line_reason(
    calls: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str], port: str, reason: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--port", port])

    assert exit_info.value.code == 2
    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"briefdesk demo: error: {reason}"]
    assert "Traceback" not in stderr
    assert calls == []


def test_serve_with_a_bad_port_exits_2(
    calls: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", "--port", "http"])

    assert exit_info.value.code == 2
    assert error_lines(capsys.readouterr().err) == [
        "briefdesk serve: error: argument --port: 'http' is not a port number"
    ]
    assert calls == []


def test_no_command_exits_2(calls: list[tuple[Any, ...]]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])

    assert exit_info.value.code == 2
    assert calls == []


def test_demo_migrates_loads_the_demo_if_empty_then_serves_on_localhost_with_the_scheduler(
    calls: list[tuple[Any, ...]],
) -> None:
    assert cli.main(["demo", "--port", "8123"]) == 0

    assert calls == [
        ("child", ["migrate", "--noinput"], TEST_SETTINGS),
        ("child", ["load_demo", "--if-empty"], TEST_SETTINGS),
        ("start", ["run_scheduler", "--links-at", "off"], TEST_SETTINGS),
        ("serve", "127.0.0.1", 8123, 1, TEST_SETTINGS),
        ("terminate", ["run_scheduler", "--links-at", "off"]),
    ]


def test_demo_stops_with_one_line_when_a_step_fails(
    calls: list[tuple[Any, ...]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli, "_run_child", lambda argv, settings_module: 3)

    assert cli.main(["demo"]) != 0

    assert capsys.readouterr().err.splitlines() == [
        "briefdesk: 'migrate --noinput' failed (exit 3)"
    ]
    assert calls == []


def test_serve_checks_collects_static_files_then_serves(calls: list[tuple[Any, ...]]) -> None:
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "3"]) == 0

    assert calls == [
        ("preflight", [], TEST_SETTINGS),
        ("child", ["collectstatic", "--noinput", "-v0"], TEST_SETTINGS),
        ("serve", "0.0.0.0", 9000, 3, TEST_SETTINGS),
    ]


def test_a_restart_skips_collectstatic_when_the_static_files_are_unchanged(
    calls: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve"]) == 0
    calls.clear()

    assert cli.main(["serve"]) == 0

    assert [call[0] for call in calls] == ["preflight", "serve"]
    assert "static files are current; collectstatic skipped" in capsys.readouterr().out


def test_serve_prints_every_problem_and_exits_1_before_collecting_or_serving(
    calls: list[tuple[Any, ...]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli, "_preflight", lambda settings_module, skip=(): ["one", "two"])

    assert cli.main(["serve"]) == 1

    assert capsys.readouterr().err.splitlines() == ["briefdesk: one", "briefdesk: two"]
    assert calls == []


def test_init_checks_migrates_builds_the_site_collects_and_creates_the_admin_in_order(
    calls: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["init", "--admin", "ada", "--admin-email", "ada@example.org"]

    assert cli.main(argv) == 0

    assert calls == [
        ("preflight", ["migrations", "site"], TEST_SETTINGS),
        ("step", ["migrate", "--noinput", "-v0"], TEST_SETTINGS),
        ("step", ["init_site"], TEST_SETTINGS),
        ("step", ["search_index", "--sync", "-v0"], TEST_SETTINGS),
        ("child", ["collectstatic", "--noinput", "-v0"], TEST_SETTINGS),
        ("step", ["create_admin", "ada", "--email", "ada@example.org"], TEST_SETTINGS),
    ]
    assert capsys.readouterr().out.splitlines()[-1] == "briefdesk: init done"


def test_init_stops_with_one_line_at_the_first_failing_step(
    calls: list[tuple[Any, ...]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run_step(argv: list[str], settings_module: str) -> str | None:
        calls.append(("step", argv))
        return "cannot connect to the database (db:5432): refused" if argv[0] == "migrate" else None

    monkeypatch.setattr(cli, "_run_step", run_step)

    assert cli.main(["init", "--admin", "ada", "--admin-email", "ada@example.org"]) != 0

    assert capsys.readouterr().err.splitlines() == [
        "briefdesk: init stopped at 'migrate': cannot connect to the database (db:5432): refused"
    ]
    assert [call[0] for call in calls] == ["preflight", "step"]


@pytest.mark.parametrize("half", [["--admin-email", "ada@example.org"], ["--admin", "ada"]])
def test_init_refuses_half_an_admin(calls: list[tuple[Any, ...]], half: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["init", *half])

    assert exit_info.value.code == 2
    assert calls == []


# --- the installed command ---------------------------------------------------------------


def test_manage_check_exits_0(tmp_path: Path) -> None:
    result = run_briefdesk("manage", "check", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_manage_with_an_unknown_option_exits_non_zero(tmp_path: Path) -> None:
    result = run_briefdesk("manage", "load_demo", "--bogus", tmp_path=tmp_path)

    assert result.returncode != 0
    assert error_lines(result.stderr) == [
        "briefdesk manage load_demo: error: unrecognized arguments: --bogus"
    ]
    assert "Traceback" not in result.stderr


def test_manage_with_a_bad_setting_exits_non_zero_with_a_one_line_reason(
    tmp_path: Path,
) -> None:
    result = run_briefdesk("manage", "check", tmp_path=tmp_path, DEBUG="perhaps")

    assert result.returncode != 0
    assert result.stderr.splitlines() == ["briefdesk: DEBUG must be true or false, not 'perhaps'"]


def test_serve_in_production_without_a_secret_key_exits_with_a_one_line_reason(
    tmp_path: Path,
) -> None:
    result = run_briefdesk(
        "serve", "--port", "8765", tmp_path=tmp_path, settings="briefdesk.settings.production"
    )

    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("briefdesk: ")
    assert "SECRET_KEY" in lines[0]
    assert "serving on" not in result.stdout


def test_serve_in_production_with_a_weak_secret_key_stops_before_serving(tmp_path: Path) -> None:
    result = run_briefdesk(
        "serve",
        "--port",
        "8766",
        tmp_path=tmp_path,
        settings="briefdesk.settings.production",
        SECRET_KEY="short-but-set",
        ALLOWED_HOSTS="briefs.example.org",
        DATABASE_URL=sqlite_url(tmp_path),
    )

    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if "briefdesk.E001" in line] == [
        f"briefdesk: SECRET_KEY has 13 characters; at least 50 are needed; generate one with: "
        f"{GENERATE_KEY} [briefdesk.E001]"
    ]
    assert "Traceback" not in result.stderr
    assert "serving on" not in result.stdout


def test_version_prints_the_installed_package_version(tmp_path: Path) -> None:
    result = run_briefdesk("--version", tmp_path=tmp_path)

    assert result.returncode == 0
    assert result.stdout == f"briefdesk {version('briefdesk')}\n"


def test_serve_with_an_unreachable_database_says_where_in_one_line_and_never_serves(
    tmp_path: Path,
) -> None:
    result = run_briefdesk(
        "serve",
        "--port",
        "8767",
        tmp_path=tmp_path,
        settings="briefdesk.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="briefs.example.org",
        # Port 1 on loopback: nothing listens there, so the connection is refused at once.
        DATABASE_URL="postgres://briefdesk:s3cret-pw@127.0.0.1:1/briefdesk",
    )

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("briefdesk: cannot connect to the database (127.0.0.1:1): ")
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "serving on" not in result.stdout


def test_migrate_against_an_unreachable_database_says_so_without_the_migrate_hint(
    tmp_path: Path,
) -> None:
    result = run_briefdesk(
        "manage", "migrate", tmp_path=tmp_path, DATABASE_URL="postgres://u:pw1234@127.0.0.1:1/x"
    )

    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("briefdesk: cannot connect to the database (127.0.0.1:1): ")
    assert "migrated" not in lines[0]
    assert "pw1234" not in lines[0]


def test_a_command_on_a_database_that_was_never_migrated_suggests_init(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()

    result = run_briefdesk(
        "manage", "publish_scheduled", tmp_path=tmp_path, DATABASE_URL=sqlite_url(tmp_path)
    )

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "briefdesk: database error: no such table: wagtailcore_page "
        "(is it migrated? run briefdesk init)"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("command", "hint"), [("publish_scheduled", True), ("migrate", False), ("check", True)]
)
def test_a_missing_table_suggests_migrating_except_during_migrate(command: str, hint: bool) -> None:
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError) as failed, transaction.atomic():
        connection.cursor().execute("SELECT * FROM briefdesk_no_such_table")

    message = cli._database_error(failed.value, command)

    assert message.startswith("database error: ")
    assert "briefdesk_no_such_table" in message
    assert message.endswith("(is it migrated? run briefdesk init)") is hint


def test_a_data_dir_that_cannot_be_created_is_one_line_from_check_serve_and_migrate(
    tmp_path: Path,
) -> None:
    # A data dir whose parent is a regular file: it cannot be created, even by root (the
    # tests run as root, for whom a chmod 555 directory is still writable).
    (tmp_path / "a-file").write_text("not a directory")
    data_dir = tmp_path / "a-file" / "data"
    production = {
        "settings": "briefdesk.settings.production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "briefs.example.org",
        "DATABASE_URL": "sqlite:///briefdesk.sqlite3",
    }
    reason = f"cannot create the data dir (BRIEFDESK_DATA_DIR) {data_dir}: Not a directory"

    check = run_briefdesk(
        "check", tmp_path=tmp_path, BRIEFDESK_DATA_DIR=str(data_dir), **production
    )
    serve = run_briefdesk(
        "serve", tmp_path=tmp_path, BRIEFDESK_DATA_DIR=str(data_dir), **production
    )
    migrate = run_briefdesk(
        "manage", "migrate", tmp_path=tmp_path, BRIEFDESK_DATA_DIR=str(data_dir), **production
    )

    for result in (check, serve):
        assert result.returncode == 1
        assert f"briefdesk: {reason}" in result.stderr.splitlines()
        assert all(line.startswith("briefdesk: ") for line in result.stderr.splitlines())
    assert "serving on" not in serve.stdout
    assert migrate.returncode != 0
    assert migrate.stderr.splitlines() == [f"briefdesk: cannot write {data_dir}: Not a directory"]


def test_check_names_a_missing_citeproc_js_and_how_to_install_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "citeproc_commonjs.js"

    result = run_briefdesk(
        "check",
        tmp_path=tmp_path,
        BRIEFDESK_CITEPROC_JS=str(missing),
        DATABASE_URL=sqlite_url(tmp_path),
    )

    assert result.returncode == 1
    # (The database has not been made either: that is another line.)
    assert (
        f"briefdesk: citeproc-js not found at {missing}: run `npm ci --omit=dev` in the "
        "checkout, or set BRIEFDESK_CITEPROC_JS to its citeproc_commonjs.js [briefdesk.E003]"
    ) in result.stderr.splitlines()
    assert all(line.startswith("briefdesk: ") for line in result.stderr.splitlines())


def test_init_on_an_empty_data_dir_builds_a_site_check_passes_and_a_failing_step_is_one_line(
    tmp_path: Path,
) -> None:
    # The dev settings keep static files in the data dir (the test settings make a new
    # temporary STATIC_ROOT in each process).
    env = {"settings": "briefdesk.settings.dev", "DATABASE_URL": sqlite_url(tmp_path)}
    data_dir = tmp_path / "new" / "data"
    assert not data_dir.exists()

    # No terminal and no password: every step before the admin is done, then one line.
    first = run_briefdesk(
        "init", "--admin", "admin", "--admin-email", "admin@example.org", tmp_path=data_dir, **env
    )
    check = run_briefdesk("check", tmp_path=data_dir, **env)

    assert first.returncode == 2, first.stderr
    assert [line for line in first.stdout.splitlines() if line.startswith("briefdesk: ")] == [
        f"briefdesk: data dir {data_dir} ready",
        "briefdesk: checks passed (database, storage, system checks)",
        "briefdesk: database migrated",
        "briefdesk: site initialised",
        "briefdesk: search index ready",
        "briefdesk: static files collected",
    ]
    stderr = first.stderr.splitlines()
    assert len(stderr) == 1, first.stderr
    assert stderr[0].startswith("briefdesk: init stopped at 'create_admin': ")
    assert (Path(env["DATABASE_URL"].removeprefix("sqlite:///"))).is_file()
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines() == [
        "briefdesk: ready to serve (database, migrations, site, storage, system checks)"
    ]


def test_briefdesk_help_lists_every_verb_it_answers() -> None:
    helped = cli._parser().format_help()
    listed = helped.split("{", 1)[1].split("}", 1)[0].split(",")
    assert set(cli.COMMAND_VERBS) <= set(listed)

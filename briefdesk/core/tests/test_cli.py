"""The `briefdesk` command (briefdesk.cli.main): bad input ends in one line and a non-zero
exit, never a traceback; good input runs the right steps in the right order.

Parsing is tested in-process with the child processes and the server stubbed out; the
installed console script is run for real where settings and Django's own parser matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from briefdesk import cli

BRIEFDESK = Path(sys.executable).with_name("briefdesk")
TEST_SETTINGS = "briefdesk.settings.test"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Stub the child processes and the server; record what main() asked of them."""
    recorded: list[tuple[Any, ...]] = []
    # `demo` sets BRIEFDESK_BASE_URL for its children; undo it after the test.
    monkeypatch.setenv("BRIEFDESK_BASE_URL", "unset")
    monkeypatch.delenv("BRIEFDESK_BASE_URL")

    def run_child(argv: list[str], settings_module: str) -> int:
        recorded.append(("child", argv, settings_module))
        return 0

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
    monkeypatch.setattr(cli, "_start_child", start_child)
    monkeypatch.setattr(cli, "_serve", serve)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", TEST_SETTINGS)
    return recorded


def run_briefdesk(
    *args: str, tmp_path: Path, settings: str = TEST_SETTINGS, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environ.update(BRIEFDESK_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE=settings, **env)
    return subprocess.run(
        [str(BRIEFDESK), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
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
        ("start", ["run_scheduler"], TEST_SETTINGS),
        ("serve", "127.0.0.1", 8123, 1, TEST_SETTINGS),
        ("terminate", ["run_scheduler"]),
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


def test_serve_collects_static_files_then_serves(calls: list[tuple[Any, ...]]) -> None:
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "3"]) == 0

    assert calls == [
        ("child", ["check", "--fail-level", "ERROR"], TEST_SETTINGS),
        ("child", ["collectstatic", "--noinput", "-v0"], TEST_SETTINGS),
        ("serve", "0.0.0.0", 9000, 3, TEST_SETTINGS),
    ]


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
    )

    assert result.returncode != 0
    assert "briefdesk.E001" in result.stderr
    assert result.stderr.splitlines()[-1] == "briefdesk: 'check --fail-level ERROR' failed (exit 1)"
    assert "serving on" not in result.stdout

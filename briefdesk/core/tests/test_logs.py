"""Logs: every line has a time with its zone, a level, the request id and the logger; one
access line per request (no query string); a bad Host header is one warning; LOG_FORMAT=json
gives one JSON object per line; bad LOG_* values stop start-up in one line."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from briefdesk.core.logs import JsonFormatter, RequestIdFilter

from .ops_servers import PYTHON, ROOT, briefdesk_server, clean_env, run_briefdesk

LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"\[(-|[0-9a-f]{32}|[0-9a-f-]{36})\] [\w.]+: \S.*$"
)
ACCESS = re.compile(r"briefdesk\.access: (\S+) (\S+) (\d{3}) (\d+)ms (\d+B|-)$")


def test_a_real_server_writes_every_line_with_time_level_request_id_and_logger(
    tmp_path: Path,
) -> None:
    given_id = uuid.uuid4().hex
    with briefdesk_server(tmp_path) as server:
        ok_status, ok_headers, ok_body = server.get(
            "/healthz?token=s3cret-reset-token", **{"X-Request-ID": given_id}
        )
        _, invalid_headers, _ = server.get("/healthz", **{"X-Request-ID": "x; rm -rf /"})
        bad_host_status, _, _ = server.get("/briefs/", Host="evil.example")
        stderr = server.stderr()

    assert ok_status == 200, ok_body
    assert ok_headers["X-Request-ID"] == given_id
    generated = invalid_headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert bad_host_status == 400

    lines = stderr.splitlines()
    assert lines, "the server wrote nothing to stderr"
    assert [line for line in lines if not LINE.match(line)] == []
    access = [line for line in lines if ACCESS.search(line)]
    assert f"[{given_id}] briefdesk.access: GET /healthz 200 " in access[0]
    assert access[0].endswith("B")
    assert f"[{generated}] briefdesk.access: GET /healthz 200 " in access[1]
    assert "briefdesk.access: GET /briefs/ 400 " in access[2]
    assert "s3cret" not in stderr  # the query string is not logged
    # A bad Host: one warning line, no traceback, nothing at ERROR.
    host_lines = [line for line in lines if "django.security.DisallowedHost" in line]
    assert len(host_lines) == 1
    assert " WARNING " in host_lines[0] and "evil.example" in host_lines[0]
    assert "Traceback" not in stderr and " ERROR " not in stderr
    # Lines outside a request (the server's own) say "-".
    assert any(" INFO [-] _granian" in line for line in lines)


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh process with the test settings and only `env` configured."""
    return subprocess.run(
        [str(PYTHON), "-c", code],
        env=clean_env(
            **{
                "DJANGO_SETTINGS_MODULE": "briefdesk.settings.test",
                "BRIEFDESK_DATA_DIR": str(tmp_path),
                **env,
            }
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


REQUEST_THEN_LOG = (
    "import logging, django; django.setup(); from django.test import Client; "
    "Client().get('/healthz', HTTP_X_REQUEST_ID='{rid}'); "
    "logging.getLogger('briefdesk.after').warning('after the request')"
)


def test_log_format_json_writes_one_json_object_per_line(tmp_path: Path) -> None:
    rid = uuid.uuid4().hex
    result = run_python(REQUEST_THEN_LOG.format(rid=rid), tmp_path, LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    access = next(e for e in entries if e["logger"] == "briefdesk.access")
    assert access["request_id"] == rid
    assert access["level"] == "INFO"
    assert access["message"].startswith("GET /healthz 200 ")
    assert (access["method"], access["path"], access["status"]) == ("GET", "/healthz", 200)
    assert isinstance(access["duration_ms"], int) and access["bytes"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", access["time"])
    # The same thread after the request: no request id.
    after = next(e for e in entries if e["logger"] == "briefdesk.after")
    assert (after["request_id"], after["level"]) == ("-", "WARNING")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be text or json, not 'xml'"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("LOG_ACCESS", "maybe", "LOG_ACCESS must be true or false, not 'maybe'"),
    ],
)
def test_a_bad_log_setting_stops_a_command_in_one_line(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = clean_env(
        DJANGO_SETTINGS_MODULE="briefdesk.settings.dev",
        BRIEFDESK_DATA_DIR=str(tmp_path),
        **{variable: value},
    )
    result = run_briefdesk("manage", "check", env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


# --- in this process: the real middleware stack through the test client -------------------


@pytest.fixture
def access_lines() -> Iterator[list[logging.LogRecord]]:
    """Records of briefdesk.access, as the console handler's filter sees them."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("briefdesk.access")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_each_request_is_one_access_line_with_its_request_id(
    access_lines: list[logging.LogRecord],
) -> None:
    rid = str(uuid.uuid4())
    response = Client().get(reverse("healthz"), HTTP_X_REQUEST_ID=rid)

    assert response["X-Request-ID"] == rid
    assert len(access_lines) == 1
    record = access_lines[0]
    assert record.request_id == rid  # type: ignore[attr-defined]
    assert record.levelno == logging.INFO
    assert re.fullmatch(r"GET /healthz 200 \d+ms \d+B", record.getMessage())
    assert json.loads(JsonFormatter().format(record))["status"] == 200


@pytest.mark.django_db
def test_a_path_with_a_line_break_is_logged_on_one_line(
    access_lines: list[logging.LogRecord],
) -> None:
    Client().get("/briefs/a%0Afake%20INFO%20line/")

    assert [r.getMessage().split(" ")[1] for r in access_lines] == [
        "/briefs/a%0Afake%20INFO%20line/"
    ]


@pytest.mark.django_db
def test_log_access_false_turns_the_access_log_off(access_lines: list[logging.LogRecord]) -> None:
    with override_settings(LOG_ACCESS=False):
        response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert access_lines == []


@pytest.mark.django_db
def test_a_bad_host_header_is_a_400_and_one_warning_without_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with override_settings(ALLOWED_HOSTS=["briefs.example.org"]), caplog.at_level(logging.INFO):
        response = Client().get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    host = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(host) == 1
    assert (host[0].levelname, host[0].exc_info, host[0].exc_text) == ("WARNING", None, None)
    assert "evil.example" in host[0].getMessage()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


def test_the_json_formatter_keeps_a_traceback_inside_the_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("briefdesk.test").makeRecord(
            "briefdesk.test", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info()
        )
    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: x"
    assert "ValueError: boom" in entry["exception"]
    assert entry["request_id"] == "-"

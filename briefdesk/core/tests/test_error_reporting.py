"""Error reporting: with SENTRY_DSN set, an unhandled error in a view reaches the Sentry
endpoint (here a real HTTP server on 127.0.0.1) with its exception type and no cookies; a bad
Host header is not reported; a DSN without sentry-sdk installed, a bad DSN or a bad sample rate
stops start-up in one line. Each case runs in its own process: the SDK's state is global."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from .ops_servers import PYTHON, ROOT, clean_env, run_briefdesk, sentry_ingest

PROBE_URLS = """
from django.urls import path


class BriefdeskProbeError(Exception):
    pass


def boom(request):
    raise BriefdeskProbeError("the probe failed on purpose")


urlpatterns = [path("boom/", boom)]
"""

REQUESTS = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {probe_dir!r})
    import django
    django.setup()
    from django.test import Client, override_settings
    import sentry_sdk

    with override_settings(ROOT_URLCONF="probe_urls", ALLOWED_HOSTS=["127.0.0.1"]):
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "cookie-that-stays-here"
        print(client.get("/boom/", HTTP_HOST="evil.example").status_code)
        print(client.get("/boom/", HTTP_HOST="127.0.0.1").status_code)
    sentry_sdk.flush(timeout=10)
    """
)


def test_an_error_in_a_view_reaches_the_sentry_endpoint_without_personal_data(
    tmp_path: Path,
) -> None:
    (tmp_path / "probe_urls.py").write_text(PROBE_URLS)
    with sentry_ingest() as ingest:
        result = subprocess.run(
            [str(PYTHON), "-c", REQUESTS.format(probe_dir=str(tmp_path))],
            env=clean_env(
                DJANGO_SETTINGS_MODULE="briefdesk.settings.test",
                BRIEFDESK_DATA_DIR=str(tmp_path),
                SENTRY_DSN=ingest.dsn,
                SENTRY_ENVIRONMENT="loopback",
            ),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        envelopes = [e.decode("utf-8", "replace") for e in ingest.envelopes]

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["400", "500"]
    events = [e for e in envelopes if '"type":"event"' in e.replace(" ", "")]
    # One report: the error in the view. The bad Host before it was a warning, not a report.
    assert len(events) == 1, envelopes
    event = events[0]
    assert "BriefdeskProbeError" in event and "the probe failed on purpose" in event
    assert '"environment":"loopback"' in event.replace(" ", "")
    assert "cookie-that-stays-here" not in event


def test_a_dsn_without_sentry_sdk_installed_stops_start_up_in_one_line(tmp_path: Path) -> None:
    # An importable name that fails as a missing package does: a lean install without the
    # [sentry] extra.
    shadow = tmp_path / "shadow" / "sentry_sdk"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError(\"No module named 'sentry_sdk'\")\n")
    env = clean_env(
        DJANGO_SETTINGS_MODULE="briefdesk.settings.dev",
        BRIEFDESK_DATA_DIR=str(tmp_path),
        SENTRY_DSN="https://public@sentry.example.org/1",
    )
    env["PYTHONPATH"] = ":".join(filter(None, [str(shadow.parent), env.get("PYTHONPATH")]))
    result = run_briefdesk("manage", "check", env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert result.stderr == (
        "briefdesk: SENTRY_DSN is set but sentry-sdk is not installed: "
        "pip install 'briefdesk[sentry]'\n"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SENTRY_DSN": "sentry.example.org/1"}, "SENTRY_DSN is not a valid DSN"),
        (
            {"SENTRY_DSN": "https://public@sentry.example.org/1", "SENTRY_TRACES_SAMPLE_RATE": "5"},
            "SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1, not '5'",
        ),
    ],
)
def test_a_bad_sentry_setting_stops_start_up_in_one_line(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = run_briefdesk(
        "manage",
        "check",
        env=clean_env(
            DJANGO_SETTINGS_MODULE="briefdesk.settings.dev", BRIEFDESK_DATA_DIR=str(tmp_path), **env
        ),
        cwd=tmp_path,
    )

    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr

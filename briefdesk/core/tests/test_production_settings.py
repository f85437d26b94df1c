"""Production settings: `check --deploy` is clean with a good key, HTTPS and HSTS are on by default
with documented switches, and the secret key check refuses weak or committed keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from briefdesk.core.checks import GENERATE_KEY, check_secret_key, secret_key_problem
from briefdesk.settings.keys import DEV_SECRET_KEY, TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "kq3V9x_Wm2-Lr8TzYb4NcHs7PdJf6GaUeQw1XoRi5Ml0Ek-Zt2Cy9Bv3Nu7Hp4Sj"
PRODUCTION = "briefdesk.settings.production"


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh process with production settings and only the given configuration (SQLite in
    `tmp_path`, named on purpose, unless `env` says otherwise)."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("SECRET_KEY", "SECURE_", "CSRF_", "BRIEFDESK_", "DEBUG", "ALLOWED", "DATABASE_URL")
        )
        # The test run sets it for Playwright; a deployment must not (async.E001).
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, *args],
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": PRODUCTION,
            "BRIEFDESK_DATA_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "briefs.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'briefdesk.sqlite3'}",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run(
        ["-m", "briefdesk.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **env,
    )


def test_check_deploy_is_clean_with_a_generated_key(tmp_path: Path) -> None:
    result = deploy_check(tmp_path, SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", ["short", DEV_SECRET_KEY])
def test_check_deploy_fails_on_a_weak_key_saying_how_to_make_one(tmp_path: Path, key: str) -> None:
    result = deploy_check(tmp_path, SECRET_KEY=key)
    assert result.returncode != 0
    assert "briefdesk.E001" in result.stderr
    assert GENERATE_KEY in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_database_url_in_one_line(tmp_path: Path) -> None:
    result = run(
        ["-m", "briefdesk.cli", "manage", "check"], tmp_path, SECRET_KEY=GOOD_KEY, DATABASE_URL=""
    )

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "briefdesk: production needs DATABASE_URL; set "
        "DATABASE_URL=sqlite:////abs/path.sqlite3 to use SQLite on purpose"
    ]
    assert not (tmp_path / "briefdesk.sqlite3").exists()


PRINT_SETTINGS = (
    "import json, django; from django.conf import settings as s; print(json.dumps({k: "
    "getattr(s, k) for k in ('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'CSRF_TRUSTED_ORIGINS', 'X_FRAME_OPTIONS')}))"
)


def production_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    result = run(["-c", PRINT_SETTINGS], tmp_path, SECRET_KEY=GOOD_KEY, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_defaults_to_https_with_a_year_of_hsts(tmp_path: Path) -> None:
    settings = production_settings(tmp_path, BRIEFDESK_BASE_URL="https://briefs.example.org/x/")
    assert settings == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_TRUSTED_ORIGINS": ["https://briefs.example.org"],
        "X_FRAME_OPTIONS": "DENY",
    }


def test_each_https_setting_can_be_switched_off_for_plain_http_trials(tmp_path: Path) -> None:
    settings = production_settings(
        tmp_path,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        CSRF_TRUSTED_ORIGINS="https://a.example,https://b.example",
    )
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SESSION_COOKIE_SECURE"] is settings["CSRF_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is settings["SECURE_HSTS_PRELOAD"] is False
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (GOOD_KEY, None),
        ("a" * 49 + "bcdef", None),
        ("x" * 49, "has 49 characters"),
        ("ab" * 40, "fewer than 5 distinct"),
        ("django-insecure-" + GOOD_KEY, "django-insecure-"),
        (DEV_SECRET_KEY, "development/test default"),
        (TEST_SECRET_KEY, "development/test default"),
        ("", "has 0 characters"),
    ],
)
def test_secret_key_rules(key: str, problem: str | None) -> None:
    found = secret_key_problem(key)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("debug", "test_settings", "errors"),
    [(False, False, ["briefdesk.E001"]), (True, False, []), (False, True, [])],
)
def test_the_key_check_applies_whenever_debug_is_off_outside_the_test_settings(
    debug: bool, test_settings: bool, errors: list[str]
) -> None:
    with override_settings(
        DEBUG=debug, BRIEFDESK_TEST_SETTINGS=test_settings, SECRET_KEY=TEST_SECRET_KEY
    ):
        assert [e.id for e in check_secret_key()] == errors

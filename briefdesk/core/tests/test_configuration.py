"""Configuration in one place: the env file, the data directory and DATABASE_URL.

The rules are tested as plain functions (settings/paths.py, settings/database.py); what a
process sees (a cron job from /, a missing env file, a malformed URL) is tested by running
the installed `briefdesk` command with only the environment a deployment would give it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from briefdesk.settings.database import database_from_url, masked
from briefdesk.settings.paths import INSTALLED_DATA_DIR, PROJECT_DIR, data_dir

BRIEFDESK = Path(sys.executable).with_name("briefdesk")
GOOD_KEY = "kq3V9x_Wm2-Lr8TzYb4NcHs7PdJf6GaUeQw1XoRi5Ml0Ek-Zt2Cy9Bv3Nu7Hp4Sj"
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'module': s.SETTINGS_MODULE, 'data_dir': str(s.DATA_DIR), "
    "'media': str(s.MEDIA_ROOT), 'database': s.DATABASES['default']['NAME'], "
    "'site_name': s.WAGTAIL_SITE_NAME})); "
    "from django.db import connection; connection.ensure_connection()"
)


def settings_printed(stdout: str) -> dict[str, str]:
    # The shell prints how many objects it imported before the command's own output.
    return json.loads(stdout.strip().splitlines()[-1])


def bare_run(*args: str, cwd: str = "/", **env: str) -> Any:
    """The command with nothing but PATH and `env`: what cron or a unit file without
    Environment= lines would give it."""
    import subprocess

    return subprocess.run(
        [str(BRIEFDESK), *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --- the data directory ------------------------------------------------------------------


CHECKOUT = Path("/srv/briefdesk/app")


@pytest.mark.parametrize(
    ("value", "checkout", "expected"),
    [
        (None, CHECKOUT, CHECKOUT / "var"),
        ("", CHECKOUT, CHECKOUT / "var"),
        (None, None, INSTALLED_DATA_DIR),
        ("/data/briefdesk", None, Path("/data/briefdesk")),
        ("/data/briefdesk/", CHECKOUT, Path("/data/briefdesk")),
        ("var/site-a", CHECKOUT, CHECKOUT / "var/site-a"),
        ("../site-data", CHECKOUT, Path("/srv/briefdesk/site-data")),
    ],
)
def test_the_data_dir_is_fixed_by_the_checkout_or_the_install_never_the_working_directory(
    value: str | None, checkout: Path | None, expected: Path
) -> None:
    assert data_dir(value, checkout) == expected


def test_a_relative_data_dir_outside_a_checkout_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="BRIEFDESK_DATA_DIR=var is relative"):
        data_dir("var", None)


def test_this_checkout_is_recognised_as_one() -> None:
    assert data_dir(None, PROJECT_DIR) == PROJECT_DIR / "var"
    assert (PROJECT_DIR / "pyproject.toml").is_file()


# --- DATABASE_URL ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "engine", "name", "options"),
    [
        (
            "postgres://bd:pw@db.internal:5433/briefdesk",
            "django.db.backends.postgresql",
            "briefdesk",
            {"connect_timeout": 5},
        ),
        (
            "postgresql://bd@db/briefdesk?connect_timeout=2",
            "django.db.backends.postgresql",
            "briefdesk",
            {"connect_timeout": 2},
        ),
        (
            "sqlite:////var/lib/briefdesk/site.sqlite3",
            "django.db.backends.sqlite3",
            "/var/lib/briefdesk/site.sqlite3",
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        ),
        (
            "sqlite:///site.sqlite3",
            "django.db.backends.sqlite3",
            "/data/site.sqlite3",
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        ),
    ],
)
def test_a_database_url_gives_the_engine_name_and_options(
    url: str, engine: str, name: str, options: dict[str, Any]
) -> None:
    config = database_from_url(url, data_dir=Path("/data"), conn_max_age=60)

    assert (config["ENGINE"], config["NAME"], config["OPTIONS"]) == (engine, name, options)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("nonsense", "DATABASE_URL is not a database URL: 'nonsense'"),
        ("postgres://bd:hunter22@db:port/briefdesk", "'postgres://bd:***@db:port/briefdesk'"),
        ("postgres//bd:hunter22@db/briefdesk", "is not a database URL"),
        ("postgres://bd:hunter22@db:5432", "names no database"),
        ("mysql://bd:hunter22@db/briefdesk", "briefdesk supports: mysql://"),
    ],
)
def test_a_malformed_database_url_is_refused_without_its_password(url: str, reason: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        database_from_url(url, data_dir=Path("/data"), conn_max_age=60)

    assert reason in str(refused.value)
    assert "hunter22" not in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgres://bd:pa:ss@db:5432/x", "postgres://bd:***@db:5432/x"),
        ("postgres://bd:pa/s@s@db/x", "postgres://bd:***@db/x"),
        ("postgres//bd:hunter22@db/x", "postgres//bd:***@db/x"),
        ("postgres://bd@db/x", "postgres://bd@db/x"),
        ("sqlite:////srv/data@2/x.sqlite3", "sqlite:////srv/data@2/x.sqlite3"),
    ],
)
def test_masking_hides_only_the_password(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_a_malformed_database_url_stops_the_command_in_one_line(tmp_path: Path) -> None:
    result = bare_run(
        "manage",
        "check",
        BRIEFDESK_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://bd:hunter22@db:port/briefdesk",
    )

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "briefdesk: DATABASE_URL is not a database URL: 'postgres://bd:***@db:port/briefdesk' "
        "(expected postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:////ABSOLUTE/PATH)"
    ]


# --- the env file ------------------------------------------------------------------------


def write_env_file(path: Path, **values: str) -> Path:
    path.write_text(
        "# briefdesk configuration, as systemd's EnvironmentFile= reads it\n"
        + "".join(f"{key}={value}\n" for key, value in values.items()),
        encoding="utf-8",
    )
    return path


def test_a_cron_job_from_root_with_only_the_env_file_uses_its_data_dir_and_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "db" / "site.sqlite3"
    database.parent.mkdir()
    env_file = write_env_file(
        tmp_path / "briefdesk.env",
        DJANGO_SETTINGS_MODULE="briefdesk.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="briefs.example.org",
        BRIEFDESK_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{database}",
        BRIEFDESK_SITE_NAME="'Policy Briefs'",
    )
    # Where the working directory (/) used to put the data.
    stray = [Path("/var/briefdesk.sqlite3"), Path("/var/media"), Path("/var/lib/briefdesk")]
    assert not any(path.exists() for path in stray)

    result = bare_run("manage", "shell", "-c", PRINT_SETTINGS, BRIEFDESK_ENV_FILE=str(env_file))

    assert result.returncode == 0, result.stderr
    assert settings_printed(result.stdout) == {
        "module": "briefdesk.settings.production",
        "data_dir": str(tmp_path / "data"),
        "media": str(tmp_path / "data" / "media"),
        "database": str(database),
        "site_name": "Policy Briefs",
    }
    assert database.is_file()
    assert not any(path.exists() for path in stray)


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env_file = write_env_file(
        tmp_path / "briefdesk.env",
        BRIEFDESK_DATA_DIR=str(tmp_path / "from-file"),
        BRIEFDESK_SITE_NAME="From the file",
        DATABASE_URL=f"sqlite:///{tmp_path / 'file.sqlite3'}",
    )

    result = bare_run(
        "manage",
        "shell",
        "-c",
        PRINT_SETTINGS,
        BRIEFDESK_ENV_FILE=str(env_file),
        BRIEFDESK_SITE_NAME="From the environment",
        DJANGO_SETTINGS_MODULE="briefdesk.settings.dev",
    )

    assert result.returncode == 0, result.stderr
    settings = settings_printed(result.stdout)
    assert settings["site_name"] == "From the environment"
    assert settings["data_dir"] == str(tmp_path / "from-file")


def test_a_named_env_file_that_does_not_exist_stops_every_command_in_one_line(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "briefdesk.env"

    for args in (["serve"], ["manage", "check"], ["check"]):
        result = bare_run(*args, BRIEFDESK_ENV_FILE=str(missing))

        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            f"briefdesk: BRIEFDESK_ENV_FILE={missing} does not exist or is not a file"
        ]


def test_the_version_needs_no_configuration(tmp_path: Path) -> None:
    result = bare_run("--version", BRIEFDESK_ENV_FILE=str(tmp_path / "missing.env"))

    assert result.returncode == 0
    assert result.stdout.startswith("briefdesk ")

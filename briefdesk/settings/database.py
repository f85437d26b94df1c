"""DATABASES from DATABASE_URL: PostgreSQL or SQLite, checked here so a bad URL is one line.

    DATABASES = {"default": database_from_url(url, data_dir=DATA_DIR, conn_max_age=60)}

A URL that does not parse, names another engine or has no database name raises
ImproperlyConfigured with the URL's password masked. A relative SQLite path resolves against
the data directory (the working directory of a cron job is /). Nothing touches the disk.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"
# Seconds to wait for PostgreSQL to answer a connection: a dead server must fail `serve` and
# each request in seconds, not after the operating system's TCP timeout (minutes).
CONNECT_TIMEOUT = 5

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/*")


def masked(url: str) -> str:
    """The URL with any password replaced by ***, fit for an error message or a log.

    Written for malformed URLs too (that is when it is needed): whatever lies between the
    first colon after the scheme and the last @ is taken for a password.
    """
    at = url.rfind("@")
    if at < 0:
        return url
    scheme = _SCHEME.match(url)
    start = scheme.end() if scheme else 0
    userinfo = url[start:at]
    if ":" not in userinfo:
        return url
    return f"{url[:start]}{userinfo.split(':', 1)[0]}:***{url[at:]}"


def database_from_url(url: str, *, data_dir: Path, conn_max_age: int) -> dict[str, Any]:
    """Django's database settings for `url` (postgres://… or sqlite:///…)."""
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
        )
    except (ValueError, dj_database_url.UnknownSchemeError):
        # ParseError (a ValueError) and UnknownSchemeError: their text repeats the scheme list
        # or nothing useful; say what was wrong in the operator's terms.
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL: {masked(url)!r} "
            "(expected postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:////ABSOLUTE/PATH)"
        ) from None
    engine = config.get("ENGINE")
    if engine not in {SQLITE, POSTGRESQL}:
        scheme = url.split(":", 1)[0]
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL briefdesk supports: {scheme}:// "
            "(use postgres:// or sqlite://)"
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL: {masked(url)!r} names no database"
        )
    if engine == SQLITE:
        name = str(config["NAME"])
        if name != ":memory:" and not name.startswith("file:") and not Path(name).is_absolute():
            config["NAME"] = str(data_dir / name)
        # Kept open between requests like PostgreSQL's (CONN_MAX_AGE): opening a connection
        # and setting it up costs about 2 ms of a page's render.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            **config.get("OPTIONS", {}),
        }
    else:
        config["OPTIONS"] = {"connect_timeout": CONNECT_TIMEOUT, **config.get("OPTIONS", {})}
    return config


def replica_databases(urls: list[str], *, data_dir: Path, conn_max_age: int) -> dict[str, Any]:
    """Read-only aliases "replica1", "replica2"… for DATABASE_REPLICA_URLS (comma-separated),
    which briefdesk.core.dbrouter sends safe reads to. Each must be PostgreSQL, like the
    primary: a streaming replica of it. Tests never create them (they mirror the primary).
    """
    replicas: dict[str, Any] = {}
    for number, url in enumerate(urls, start=1):
        try:
            config = database_from_url(url, data_dir=data_dir, conn_max_age=conn_max_age)
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(
                str(exc).replace("DATABASE_URL", f"DATABASE_REPLICA_URLS (number {number})", 1)
            ) from None
        if config["ENGINE"] != POSTGRESQL:
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS (number {number}) is not PostgreSQL: {masked(url)!r} "
                "(a replica is a streaming replica of a PostgreSQL primary)"
            )
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica{number}"] = config
    return replicas

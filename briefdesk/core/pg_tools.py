"""PostgreSQL's own tools for backups: pg_dump and pg_restore, found and run safely.

    tool = find_pg_tool("pg_dump", server_major)          # newest on PATH or in Debian's dirs
    run_pg_dump(settings_dict, server_major, handle)      # custom format into an open file
    run_pg_restore(settings_dict, dump_tool, dump_path)   # one transaction, as any role

The connection comes from Django's database settings through libpq's environment variables;
the password goes into a temporary 0600 passfile (PGPASSFILE), never onto a command line,
where any user could read it in `ps`. Errors are BackupError with one line for the operator.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .backup_errors import BackupError

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_PG_TOOL_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
# DATABASES OPTIONS that libpq also reads from the environment.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


@dataclass(frozen=True)
class PgTool:
    path: Path
    major: int
    version: str  # "15.18"


def pg_tool_version(path: Path) -> tuple[int, str] | None:
    """(major, "major.minor") from `path --version`, None when it does not run or answer."""
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError:
        return None
    match = _PG_TOOL_VERSION.search(out)
    if not match:
        return None
    major = int(match.group(1))
    return major, f"{major}.{match.group(2)}" if match.group(2) else str(major)


def find_pg_tool(name: str, needed_major: int, *, search: list[Path] | None = None) -> PgTool:
    """The newest `name` (pg_dump, pg_restore) on PATH or in /usr/lib/postgresql/*/bin.

    Raises BackupError when there is none, or when the newest is older than `needed_major`
    (pg_dump refuses a newer server; pg_restore cannot read a newer pg_dump's archive).
    `search` replaces PATH and the Debian directories (for tests).
    """
    if search is None:
        candidates = [Path(p) for p in [shutil.which(name)] if p]
        candidates += [Path(d) / name for d in glob.glob(PG_BIN_GLOB)]
    else:
        candidates = [d / name for d in search]
    found = []
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            version = pg_tool_version(path)
            if version:
                found.append(PgTool(path, version[0], version[1]))
    if not found:
        raise BackupError(
            f"{name} not found on PATH or in {PG_BIN_GLOB}: install the PostgreSQL client "
            f"(Debian: apt install postgresql-client-{needed_major})"
        )
    newest = max(found, key=lambda tool: tool.major)
    if newest.major < needed_major:
        raise BackupError(
            f"{name} {newest.version} ({newest.path}) is older than PostgreSQL {needed_major}: "
            f"install postgresql-client-{needed_major} or newer"
        )
    return newest


def _passfile_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def pg_environment(settings: Mapping[str, Any], secrets_dir: Path) -> dict[str, str]:
    """libpq environment variables for Django's database `settings` (HOST, PORT, USER, NAME,
    PASSWORD, OPTIONS). The password goes into a 0600 passfile in `secrets_dir` (PGPASSFILE),
    never into an argument or a variable: other users can read a command line in `ps`."""
    env = {
        "PGHOST": str(settings.get("HOST") or ""),
        "PGPORT": str(settings.get("PORT") or ""),
        "PGUSER": str(settings.get("USER") or ""),
        "PGDATABASE": str(settings.get("NAME") or ""),
    }
    env = {key: value for key, value in env.items() if value}
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (settings.get("OPTIONS") or {}).get(option)
        if value not in (None, ""):
            env[variable] = str(value)
    password = settings.get("PASSWORD")
    if password:
        passfile = secrets_dir / "pgpass"
        fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"*:*:*:*:{_passfile_escape(str(password))}\n")
        env["PGPASSFILE"] = str(passfile)
    return env


def _child_env(pg_env: Mapping[str, str]) -> dict[str, str]:
    # The caller's PG* variables (a PGPASSWORD of its own, another PGDATABASE) must not
    # redirect the tools away from the settings.
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return {**base, **pg_env}


def pg_dump_command(tool: Path) -> list[str]:
    """pg_dump's arguments: the connection (and password) come from the environment."""
    return [str(tool), "--format=custom", "--no-owner", "--no-privileges"]


def _conninfo_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pg_restore_command(tool: Path, dump: Path, database: str) -> list[str]:
    """pg_restore's arguments: into `database` (a name, never a URL with a password), as
    whatever role connects, in one transaction that rolls back at the first error."""
    return [
        str(tool),
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname=dbname={_conninfo_quote(database)}",
        str(dump),
    ]


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower():
            return line
    return lines[0] if lines else "no message"


def run_pg_dump(settings: Mapping[str, Any], server_major: int, handle: IO[bytes]) -> str:
    """Dump the database of `settings` into `handle` (custom format); returns the tool's name
    and version for the manifest ("pg_dump 15.18")."""
    tool = find_pg_tool("pg_dump", server_major)
    with tempfile.TemporaryDirectory(prefix="briefdesk-pg-") as secrets:
        env = _child_env(pg_environment(settings, Path(secrets)))
        result = subprocess.run(
            pg_dump_command(tool.path),
            stdout=handle,
            stderr=subprocess.PIPE,
            env=env,
            text=False,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {_first_error(result.stderr.decode(errors='replace'))}")
    return f"pg_dump {tool.version}"


def run_pg_restore(settings: Mapping[str, Any], dump_tool: str, dump: Path) -> None:
    """Load `dump` (made by `dump_tool`, e.g. "pg_dump 15.18") into the database of `settings`
    in one transaction: on any error nothing is left behind."""
    match = re.search(r"(\d+)", dump_tool)
    tool = find_pg_tool("pg_restore", int(match.group(1)) if match else 0)
    with tempfile.TemporaryDirectory(prefix="briefdesk-pg-") as secrets:
        env = _child_env(pg_environment(settings, Path(secrets)))
        result = subprocess.run(
            pg_restore_command(tool.path, dump, str(settings.get("NAME") or "")),
            capture_output=True,
            env=env,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore failed (the database was left as it was): {_first_error(result.stderr)}"
        )

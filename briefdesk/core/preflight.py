"""Can this install serve readers? Every problem as one line, before the server says "serving on".

    problems = run_preflight()                               # briefdesk check, briefdesk serve
    problems = run_preflight(skip={MIGRATIONS, SITE})        # briefdesk init/demo, before migrate
    for problem in problems: print(problem)                  # "cannot connect to the database …"

The checks, in order: the database answers (a real connection, which for PostgreSQL gives up
after CONNECT_TIMEOUT seconds), and so does each read replica; every migration is applied; the
page tree is initialised (briefdesk.core.site_tree.site_problem); the data directory, MEDIA_ROOT and
BRIEFDESK_PRIVATE_ROOT exist or can be created, and take a file (and with S3_BUCKET set, the
bucket exists and the keys may write to it); Django's system checks pass at
ERROR level, which includes citeproc-js being present (briefdesk.E003) and a strong SECRET_KEY
(briefdesk.E001). A check that depends on an earlier one (migrations on the database) is left
out when the earlier one failed, so one fault gives one line.

Caveats: the storage check creates missing directories and writes and deletes a probe file in
each; the database check opens a connection and leaves it open (close it before forking a
server: `django.db.connections.close_all()`). Settings must already be loaded; a settings error
is the caller's to report (briefdesk.cli does, in one line).
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.checks import ERROR, run_checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

DATABASE = "database"
MIGRATIONS = "migrations"
SITE = "site"
STORAGE = "storage"
SYSTEM_CHECKS = "system checks"
ALL_CHECKS = (DATABASE, MIGRATIONS, SITE, STORAGE, SYSTEM_CHECKS)

SQLITE = "django.db.backends.sqlite3"


@dataclass(frozen=True)
class Problem:
    """One reason the site cannot serve: `check` is one of ALL_CHECKS, `message` one line."""

    check: str
    message: str

    def __str__(self) -> str:
        return self.message


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's text, or its class name."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


def _without_password(text: str, settings_dict: dict[str, Any]) -> str:
    # Drivers do not print passwords, but a message is shown to whoever runs the command;
    # make sure of it.
    password = str(settings_dict.get("PASSWORD") or "")
    return text.replace(password, "***") if len(password) >= 3 else text


def _is_sqlite_file(settings_dict: dict[str, Any]) -> bool:
    name = str(settings_dict.get("NAME") or "")
    return (
        settings_dict.get("ENGINE") == SQLITE
        and name not in {"", ":memory:"}
        and "mode=memory" not in name
    )


def connection_failure(exc: BaseException, connection: BaseDatabaseWrapper | None = None) -> str:
    """One line for a failure to connect: where to (host:port, or the SQLite file) and why."""
    settings_dict = (connection or connections[DEFAULT_DB_ALIAS]).settings_dict
    if settings_dict.get("ENGINE") == SQLITE:
        name = str(settings_dict.get("NAME"))
        reason = f"cannot open the SQLite database {name}: {first_line(exc)}"
        if _is_sqlite_file(settings_dict) and not Path(name).parent.is_dir():
            reason += f" ({Path(name).parent} does not exist: run briefdesk init)"
        return reason
    host = settings_dict.get("HOST") or "local socket"
    port = settings_dict.get("PORT") or 5432
    reason = _without_password(first_line(exc), settings_dict)
    return f"cannot connect to the database ({host}:{port}): {reason}"


def database_problem(
    connection: BaseDatabaseWrapper | None = None, *, must_exist: bool = True
) -> str | None:
    """Why the database (default: the default one) cannot be reached, or None.

    A missing SQLite file is a problem when `must_exist` (connecting would create an empty
    database); before `migrate` it is not, since migrate creates it.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if _is_sqlite_file(connection.settings_dict):
        path = Path(str(connection.settings_dict["NAME"]))
        if not path.exists():
            if must_exist:
                return f"the SQLite database {path} does not exist: run briefdesk init"
            return None
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver or configuration failure is a reason to report
        return connection_failure(exc, connection)
    return None


def replica_problems() -> list[str]:
    """One line per read replica (DATABASE_REPLICA_URLS, core/dbrouter.py) that does not
    answer, e.g. "read replica replica1: cannot connect to the database (10.0.0.3:5432): …"."""
    problems = []
    for alias in getattr(settings, "BRIEFDESK_DATABASE_REPLICAS", ()):
        problem = database_problem(connections[alias])
        if problem:
            problems.append(f"read replica {alias}: {problem}")
    return problems


def migrations_problem(connection: BaseDatabaseWrapper | None = None) -> str | None:
    """Why the schema is not current (migrations not applied), or None."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection or connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"cannot read the applied migrations: {first_line(exc)}"
    if not plan:
        return None
    first = plan[0][0]
    return (
        f"{len(plan)} database migrations are not applied "
        f"(first: {first.app_label}.{first.name}): run briefdesk init"
    )


def initialised_problem() -> str | None:
    """Why the page tree is not ready (no home page, no Site…), or None."""
    from briefdesk.core.site_tree import site_problem

    try:
        return site_problem()
    except DatabaseError as exc:
        return f"cannot read the page tree: {first_line(exc)}"


def storage_dirs() -> list[tuple[str, Path]]:
    """The directories briefdesk writes to while serving, with the names operators know."""
    dirs = [
        ("data dir (BRIEFDESK_DATA_DIR)", getattr(settings, "DATA_DIR", None)),
        ("media dir (MEDIA_ROOT)", settings.MEDIA_ROOT),
        ("private dir (BRIEFDESK_PRIVATE_ROOT)", getattr(settings, "BRIEFDESK_PRIVATE_ROOT", None)),
    ]
    return [(label, Path(path)) for label, path in dirs if path]


def writable_problem(label: str, path: Path) -> str | None:
    """Create `path` if missing and write a probe file in it; why that failed, or None."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the {label} {path}: {exc.strerror or first_line(exc)}"
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".briefdesk-probe-"):
            pass
    except OSError as exc:
        return f"the {label} {path} is not writable: {exc.strerror or first_line(exc)}"
    return None


def bucket_problem() -> str | None:
    """Why the S3 bucket (S3_BUCKET, settings/files.py) cannot be used, or None; None too
    when files are on disk."""
    if not getattr(settings, "S3_BUCKET", ""):
        return None
    from briefdesk.core.object_storage import bucket_problem as problem_of

    options: Any = settings.STORAGES["private"].get("OPTIONS", {})
    return problem_of(dict(options))


def storage_problems() -> list[str]:
    """One line per storage directory that cannot be written (not repeated for directories
    inside one already reported), and one for an S3 bucket that cannot be used."""
    problems: list[str] = []
    bucket = bucket_problem()
    if bucket:
        problems.append(bucket)
    failed: list[Path] = []
    for label, path in storage_dirs():
        if any(path.is_relative_to(parent) for parent in failed):
            continue
        problem = writable_problem(label, path)
        if problem:
            problems.append(problem)
            failed.append(path)
    return problems


def system_check_problems() -> list[str]:
    """Django's system checks at ERROR level or above (what `manage check` would refuse)."""
    lines = []
    for message in run_checks(include_deployment_checks=False):
        if message.level < ERROR or message.is_silenced():
            continue
        text = " ".join(str(message.msg).split())
        if message.hint:
            text += f" ({' '.join(str(message.hint).split())})"
        lines.append(f"{text} [{message.id}]" if message.id else text)
    return lines


def run_preflight(skip: Collection[str] = ()) -> list[Problem]:
    """Run every check not in `skip` (on the default database); the problems found, in the
    order of ALL_CHECKS."""
    problems: list[Problem] = []
    database_ok = True
    if DATABASE not in skip:
        # Before migrate (MIGRATIONS skipped) a missing SQLite file is expected.
        problem = database_problem(must_exist=MIGRATIONS not in skip)
        if problem:
            problems.append(Problem(DATABASE, problem))
            database_ok = False
        problems += [Problem(DATABASE, problem) for problem in replica_problems()]
    schema_ok = database_ok
    if MIGRATIONS not in skip and database_ok:
        problem = migrations_problem()
        if problem:
            problems.append(Problem(MIGRATIONS, problem))
            schema_ok = False
    if SITE not in skip and schema_ok and database_ok:
        problem = initialised_problem()
        if problem:
            problems.append(Problem(SITE, problem))
    if STORAGE not in skip:
        problems += [Problem(STORAGE, problem) for problem in storage_problems()]
    if SYSTEM_CHECKS not in skip:
        problems += [Problem(SYSTEM_CHECKS, problem) for problem in system_check_problems()]
    return problems

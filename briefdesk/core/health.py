"""GET /healthz: can this worker serve readers? For load balancers and monitors.

    {"status": "ok", "checks": {"database": {"ok": true, "error": ""}, "storage": ..., ...}}

200 when every check passes, 503 when one fails (never 500, never a traceback), with
`Cache-Control: no-store`. The checks are cheap enough to run every few seconds:

- database: `SELECT 1` on this worker's connection (PostgreSQL: at most 2 s for the query;
  a dead server fails within the connection timeout of settings/database.py).
- storage: MEDIA_ROOT (uploads) and BRIEFDESK_PRIVATE_ROOT (cached PDFs) exist and take a
  new file (a probe file is created and deleted in each).
- citeproc: the citeproc-js file (BRIEFDESK_CITEPROC_JS) can be read. V8 is not started here.

Each failure is one line in the answer, worded for the operator without anything secret (no
database URL, host or user name); the full reason goes to the log (logger briefdesk.health)
with the request id. Whether migrations ran is `briefdesk check`'s question, not this one's.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger("briefdesk.health")

# Milliseconds PostgreSQL may take over `SELECT 1` before the check fails.
QUERY_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Check:
    ok: bool
    error: str = ""


def check_database() -> Check:
    """`SELECT 1` on the default database, bounded in time on PostgreSQL."""
    try:
        if connection.vendor == "postgresql":
            # SET LOCAL lasts to the end of the transaction: the worker's persistent
            # connection keeps its own timeout for the requests that follow.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {QUERY_TIMEOUT_MS}")
                cursor.execute("SELECT 1")
        else:
            # No transaction on SQLite: briefdesk opens its transactions IMMEDIATE, which
            # would take the write lock (and wait for a writer) for a probe.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except Exception as exc:
        logger.warning("database check failed: %s", _one_line(exc))
        return Check(False, f"the database did not answer ({type(exc).__name__})")
    return Check(True)


def _writable(setting: str, root: Path) -> str | None:
    """Why `root` cannot take a new file, or None."""
    if not root.is_dir():
        return f"{setting} is not a directory: {root}"
    try:
        with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-"):
            pass
    except OSError as exc:
        return f"{setting} is not writable: {root} ({exc.strerror or type(exc).__name__})"
    return None


def check_storage() -> Check:
    """MEDIA_ROOT and BRIEFDESK_PRIVATE_ROOT exist and accept a new file."""
    problems = [
        problem
        for setting in ("MEDIA_ROOT", "BRIEFDESK_PRIVATE_ROOT")
        if (problem := _writable(setting, Path(getattr(settings, setting)))) is not None
    ]
    if problems:
        logger.warning("storage check failed: %s", "; ".join(problems))
        return Check(False, "; ".join(problems))
    return Check(True)


def check_citeproc() -> Check:
    """The citeproc-js file can be opened and read (its contents are not run)."""
    path = Path(settings.BRIEFDESK_CITEPROC_JS)
    try:
        with path.open("rb") as script:
            script.read(1)
    except OSError as exc:
        problem = (
            f"BRIEFDESK_CITEPROC_JS cannot be read: {path} ({exc.strerror or type(exc).__name__})"
        )
        logger.warning("citeproc check failed: %s", problem)
        return Check(False, problem)
    return Check(True)


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "storage": check_storage,
    "citeproc": check_citeproc,
}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok", ...} or 503 {"status": "error", ...}; GET and HEAD only."""
    results = {name: check() for name, check in CHECKS.items()}
    healthy = all(result.ok for result in results.values())
    response = JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "checks": {
                name: {"ok": result.ok, "error": result.error} for name, result in results.items()
            },
        },
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    # Django logs every 5xx as an ERROR ("Service Unavailable: /healthz"), which error
    # reporting turns into an alert per probe; the failed check was logged above, once.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response

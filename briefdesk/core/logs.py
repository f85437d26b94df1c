"""Log lines an operator can read and grep: who asked, what happened, in which request.

    2026-11-30T08:15:02+0000 INFO [3f2a…] briefdesk.access: GET /briefs/x/ 200 12ms 5321B

settings/ops.py wires these into LOGGING and MIDDLEWARE:

- RequestIdFilter puts the request id (django-guid's X-Request-ID) on every record, `-` outside
  a request (commands, the scheduler, the server's own lines).
- AccessLogMiddleware writes the line above once per request (LOG_ACCESS=false turns it off).
  The path is written without its query string, which may hold tokens (password reset links,
  preview keys), and with unsafe characters percent-encoded, so one request is one line.
- JsonFormatter (LOG_FORMAT=json) writes one JSON object per line for log shippers.
- DisallowedHostFilter turns Django's ERROR-with-traceback for a Host header not in
  ALLOWED_HOSTS into one WARNING line; the response stays a 400.
- configure_logging (LOGGING_CONFIG) also sends Python's warnings (a library's
  UserWarning) through the same handler, one line each, instead of raw text on stderr.

Nothing here touches the database: the logging configuration loads before the apps.
"""

from __future__ import annotations

import json
import logging
import logging.config
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import escape_uri_path
from django_guid.context import guid

access_logger = logging.getLogger("briefdesk.access")

NO_REQUEST = "-"


class RequestIdFilter(logging.Filter):
    """Sets `record.request_id`: the current request's id, or `-` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = guid.get() or NO_REQUEST
        return True


class DisallowedHostFilter(logging.Filter):
    """Makes `django.security.DisallowedHost` records one WARNING line without a traceback.

    A bad Host header is the client's mistake or a scanner's probe, not the server's error:
    Django's ERROR with a 40-line traceback per request buries real errors (and pages on-call
    through error reporting). Attached to that logger, so error reporting sees the warning.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, request_id, logger, message, and for access
    lines method, path, status, duration_ms, bytes; `exception` holds a traceback if any.

    Hand-written (twenty lines) rather than a dependency: python-json-logger is not among
    briefdesk's pinned runtime dependencies and the fields are fixed.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat("T", "milliseconds"),
            "level": record.levelname,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "access", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class FirstLineFilter(logging.Filter):
    """Keeps the first line of a message: a warning's location, category and text, without
    the source line Python adds below it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = record.getMessage().strip().split("\n", 1)[0]
        record.args = None
        return True


def configure_logging(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG: dictConfig, and Python's warnings to the `py.warnings`
    logger (Django stopped capturing them in 5.x)."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def response_size(response: HttpResponse) -> int | None:
    """Bytes in the response body when known before it is sent (not for streamed files
    without a Content-Length)."""
    if not getattr(response, "streaming", False):
        return len(response.content)
    length = response.get("Content-Length")
    return int(length) if length and length.isdigit() else None


class AccessLogMiddleware:
    """One INFO line per request on `briefdesk.access`, in the request's id.

    Placed first in MIDDLEWARE (settings/ops.py OPS_MIDDLEWARE), so the time covers every
    other middleware and the status is what the client gets (a 500 from an error, a 400 for a
    bad Host, a 301 to HTTPS). The time runs to the response headers: a streamed file's
    transfer is not in it. Afterwards the request id is cleared, so lines the same thread
    writes between requests say `-`, not the last request's id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = bool(getattr(settings, "LOG_ACCESS", True))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            if self.enabled:
                self.log(request, response, time.perf_counter() - start)
            return response
        finally:
            guid.set(None)

    @staticmethod
    def log(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        size = response_size(response)
        path = escape_uri_path(request.path)
        duration_ms = round(seconds * 1000)
        access_logger.info(
            "%s %s %s %dms %s",
            request.method,
            path,
            response.status_code,
            duration_ms,
            "-" if size is None else f"{size}B",
            extra={
                "access": {
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "bytes": size,
                }
            },
        )

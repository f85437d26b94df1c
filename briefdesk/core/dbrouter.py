"""Read replicas: anonymous readers' pages come from a replica, everything else from the primary.

    DATABASES.update(replica_databases(envlist("DATABASE_REPLICA_URLS", []), ...))
    BRIEFDESK_DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
    DATABASE_ROUTERS = ["briefdesk.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE = [..., "briefdesk.core.dbrouter.ReplicaRoutingMiddleware", ...]

A read goes to a replica only when all of these hold, and to the primary otherwise:

- it happens inside a request the middleware let through (`replica_reads()`): GET, HEAD or
  OPTIONS, outside the admin, with no session cookie (so no logged-in user, no password given
  for a private page) and no "pinned" cookie (below). Management commands, the worker, cron
  jobs and tests outside a request read the primary;
- no write has happened in this request (the first write pins the rest of the request to the
  primary: read your writes);
- the primary is not inside a transaction (atomic block), whose reads must see its writes.

Writes and migrations go to the primary only. After a POST, PUT, PATCH or DELETE the response
sets the cookie PIN_COOKIE for PIN_SECONDS, so the same browser's next requests read the
primary while the replicas catch up (replication lag is usually well
under a second; PIN_SECONDS covers a slow replica). QuerySet.get_or_create and
update_or_create read through the write alias, so they never race a lagging replica.

Per request state is a ContextVar, so threads and async tasks each have their own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

PIN_COOKIE = "briefdesk_primary"
PIN_SECONDS = 10
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Wagtail's admin (briefdesk/urls.py): editors always read what they just saved.
ADMIN_PREFIXES = ("/admin/",)

# Whether this request may read from a replica (set by the middleware, never elsewhere).
_replica_ok: ContextVar[bool] = ContextVar("briefdesk_replica_ok", default=False)
# Whether this request has written (then it reads the primary from here on).
_wrote: ContextVar[bool] = ContextVar("briefdesk_wrote", default=False)


def replicas() -> list[str]:
    """The replica aliases (settings.BRIEFDESK_DATABASE_REPLICAS), read per call."""
    return list(getattr(settings, "BRIEFDESK_DATABASE_REPLICAS", ()))


def replica_reads() -> bool:
    """Whether a read now may go to a replica (see the module docstring)."""
    return (
        _replica_ok.get()
        and not _wrote.get()
        and bool(replicas())
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


def may_use_replica(request: HttpRequest) -> bool:
    """Whether this request is one whose reads may come from a replica."""
    return (
        request.method in SAFE_METHODS
        and not request.path.startswith(ADMIN_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PIN_COOKIE not in request.COOKIES
    )


class ReplicaRouter:
    """Reads to a random replica where `replica_reads()` allows, writes to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not replica_reads():
            return DEFAULT_DB_ALIAS
        return random.choice(replicas())

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaRoutingMiddleware:
    """Marks the requests that may read from a replica, and pins a browser that posted to the
    primary for PIN_SECONDS. Put it before any middleware that reads the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ok = _replica_ok.set(may_use_replica(request))
        wrote = _wrote.set(False)
        try:
            response = self.get_response(request)
            # Only the reader's own writes (a POST…): a GET's server-side bookkeeping (a PDF
            # or a rendition made on first request) must not put a Set-Cookie on a public,
            # cacheable response.
            if request.method not in SAFE_METHODS:
                response.set_cookie(
                    PIN_COOKIE, "1", max_age=PIN_SECONDS, httponly=True, samesite="Lax"
                )
            return response
        finally:
            _replica_ok.reset(ok)
            _wrote.reset(wrote)

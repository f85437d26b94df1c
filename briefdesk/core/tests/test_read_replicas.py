"""Read replicas (DATABASE_REPLICA_URLS, core/dbrouter.py): anonymous readers' pages are read
from a replica; the admin, writes, transactions and the requests after a write use the primary.

On PostgreSQL the replica is real: pg_basebackup -R of the suite's server, started on a port of
its own as a hot standby that streams from it. Each query is attributed to the connection that
ran it (CaptureQueriesContext per alias). On SQLite only the settings and the routing rules are
tested (the module's replica tests skip).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from briefdesk.core.dbrouter import (
    PIN_COOKIE,
    ReplicaRouter,
    ReplicaRoutingMiddleware,
    may_use_replica,
)
from briefdesk.core.preflight import run_preflight
from briefdesk.settings.database import replica_databases
from tests.factories import make_brief, make_site_tree

ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
REPLICA = "replica1"
MIDDLEWARE = "briefdesk.core.dbrouter.ReplicaRoutingMiddleware"


# --- settings and rules (any database) ----------------------------------------------------


def test_replica_urls_become_read_only_aliases_that_tests_never_create() -> None:
    replicas = replica_databases(
        ["postgres://reader:pw@10.0.0.2:5432/briefdesk", "postgres://reader:pw@10.0.0.3/briefdesk"],
        data_dir=Path("/srv"),
        conn_max_age=60,
    )

    assert list(replicas) == ["replica1", "replica2"]
    assert (replicas["replica1"]["HOST"], replicas["replica2"]["HOST"]) == ("10.0.0.2", "10.0.0.3")
    assert replicas["replica1"]["TEST"] == {"MIRROR": "default"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///replica.sqlite3", "DATABASE_REPLICA_URLS (number 1) is not PostgreSQL"),
        ("postgres://reader:secret@host", "DATABASE_REPLICA_URLS (number 1) is not a database URL"),
    ],
)
def test_a_replica_url_that_is_not_postgresql_is_one_line_without_its_password(
    url: str, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        replica_databases([url], data_dir=Path("/srv"), conn_max_age=60)
    assert str(raised.value).startswith(message)
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize(
    ("method", "path", "cookies", "replica"),
    [
        ("GET", "/briefs/a/", {}, True),
        ("HEAD", "/", {}, True),
        ("POST", "/briefs/a/", {}, False),
        ("GET", "/admin/pages/", {}, False),
        ("GET", "/briefs/a/", {"sessionid": "x"}, False),  # logged in, or a page password
        ("GET", "/briefs/a/", {PIN_COOKIE: "1"}, False),  # wrote a moment ago
    ],
)
def test_only_anonymous_safe_requests_outside_the_admin_may_read_a_replica(
    method: str, path: str, cookies: dict[str, str], replica: bool
) -> None:
    request = RequestFactory().generic(method, path)
    request.COOKIES.update(cookies)
    assert may_use_replica(request) is replica


def test_migrations_run_on_the_primary_only() -> None:
    router = ReplicaRouter()
    assert router.allow_migrate("default", "briefs") is True
    assert router.allow_migrate(REPLICA, "briefs") is False


@pytest.mark.django_db
def test_a_replica_that_does_not_answer_is_one_line_of_briefdesk_check(settings: Any) -> None:
    port = _free_port()
    config = replica_databases(
        [f"postgres://reader:secret@127.0.0.1:{port}/briefdesk"],
        data_dir=Path("/srv"),
        conn_max_age=0,
    )["replica1"]
    # Django's defaults for the keys the URL leaves out, as settings.DATABASES would fill in.
    config = {**connections["default"].settings_dict, **config}
    connections[REPLICA] = load_backend(config["ENGINE"]).DatabaseWrapper(config, REPLICA)
    settings.BRIEFDESK_DATABASE_REPLICAS = [REPLICA]
    try:
        lines = [
            str(p) for p in run_preflight(skip={"migrations", "site", "storage", "system checks"})
        ]
    finally:
        del connections[REPLICA]

    assert len(lines) == 1
    assert lines[0].startswith(
        f"read replica replica1: cannot connect to the database (127.0.0.1:{port}):"
    )
    assert "secret" not in lines[0]


# --- a real streaming replica (PostgreSQL) --------------------------------------------------

postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="a streaming replica needs PostgreSQL (DATABASE_URL=postgres://…)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_bin(tool: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))
    return str(found[-1]) if found else tool


@pytest.fixture(scope="module")
def replica_port(django_db_setup: Any, django_db_blocker: Any) -> Iterator[int]:
    """A hot standby of the suite's PostgreSQL server (test database included), streaming."""
    primary = connections["default"].settings_dict
    as_postgres = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else []
    workdir = Path(tempfile.mkdtemp(prefix="briefdesk-replica-"))
    data = workdir / "data"
    port = _free_port()
    if as_postgres:
        shutil.chown(workdir, "postgres")
    base = [_pg_bin("pg_basebackup"), "-h", str(primary["HOST"] or "127.0.0.1")]
    base += ["-p", str(primary["PORT"] or 5432), "-U", str(primary["USER"]), "-D", str(data)]
    subprocess.run(
        [*as_postgres, *base, "-R", "-X", "stream", "--checkpoint=fast"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c hot_standby=on"
    ctl = [*as_postgres, _pg_bin("pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*ctl, "-l", str(workdir / "log"), "-w", "-o", options, "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield port
    finally:
        subprocess.run([*ctl, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def replica(replica_port: int, settings: Any, transactional_db: Any) -> Iterator[str]:
    """The replica as the alias DATABASE_REPLICA_URLS would make, with the router and the
    middleware on (first, as docs/deploy.md places it).

    The connection is made here rather than listed in settings.DATABASES: the test database
    setup would otherwise create, flush and forbid it (Django lets a test use a connection
    created on the fly)."""
    config = {
        **connections["default"].settings_dict,
        "HOST": "127.0.0.1",
        "PORT": str(replica_port),
    }
    connections[REPLICA] = load_backend(config["ENGINE"]).DatabaseWrapper(config, REPLICA)
    settings.BRIEFDESK_DATABASE_REPLICAS = [REPLICA]
    settings.DATABASE_ROUTERS = ["briefdesk.core.dbrouter.ReplicaRouter"]
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


def caught_up(alias: str, timeout: float = 10) -> None:
    """Wait until the replica has replayed everything the primary has committed."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections[alias].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.02)


class Queries:
    """The queries each connection ran inside the block."""

    def __enter__(self) -> Queries:
        self._stack = ExitStack()
        self.primary = self._stack.enter_context(CaptureQueriesContext(connections["default"]))
        self.replica = self._stack.enter_context(CaptureQueriesContext(connections[REPLICA]))
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.close()


pg_transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@postgresql_only
@pg_transactional
def test_an_anonymous_page_view_reads_only_from_the_replica(replica: str, client: Any) -> None:
    brief = make_brief(make_site_tree(), title="Reservoirs on the replica")
    caught_up(replica)

    with Queries() as queries:
        response = client.get(brief.url)

    assert response.status_code == 200
    assert "Reservoirs on the replica" in response.content.decode()
    assert len(queries.replica) > 0
    assert queries.primary.captured_queries == []
    assert PIN_COOKIE not in response.cookies
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a standby, not the primary by another name


@postgresql_only
@pg_transactional
def test_an_admin_save_reads_and_writes_the_primary_only(
    replica: str, client: Any, django_user_model: Any
) -> None:
    make_site_tree()
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    caught_up(replica)

    with Queries() as queries:
        form = client.get("/admin/redirects/add/")
        saved = client.post(
            "/admin/redirects/add/",
            {"old_path": "/old-reservoirs", "redirect_link": "https://example.com/new", "site": ""},
        )

    assert form.status_code == 200
    assert saved.status_code == 302, saved.content.decode()[:500]
    assert Redirect.objects.filter(old_path="/old-reservoirs").exists()
    assert queries.replica.captured_queries == []
    assert any(q["sql"].startswith("INSERT") for q in queries.primary.captured_queries)


@postgresql_only
@pg_transactional
def test_the_requests_after_a_write_read_the_primary_until_the_pin_expires(
    replica: str, client: Any
) -> None:
    brief = make_brief(make_site_tree(), title="Pinned brief")
    caught_up(replica)

    posted = client.post(brief.url, {})
    with Queries() as after_write:
        pinned = client.get(brief.url)
    client.cookies.pop(PIN_COOKIE)  # what the browser does after PIN_SECONDS
    with Queries() as later:
        client.get(brief.url)

    assert posted.cookies[PIN_COOKIE]["max-age"] == 10
    assert pinned.status_code == 200
    assert after_write.replica.captured_queries == []
    assert len(after_write.primary) > 0
    assert len(later.replica) > 0 and later.primary.captured_queries == []


@postgresql_only
@pg_transactional
def test_within_one_request_reads_after_a_write_and_inside_a_transaction_use_the_primary(
    replica: str,
) -> None:
    make_site_tree()
    caught_up(replica)
    used: list[tuple[str, str]] = []

    def view(request: Any) -> Any:
        from django.http import HttpResponse

        with Queries() as queries:
            Page.objects.count()
        used.append(("first read", "replica" if len(queries.replica) else "primary"))
        with Queries() as queries, transaction.atomic():
            Page.objects.count()
        used.append(("read in a transaction", "replica" if len(queries.replica) else "primary"))
        Redirect.objects.create(old_path="/in-request", redirect_link="https://example.com/")
        with Queries() as queries:
            found = Redirect.objects.filter(old_path="/in-request").exists()
        used.append(("read after the write", "replica" if len(queries.replica) else "primary"))
        return HttpResponse(str(found))

    response = ReplicaRoutingMiddleware(view)(RequestFactory().get("/briefs/"))

    assert used == [
        ("first read", "replica"),
        ("read in a transaction", "primary"),
        ("read after the write", "primary"),
    ]
    assert response.content == b"True"  # it saw its own write
    # A GET's own bookkeeping does not pin the browser: public responses stay cookie-free.
    assert PIN_COOKIE not in response.cookies

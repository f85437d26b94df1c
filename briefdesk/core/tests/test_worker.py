"""`briefdesk worker` as real processes on a database queue (TASKS_BACKEND=database): a job
runs once; a worker killed with SIGKILL mid-job leaves it to the next worker, which runs it
again to the same result without a second snapshot; several workers on PostgreSQL share the
queue without running a job twice. Jobs enqueue and results are read through the database
file (or server) the workers use, never the suite's test database; the jobs are in
tasks_for_tests.py and leave their traces in files.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from briefdesk.core.tasks import (
    LOST,
    MAX_ATTEMPTS,
    enqueue_once,
    idempotency_key,
    reclaim_abandoned,
    uses_worker,
)

from .tasks_for_tests import record_task

REPO = Path(__file__).resolve().parents[3]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TABLE = "django_tasks_database_dbtaskresult"


class Queue:
    """A data dir and a database holding only the task table, and workers started on it."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.traces = root / "traces"
        self.traces.mkdir()
        self.env = dict(
            os.environ,
            BRIEFDESK_ENV_FILE="",
            DJANGO_SETTINGS_MODULE="briefdesk.settings.test",
            BRIEFDESK_DATA_DIR=str(root / "data"),
            BRIEFDESK_TEST_TASKS_BACKEND="database",
            DATABASE_URL=database_url,
            PYTHONPATH=str(REPO),
        )
        self.workers: list[subprocess.Popen[str]] = []

    def prepare(self, jobs: list[dict[str, Any]]) -> None:
        """Migrate the task table and enqueue record_task jobs, in one process."""
        code = (
            "from django.core.management import call_command\n"
            "call_command('migrate', 'django_tasks_database', verbosity=0)\n"
            "from briefdesk.core.tests.tasks_for_tests import record_task\n"
            "from briefdesk.core.tasks import enqueue_once\n"
            f"for job in {jobs!r}:\n"
            "    enqueue_once(record_task, **job)\n"
        )
        self._run(["manage", "shell", "--no-imports", "-c", code])

    def _run(self, argv: list[str]) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "briefdesk.cli", *argv],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    def run_once(self, *options: str) -> str:
        """`briefdesk worker --once`: what is waiting, then exit."""
        return self._run(["worker", "--once", "--skip-checks", *options])

    def start(self, *options: str) -> subprocess.Popen[str]:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "briefdesk.cli",
                "worker",
                "--skip-checks",
                "--interval",
                "0.1",
                *options,
            ],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)

    def attempts(self) -> list[str]:
        log = self.traces / "attempts.log"
        return log.read_text().splitlines() if log.exists() else []

    def snapshots(self) -> list[str]:
        return sorted(p.name for p in (self.traces / "snapshots").glob("*"))

    def result(self, key: str) -> str | None:
        path = self.traces / "results" / key
        return path.read_text() if path.exists() else None


def _wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


@pytest.fixture
def sqlite_queue(tmp_path: Path) -> Iterator[Queue]:
    queue = Queue(tmp_path, f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    yield queue
    queue.stop_all()


def _sqlite_rows(queue: Queue) -> list[tuple[str, list[str]]]:
    with sqlite3.connect(queue.root / "queue.sqlite3") as db:
        rows = db.execute(f"SELECT status, worker_ids FROM {TABLE} ORDER BY enqueued_at")
        return [(status, json.loads(ids)) for status, ids in rows]


# --- real worker processes (SQLite file) -----------------------------------------------------


def test_a_job_enqueued_is_run_once_by_the_worker(sqlite_queue: Queue) -> None:
    traces = str(sqlite_queue.traces)
    # Enqueued twice while waiting: one job.
    sqlite_queue.prepare([{"directory": traces, "key": "a"}, {"directory": traces, "key": "a"}])

    sqlite_queue.run_once()

    assert sqlite_queue.result("a") == "result of a"
    assert len(sqlite_queue.attempts()) == 1
    assert [status for status, _ in _sqlite_rows(sqlite_queue)] == ["SUCCESSFUL"]


def test_a_job_cut_off_by_kill_9_is_run_again_to_the_same_result_with_one_snapshot(
    sqlite_queue: Queue,
) -> None:
    traces = str(sqlite_queue.traces)
    sqlite_queue.prepare([{"directory": traces, "key": "k", "hold": True}])
    first = sqlite_queue.start("--reclaim-after", "1")
    # The job has written its snapshot and waits for the release file: kill it there.
    _wait_for(sqlite_queue.snapshots, 40, "the first attempt's snapshot")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert _sqlite_rows(sqlite_queue)[0][0] == "RUNNING"  # abandoned, as django-tasks-db leaves it
    assert sqlite_queue.result("k") is None

    (sqlite_queue.traces / "release").touch()
    time.sleep(1)  # longer than --reclaim-after since the first claim
    output = sqlite_queue.run_once("--reclaim-after", "1")

    assert "requeued" in output
    assert sqlite_queue.result("k") == "result of k"
    assert len(sqlite_queue.snapshots()) == 1
    first_pid, second_pid = (line.split()[1] for line in sqlite_queue.attempts())
    assert first_pid == str(first.pid) and second_pid != first_pid
    [(status, worker_ids)] = _sqlite_rows(sqlite_queue)
    assert status == "SUCCESSFUL"
    assert len(worker_ids) == 2


# --- enqueue_once, reclaim_abandoned and the command, in this process -----------------------


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_enqueue_once_does_not_add_a_job_equal_to_one_waiting() -> None:
    from django_tasks_db.models import DBTaskResult

    first = enqueue_once(record_task, "/nowhere", "a")
    again = enqueue_once(record_task, "/nowhere", "a")
    other = enqueue_once(record_task, "/nowhere", "b")
    by_keyword = enqueue_once(record_task, directory="/nowhere", key="a")

    assert first is not None and other is not None and by_keyword is not None
    assert again is None
    assert DBTaskResult.objects.count() == 3
    # Once the job has started it may have read the data already: a new one is queued.
    DBTaskResult.objects.filter(pk=first.id).update(status="RUNNING")
    assert enqueue_once(record_task, "/nowhere", "a") is not None


def test_the_idempotency_key_depends_on_the_task_and_its_arguments_only() -> None:
    key = idempotency_key(record_task, "/d", "a")
    assert key == idempotency_key(record_task, *["/d", "a"])
    assert key != idempotency_key(record_task, "/d", "b")
    assert idempotency_key(record_task, key="a", directory="/d") == idempotency_key(
        record_task, directory="/d", key="a"
    )


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_reclaim_requeues_a_stale_job_and_fails_one_claimed_too_often() -> None:
    from django_tasks_db.models import DBTaskResult

    def job(claims: int, minutes_ago: int) -> uuid.UUID:
        row = enqueue_once(record_task, "/nowhere", f"{claims}-{minutes_ago}")
        assert row is not None
        DBTaskResult.objects.filter(pk=row.id).update(
            status="RUNNING",
            started_at=timezone.now() - timedelta(minutes=minutes_ago),
            worker_ids=[f"w{n}" for n in range(claims)],
        )
        return uuid.UUID(row.id)

    stale, hopeless, fresh = job(1, 30), job(MAX_ATTEMPTS, 30), job(1, 1)

    assert reclaim_abandoned(timedelta(minutes=10)) == (1, 1)

    rows = {row.pk: row for row in DBTaskResult.objects.all()}
    assert rows[stale].status == "READY"
    assert rows[stale].worker_ids == ["w0"]
    assert rows[hopeless].status == "FAILED"
    assert rows[hopeless].exception_class_path == LOST
    assert rows[fresh].status == "RUNNING"


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_publishing_a_brief_queues_its_score_and_pdf_once_and_the_jobs_are_idempotent() -> None:
    from django_tasks_db.models import DBTaskResult

    from briefdesk.briefs.models import BriefPdf
    from briefdesk.briefs.tasks import make_pdfs_task, score_related_task
    from tests.factories import make_brief, make_site_tree

    brief = make_brief(make_site_tree())
    brief.save_revision().publish()  # again, while the first jobs wait: no new ones

    waiting = DBTaskResult.objects.filter(status="READY", task_path__startswith="briefdesk.briefs")
    assert sorted(waiting.values_list("task_path", flat=True)) == [
        "briefdesk.briefs.tasks.make_pdfs_task",
        "briefdesk.briefs.tasks.score_related_task",
    ]
    assert not BriefPdf.objects.filter(page=brief).exists()  # not made inside the publish

    score_related_task.call(brief.pk)
    score_related_task.call(brief.pk)
    assert make_pdfs_task.call(brief.pk) == "made"
    assert make_pdfs_task.call(brief.pk) == "cached"
    assert BriefPdf.objects.filter(page=brief).count() == 1

    brief.unpublish()
    assert waiting.filter(task_path="briefdesk.briefs.tasks.withdraw_related_task").exists()
    assert make_pdfs_task.call(brief.pk) == "skipped"


def test_the_worker_refuses_in_one_line_with_the_immediate_backend() -> None:
    assert not uses_worker()
    with pytest.raises(CommandError) as refused:
        call_command("worker", "--once", stdout=io.StringIO())
    message = str(refused.value)
    assert "\n" not in message
    assert "TASKS_BACKEND=database" in message


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_run_in_process_leaves_the_process_signal_handlers_as_they_were() -> None:
    # A SIGTERM handler left behind is inherited by forked children (the bake's workers),
    # which then no longer stop when their pool terminates them: the pool waits for ever.
    def mine(signum: int, frame: Any) -> None:
        pass

    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGQUIT)}
    previous_term = signal.signal(signal.SIGTERM, mine)
    try:
        call_command("worker", "--once", stdout=io.StringIO(), stderr=io.StringIO())
        assert signal.getsignal(signal.SIGTERM) is mine
        assert {number: signal.getsignal(number) for number in before} == before
    finally:
        signal.signal(signal.SIGTERM, previous_term)


# --- PostgreSQL: several workers share the queue ---------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.fixture
def postgres_queue(tmp_path: Path) -> Iterator[Queue]:
    import psycopg

    server = _postgres_url()
    assert server is not None
    name = f"briefdesk_worker_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server)
    queue = Queue(tmp_path, urlunsplit(parts._replace(path=f"/{name}")))
    try:
        yield queue
    finally:
        queue.stop_all()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.skipif(_postgres_url() is None, reason="needs PostgreSQL (DATABASE_URL)")
def test_two_workers_on_postgresql_run_each_of_twenty_jobs_exactly_once(
    postgres_queue: Queue,
) -> None:
    import psycopg

    traces = str(postgres_queue.traces)
    keys = [f"job{n:02}" for n in range(20)]
    postgres_queue.prepare([{"directory": traces, "key": key, "pause": 0.2} for key in keys])

    workers = [postgres_queue.start() for _ in range(2)]
    _wait_for(lambda: all(postgres_queue.result(key) for key in keys), 30, "all twenty results")
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(10) == 0

    runs = [line.split()[0] for line in postgres_queue.attempts()]
    assert sorted(runs) == keys  # each once, none twice
    assert len(postgres_queue.snapshots()) == 20
    with psycopg.connect(postgres_queue.env["DATABASE_URL"]) as db:
        rows = db.execute(f"SELECT status, worker_ids FROM {TABLE}").fetchall()
    assert [status for status, _ in rows] == ["SUCCESSFUL"] * 20
    assert all(len(worker_ids) == 1 for _, worker_ids in rows)
    pids = {line.split()[1] for line in postgres_queue.attempts()}
    print(f"20 jobs by {len(pids)} worker processes")

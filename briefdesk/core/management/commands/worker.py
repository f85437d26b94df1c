"""Run background jobs from the database queue (TASKS_BACKEND=database) until stopped:
django-tasks-db's db_worker, with briefdesk's log format and recovery of the jobs a killed
worker left RUNNING (briefdesk.core.tasks.reclaim_abandoned: at start, then every minute).

    briefdesk worker                       the default queue, until SIGTERM / Ctrl-C
    briefdesk worker --once                run what is waiting, then exit (cron, tests)
    briefdesk worker --reclaim-after 900   a job RUNNING 15 minutes is taken to be abandoned

Several workers, on one machine or many, share the queue: each job is claimed under a row lock
(PostgreSQL's SKIP LOCKED; an exclusive transaction on SQLite) and run by one of them. SIGTERM
lets the current job finish; SIGKILL cuts it off and a worker runs it again after
--reclaim-after (jobs are idempotent). With the immediate backend there is no queue and the
command refuses in one line.
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser, ArgumentTypeError
from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from briefdesk.core.tasks import RECLAIM_AFTER, reclaim_abandoned, uses_worker

# What django-tasks-db's worker handles while it runs (Worker.configure_signals).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)

logger = logging.getLogger("briefdesk.core.tasks")


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise ArgumentTypeError(f"{value} is not a positive number of seconds")
    return seconds


class _Reclaimer(threading.Thread):
    """Requeues abandoned jobs every `every` seconds, beside the worker's loop (which has no
    hook between jobs); its own database connection, closed after each round."""

    def __init__(self, after: timedelta, backend: str, every: float) -> None:
        super().__init__(name="reclaim", daemon=True)
        self.after, self.backend, self.every = after, backend, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            reclaim(self.after, self.backend)
            connections.close_all()


def reclaim(after: timedelta, backend: str) -> None:
    try:
        reclaim_abandoned(after, backend_alias=backend)
    except DatabaseError as exc:  # locked or unreachable: the next round tries again
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        logger.warning("reclaiming abandoned jobs failed: %s", first)


class Command(db_worker.Command):
    help = "Run background jobs from the database queue (TASKS_BACKEND=database) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue",
            default="default",
            help="queues to run, comma-separated, or '*' for all (default: default)",
        )
        parser.add_argument(
            "--interval",
            type=db_worker.valid_interval,
            default=1.0,
            help="seconds to wait when the queue is empty (default 1)",
        )
        parser.add_argument(
            "--once", action="store_true", help="run the jobs waiting now, then exit"
        )
        parser.add_argument(
            "--reclaim-after",
            type=_seconds,
            default=RECLAIM_AFTER.total_seconds(),
            metavar="SECONDS",
            help="run again a job RUNNING this long, its worker taken to be gone "
            f"(default {RECLAIM_AFTER.total_seconds():.0f}; longer than the longest job)",
        )
        parser.add_argument(
            "--worker-id",
            type=db_worker.validate_worker_id,
            default=None,
            help="this worker's id in the job records (default: random; unique per worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = "default"
        if not uses_worker(backend):
            raise CommandError(
                "TASKS_BACKEND is 'immediate': jobs run where they are made and no queue "
                "needs a worker (set TASKS_BACKEND=database to queue them for workers)"
            )
        self.configure_logging(options["verbosity"])
        after = timedelta(seconds=options["reclaim_after"])
        worker_id = options["worker_id"] or get_random_string(32)
        logger.info(
            "worker %s: queue %s, reclaims jobs RUNNING over %.0f s",
            worker_id,
            options["queue"],
            after.total_seconds(),
        )
        reclaim(after, backend)
        reclaimer = None
        if not options["once"]:
            every = min(60.0, max(1.0, after.total_seconds() / 2))
            reclaimer = _Reclaimer(after, backend, every)
            reclaimer.start()
        worker = db_worker.Worker(
            queue_names=options["queue"].split(","),
            interval=options["interval"],
            batch=options["once"],
            backend_name=backend,
            startup_delay=not options["once"],
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        # The worker's own SIGINT/SIGTERM/SIGQUIT handlers (a graceful stop) while it runs,
        # then the process's again: run in-process (tests, scripts), the worker must not leave
        # a SIGTERM handler behind, which a forked child (the bake's workers) would inherit
        # and so no longer stop when its pool terminates it.
        previous = {number: signal.getsignal(number) for number in _STOP_SIGNALS}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            if reclaimer is not None:
                reclaimer.stopped.set()

"""briefdesk's background jobs: how they are written, enqueued and recovered.

    @task()
    def score_related_task(page_id: int) -> None: ...     # takes ids, may run twice
    enqueue_once(score_related_task, page.pk)              # not queued again while it waits
    reclaim_abandoned(after=timedelta(minutes=10))          # a killed worker's jobs run again

The conventions every job follows:

- A job takes ids and plain JSON values, never model instances, and reads what it needs when it
  runs: it may run long after it was made, in another process.
- A job is idempotent. It can be cut off at any point (a worker killed with SIGKILL, a machine
  losing power) and run again from the start, and the second run leaves what one run would
  have left: it writes whole results under a key of its inputs (a snapshot per source and
  content hash, a PDF per revision and style), replacing or skipping what is there, and never
  appends. That is what makes recovery below safe.
- With the immediate backend (the default, and the suite's) a job runs inside `enqueue`, in the
  request that made it; with the database backend it waits in the database for
  `briefdesk worker`.

Recovery: django-tasks-db (0.13) claims a job by marking it RUNNING and never looks at it
again; a worker killed mid-job leaves it RUNNING for ever. `reclaim_abandoned` puts jobs that
have been RUNNING longer than a timeout back to READY, so any worker runs them again; after
MAX_ATTEMPTS claims a job is marked FAILED instead (a job that kills its worker, by memory
or a crash in a C library, would otherwise take down every worker in turn). The timeout must
be longer than the longest job: a job still running past it is run a second time beside the
first, which idempotency makes harmless but wasteful. `briefdesk worker` reclaims on start and
every minute while running (`--reclaim-after SECONDS`, default RECLAIM_AFTER).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import Task, TaskResult, TaskResultStatus

logger = logging.getLogger(__name__)

# Longer than any job briefdesk has: a capture (30 s fetch timeout, a few redirects, a WACZ),
# a PDF (seconds), a related-brief score (a second at 100,000 briefs).
RECLAIM_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3
LOST = "briefdesk.core.tasks.WorkerLost"


class WorkerLost(Exception):
    """The job was claimed MAX_ATTEMPTS times and no worker finished it."""


def uses_worker(backend_alias: str = "default") -> bool:
    """True when jobs on this backend wait for `briefdesk worker` (the database backend)."""
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[backend_alias], DatabaseBackend)


def idempotency_key(task: Task[Any, Any], *args: Any, **kwargs: Any) -> str:
    """A stable key for one job: the task's path and its arguments as JSON (sorted keys).

    Two enqueues of the same task with equal arguments have the same key, in any process.
    """
    payload = json.dumps(
        {"task": task.module_path, "args": list(args), "kwargs": kwargs},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def enqueue_once(task: Task[Any, Any], *args: Any, **kwargs: Any) -> TaskResult[Any] | None:
    """Enqueue the job unless the same one (task, queue, arguments) is already waiting.

    Returns the new job's result, or None when an equal job was still READY: that job has not
    started, so it will read the same data this one would. A job already RUNNING does not
    count (it may have read the data before the change that asks for this run). With the
    immediate backend the job runs now, every time.

    Caveat: two processes enqueueing the same job at the same instant may both add it; the
    job's idempotency makes the second run harmless.
    """
    backend = task.get_backend()
    if not uses_worker(backend.alias):
        return task.enqueue(*args, **kwargs)
    from django_tasks_db.models import DBTaskResult

    wanted = idempotency_key(task, *args, **kwargs)
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=task.module_path,
        queue_name=task.queue_name,
        backend_name=backend.alias,
    ).values_list("args_kwargs", flat=True)
    for stored in waiting.iterator():
        if idempotency_key(task, *stored["args"], **stored["kwargs"]) == wanted:
            logger.debug("%s%r is already waiting", task.name, args)
            return None
    return task.enqueue(*args, **kwargs)


def reclaim_abandoned(
    after: dt.timedelta = RECLAIM_AFTER, *, backend_alias: str = "default"
) -> tuple[int, int]:
    """Jobs RUNNING for longer than `after` (their worker was killed or lost its database):
    back to READY, or FAILED with WorkerLost once claimed MAX_ATTEMPTS times.

    Returns (requeued, failed). Safe to call from several workers at once: each row is taken
    under a row lock (skipped when another worker holds it).
    """
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    cutoff = timezone.now() - after
    stale = DBTaskResult.objects.running().filter(backend_name=backend_alias, started_at__lt=cutoff)
    requeued = failed = 0
    with exclusive_transaction(stale.db):
        for job in stale.select_for_update(skip_locked=True):
            if len(job.worker_ids) >= MAX_ATTEMPTS:
                job.status = TaskResultStatus.FAILED
                job.finished_at = timezone.now()
                job.exception_class_path = LOST
                job.traceback = (
                    f"{LOST}: claimed {len(job.worker_ids)} times, never finished; "
                    f"the last claim was at {job.started_at:%Y-%m-%d %H:%M:%S} UTC\n"
                )
                job.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed += 1
                logger.error(
                    "job %s (%s) failed: claimed %d times, never finished",
                    job.id,
                    job.task_path,
                    len(job.worker_ids),
                )
            else:
                # worker_ids is kept: its length is the number of attempts so far.
                job.status = TaskResultStatus.READY
                job.save(update_fields=["status"])
                requeued += 1
                logger.warning(
                    "job %s (%s) requeued: RUNNING since %s, its worker is gone",
                    job.id,
                    job.task_path,
                    job.started_at,
                )
    return requeued, failed


__all__ = [
    "LOST",
    "MAX_ATTEMPTS",
    "RECLAIM_AFTER",
    "WorkerLost",
    "enqueue_once",
    "idempotency_key",
    "reclaim_abandoned",
    "uses_worker",
]

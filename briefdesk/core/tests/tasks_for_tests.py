"""Jobs for the worker tests (test_worker.py), written as briefdesk's jobs are: they take plain
values and are idempotent. Their side effects are files in a directory the test names, so a
worker process and the test can both see them without a shared database transaction.

- `attempts.log` gets a line each time a job STARTS (not idempotent on purpose: it counts runs);
- `results/<key>` is the job's result, written whole by rename (the idempotent side effect);
- `snapshots/<key>-<sha>` stands for a snapshot: one per (key, content), never two.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from django_tasks import task


def _note(directory: Path, line: str) -> None:
    with open(directory / "attempts.log", "a") as log:
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())


def _write_whole(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    os.replace(partial, path)


@task()
def record_task(directory: str, key: str, sleep: float = 0.0) -> str:
    """Note the attempt, wait `sleep` seconds (the window for a kill), then store the result
    for `key` and one snapshot of its content (skipped when that snapshot exists)."""
    where = Path(directory)
    _note(where, f"{key} {os.getpid()}")
    if sleep:
        time.sleep(sleep)
    result = f"result of {key}"
    sha = hashlib.sha256(result.encode()).hexdigest()[:12]
    (where / "snapshots").mkdir(exist_ok=True)
    snapshot = where / "snapshots" / f"{key}-{sha}"
    if not snapshot.exists():
        _write_whole(snapshot, result)
    (where / "results").mkdir(exist_ok=True)
    _write_whole(where / "results" / key, result)
    return result

"""Jobs for the worker tests (test_worker.py), written as briefdesk's jobs are: they take plain
values and are idempotent. Their side effects are files in a directory the test names, so a
worker process and the test can both see them without a shared database transaction.

- `attempts.log` gets a line each time a job STARTS (not idempotent on purpose: it counts runs);
- `results/<key>` is the job's result, written whole by rename (the idempotent side effect);
- `snapshots/<key>-<sha>` stands for a snapshot: one per (key, content), never two; it is
  written before the job waits, so a job killed while waiting has left one behind.
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
def record_task(directory: str, key: str, hold: bool = False, pause: float = 0.0) -> str:
    """Note the attempt, store one snapshot of the result for `key` (skipped when that
    snapshot exists), wait for the file `release` when `hold` (the window for a kill) or
    `pause` seconds, then store the result for `key`."""
    where = Path(directory)
    _note(where, f"{key} {os.getpid()}")
    result = f"result of {key}"
    sha = hashlib.sha256(result.encode()).hexdigest()[:12]
    (where / "snapshots").mkdir(exist_ok=True)
    snapshot = where / "snapshots" / f"{key}-{sha}"
    if not snapshot.exists():
        _write_whole(snapshot, result)
    deadline = time.monotonic() + 60
    while hold and not (where / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(pause)
    (where / "results").mkdir(exist_ok=True)
    _write_whole(where / "results" / key, result)
    return result

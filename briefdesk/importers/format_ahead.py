"""Format a brief import's citations ahead, on other threads and another engine, while the
briefs are written.

    ahead = FormatAhead(sources, in_worker=True)  # new sources: a worker process's engine
    if ahead.formatted(source): ...               # waits for its batch; True: `formatted` set
    own = CitationsAhead(pairs)                   # briefs' own citations: this process's engine
    own.lookup(item, apa_item)                    # waits for its batch; what format_items gives
    ahead.close(); own.close()                    # stop after the batch in hand, join, shut down

citeproc-js runs in V8's own thread (mini-racer), outside Python's global lock, so formatting
the next sources overlaps the database work of writing the current brief: an import costs
about the larger of the two instead of their sum. One engine formats about 16 pages' worth a
second, so a large import formats its new sources in a second engine, in a worker process of
its own (`in_worker`), and the briefs' own citations in this process's engine, ten briefs per
call instead of one call per brief and style.

Every source is formatted before its brief's transaction saves it, as when the import
formatted everything first, so no source is ever stored unformatted. The CSL items are built
here, in the caller's thread (they read the site's proper nouns from the database); the other
thread and the worker only call the engine, never the database.

A batch the engine refuses (one bad entry fails a whole call), or one a worker that died never
answered, is left unformatted: `formatted` answers False (`lookup` None) and the caller
formats its records one by one when saving them, which reports the bad one's error against
its own brief. Each item is rendered on its own (citations.engine), so a batch gives every
item what a call for it alone gives.

The worker (importers.format_worker) is started with the "spawn" method and stopped by
`close`, which the import calls however it ends (Ctrl-C included).
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import threading
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any

from briefdesk.citations.styles import STYLES
from briefdesk.sources.models import Source, csl_items_to_format, store_formatted

from .format_worker import Answers, format_batch, serve, warm_up

__all__ = ["CitationsAhead", "FormatAhead", "start_worker", "warm_up"]

logger = logging.getLogger(__name__)

# Sources formatted per citeproc-js call: the call itself costs about as much as an entry.
BATCH = 50
# Batches handed to the worker before it answers the first: it never waits for the next.
IN_FLIGHT = 2
# Seconds a worker is given to leave after being told to, before it is terminated.
WORKER_EXIT_WAIT = 5.0

Batch = tuple[list[dict[str, Any]], list[dict[str, Any]]]  # (items, items for APA)


def start_worker() -> tuple[Any, Connection]:
    """A worker process (importers.format_worker) and our end of its pipe; it loads its
    engine as soon as it starts."""
    from django.conf import settings

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    worker = context.Process(
        target=serve,
        args=(theirs, str(settings.BRIEFDESK_CITEPROC_JS)),
        name="briefdesk-format-worker",
        daemon=True,  # never outlives the import, however it ends
    )
    worker.start()
    theirs.close()
    return worker, ours


class _Pipeline:
    """Formats batches in order on a thread, in this process's engine or a worker's; answer(n)
    waits for batch n and gives its answers, or None when it could not be formatted."""

    def __init__(
        self, batches: list[Batch], *, name: str, worker: tuple[Any, Connection] | None = None
    ) -> None:
        self._batches = batches
        self._answers: list[Answers | None] = [None] * len(batches)
        self._done = [threading.Event() for _ in batches]
        self._stop = threading.Event()
        self._worker: Any = worker[0] if worker is not None else None
        self._conn: Connection | None = worker[1] if worker is not None else None
        target = self._work_remote if self._conn is not None else self._work_here
        self._thread = threading.Thread(target=target, name=name, daemon=True)
        self._thread.start()

    def _work_here(self) -> None:
        try:
            for n, (items, apa_items) in enumerate(self._batches):
                if self._stop.is_set():
                    return
                try:
                    self._answers[n] = format_batch(items, apa_items)
                except Exception:  # each of its records is formatted (and fails) on its own
                    self._answers[n] = None
                self._done[n].set()
        finally:
            for done in self._done:  # nobody waits for ever on a stopped worker
                done.set()

    def _work_remote(self) -> None:
        conn = self._conn
        assert conn is not None
        sent = 0
        try:
            while sent < min(IN_FLIGHT, len(self._batches)):
                conn.send((sent, *self._batches[sent]))
                sent += 1
            for _ in range(len(self._batches)):
                n, answers = conn.recv()
                self._answers[n] = answers
                self._done[n].set()
                if self._stop.is_set():
                    return
                if sent < len(self._batches):
                    conn.send((sent, *self._batches[sent]))
                    sent += 1
        except (EOFError, OSError):
            # What the worker did not answer is formatted on saving, in this process.
            logger.warning("The formatting worker stopped; the import formats on its own.")
        finally:
            for done in self._done:
                done.set()

    def answer(self, n: int) -> Answers | None:
        self._done[n].wait()
        return self._answers[n]

    def close(self) -> None:
        """Stop after the batch in hand, join the thread and shut the worker down."""
        self._stop.set()
        self._thread.join()
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._conn.close()
        if self._worker is not None:
            self._worker.join(WORKER_EXIT_WAIT)
            if self._worker.is_alive():
                self._worker.terminate()
                self._worker.join()


class FormatAhead:
    """New sources formatted ahead, in batches, in the order given (module docstring). With
    `in_worker`, every `share_here`-th batch is formatted in this process's engine all the
    same (0: none): the worker then stays ahead of the writing thread, which costs about as
    much per page as the sources do, while this process's engine is mostly idle."""

    def __init__(
        self,
        sources: Sequence[Source],
        batch: int = BATCH,
        *,
        in_worker: bool = False,
        share_here: int = 0,
    ) -> None:
        self._batches = [list(sources[i : i + batch]) for i in range(0, len(sources), batch)]
        self._batch_of = {id(s): n for n, group in enumerate(self._batches) for s in group}
        count = len(self._batches)
        here = {n for n in range(count) if not in_worker or (share_here and n % share_here == 0)}
        # Started first: it loads its engine while the items are built.
        worker = start_worker() if len(here) < count else None
        items = [csl_items_to_format(group) for group in self._batches]
        # Each batch's pipeline, and its place in that pipeline's batches.
        self._route: list[tuple[_Pipeline, int]] = []
        self._pipelines: list[_Pipeline] = []
        routes: dict[int, tuple[_Pipeline, int]] = {}
        for local, name in ((True, "format-ahead"), (False, "format-ahead-worker")):
            mine = [n for n in range(len(items)) if (n in here) == local]
            if mine:
                pipeline = _Pipeline(
                    [items[n] for n in mine], name=name, worker=None if local else worker
                )
                self._pipelines.append(pipeline)
                routes.update((n, (pipeline, k)) for k, n in enumerate(mine))
        self._route = [routes[n] for n in range(len(items))]
        self._stored: set[int] = set()

    def formatted(self, source: Source) -> bool:
        """Wait until the batch holding `source` is formatted; True when `source.formatted`
        now holds its citations, False when the source was not handed in or its batch failed
        (or the worker was stopped before reaching it)."""
        n = self._batch_of.get(id(source))
        if n is None:
            return False
        pipeline, k = self._route[n]
        answers = pipeline.answer(k)
        if answers is None:
            return False
        if n not in self._stored:
            store_formatted(self._batches[n], answers)
            self._stored.add(n)
        return True

    def close(self) -> None:
        """Stop after the batch being formatted, wait for the threads, stop the worker."""
        for pipeline in self._pipelines:
            pipeline.close()


def item_key(item: Mapping[str, Any], apa_item: Mapping[str, Any]) -> str:
    """The pair of CSL items as one exact key (what the engine is given, nothing else)."""
    return json.dumps([item, apa_item], sort_keys=True, ensure_ascii=False)


class CitationsAhead:
    """Records' own citations formatted ahead, `batch` records per engine call, from the CSL
    items their saves are expected to format (`pairs`: (item, item for APA) each, in the order
    the records are saved). `lookup` is a citations.preformatted lookup: for the very items
    handed in, each style's citation as format_items gives it; for any other, None (the save
    formats as usual). An item whose id another item of its batch has starts the next batch
    (ids need only be unique within a call). `batch` 0 formats nothing ahead. `hits` counts
    the lookups answered."""

    def __init__(
        self, pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]], batch: int = BATCH
    ) -> None:
        self._where: dict[str, tuple[int, int]] = {}
        self.hits = 0
        batches: list[Batch] = []
        ids: set[str] = set()
        for item, apa_item in pairs if batch > 0 else []:
            key = item_key(item, apa_item)
            if key in self._where:
                continue
            if not batches or len(batches[-1][0]) >= batch or str(item.get("id")) in ids:
                batches.append(([], []))
                ids = set()
            ids.add(str(item.get("id")))
            self._where[key] = (len(batches) - 1, len(batches[-1][0]))
            batches[-1][0].append(item)
            batches[-1][1].append(apa_item)
        self._pipeline = _Pipeline(batches, name="citations-ahead")

    def lookup(self, item: Mapping[str, Any], apa_item: Mapping[str, Any]) -> dict[str, Any] | None:
        where = self._where.get(item_key(item, apa_item))
        if where is None:
            return None
        n, position = where
        answers = self._pipeline.answer(n)
        if answers is None:
            return None
        self.hits += 1
        return {key: answers[key][position].as_dict() for key in STYLES}

    def close(self) -> None:
        self._pipeline.close()

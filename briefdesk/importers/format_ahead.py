"""Format a brief import's new sources on a second thread while the briefs are written.

    ahead = FormatAhead(sources)        # starts formatting, batch after batch, in this order
    if ahead.formatted(source): ...     # waits for the source's batch; True: `formatted` is set
    ahead.close()                       # stops after the batch in hand and joins the thread

citeproc-js runs in V8's own thread (mini-racer), outside Python's global lock, so formatting
the next sources overlaps the database work of writing the current brief: an import costs
about the larger of the two instead of their sum. Every source is formatted before its brief's
transaction saves it, as when the import formatted everything first, so no source is ever
stored unformatted. The CSL items are built here, in the caller's thread (they read the site's
proper nouns from the database); the worker thread only calls the engine, never the database.

A batch the engine refuses (one bad entry fails a whole call) is left unformatted: `formatted`
answers False and the caller formats its sources one by one when saving them, which reports
the bad one's error against its own brief.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from briefdesk.citations.engine import Formatted, format_items
from briefdesk.citations.styles import STYLES
from briefdesk.sources.models import Source, csl_items_to_format, store_formatted

# Sources formatted per citeproc-js call: the call itself costs about as much as an entry.
BATCH = 50


class FormatAhead:
    def __init__(self, sources: Sequence[Source], batch: int = BATCH) -> None:
        self._batches = [list(sources[i : i + batch]) for i in range(0, len(sources), batch)]
        self._batch_of = {id(s): n for n, group in enumerate(self._batches) for s in group}
        self._items = [csl_items_to_format(group) for group in self._batches]
        self._answers: list[dict[str, list[Formatted]] | None] = [None] * len(self._batches)
        self._done = [threading.Event() for _ in self._batches]
        self._stored: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="format-ahead", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            for n, (items, apa_items) in enumerate(self._items):
                if self._stop.is_set():
                    return
                try:
                    self._answers[n] = {
                        key: format_items(apa_items if key == "apa" else items, key)
                        for key in STYLES
                    }
                except Exception:  # each of its sources is formatted (and fails) on its own
                    self._answers[n] = None
                self._done[n].set()
        finally:
            for done in self._done:  # nobody waits for ever on a stopped worker
                done.set()

    def formatted(self, source: Source) -> bool:
        """Wait until the batch holding `source` is formatted; True when `source.formatted`
        now holds its citations, False when the source was not handed in or its batch failed
        (or the worker was stopped before reaching it)."""
        n = self._batch_of.get(id(source))
        if n is None:
            return False
        self._done[n].wait()
        answers = self._answers[n]
        if answers is None:
            return False
        if n not in self._stored:
            store_formatted(self._batches[n], answers)
            self._stored.add(n)
        return True

    def close(self) -> None:
        """Stop after the batch being formatted and wait for the thread."""
        self._stop.set()
        self._thread.join()

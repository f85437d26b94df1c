"""The process a large brief import formats its new sources in (importers.format_ahead): a
second citeproc-js engine, on the other core.

    conn.send((n, items, apa_items))  # the importing process, batch after batch
    n, answers = conn.recv()          # each style's citations, or None: formatted on saving
    conn.send(None)                   # done: the worker leaves

This module imports no models: the worker is started with the "spawn" method (a V8 context
made before a fork hangs in the child) and loads only the engine, not Django's apps, nor a
database connection. It ignores Ctrl-C (the importing process stops it on the way out) and
leaves with os._exit: mini-racer's engine can hang in its finaliser at interpreter exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
from multiprocessing.connection import Connection
from typing import Any

from briefdesk.citations.engine import Formatted, format_items
from briefdesk.citations.styles import STYLES

Answers = dict[str, list[Formatted]]  # by style key


def format_batch(items: list[dict[str, Any]], apa_items: list[dict[str, Any]]) -> Answers:
    """Each style's citations of the items (APA: of `apa_items`), in order."""
    return {key: format_items(apa_items if key == "apa" else items, key) for key in STYLES}


# An item every style can print: formatting it loads the engine and each style (about two
# seconds of CPU), so that the first real batch does not wait for that.
_WARM_UP = {"id": "warm-up", "type": "book", "title": "Warm up", "issued": {"date-parts": [[2000]]}}


def warm_up() -> None:
    """Load the engine and every style in this process, if not loaded yet; never raises (a
    real batch then meets the same problem and reports it)."""
    with contextlib.suppress(Exception):
        format_batch([_WARM_UP], [_WARM_UP])


def serve(conn: Connection, citeproc_js: str) -> None:
    """Format each batch sent, answer (n, answers or None), until sent None or the importing
    process goes away; then leave the process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from django.conf import settings

    if not settings.configured:  # all the engine reads: where citeproc-js is
        settings.configure(BRIEFDESK_CITEPROC_JS=citeproc_js)
    warm_up()  # while the importing process builds the items
    try:
        while True:
            job = conn.recv()
            if job is None:
                break
            n, items, apa_items = job
            try:
                answers: Answers | None = format_batch(items, apa_items)
            except Exception:  # the importing process formats them one by one
                answers = None
            conn.send((n, answers))
    except (EOFError, OSError):
        pass
    finally:
        conn.close()
        os._exit(0)

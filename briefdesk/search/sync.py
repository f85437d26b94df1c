"""Keep this machine's search index (engine.py) true to the database.

    record_changes(["brief:12"])   # in the transaction that changed it (signals.py)
    sync()                         # apply what is pending: before every search, after commit
    rebuild()                      # from scratch (`briefdesk search --rebuild`, first search)

The database's change log (models.SearchChange) says which records may have changed; each
index remembers how far it has applied the log (engine.Synced). Applying a change reads the
record again and indexes it, or drops it when a reader may no longer open it, so applying one
twice is harmless. A change whose transaction committed after a later-numbered one's (two
editors publishing at once on PostgreSQL) is caught by looking back `WINDOW` ids below the
watermark for ids not applied yet.

Nothing here raises into a page or a publish: an index that cannot be written is logged and
caught up by the next search or publish. The search page still loads every result from the
database with the visibility rules, so a stale index can miss a record but never show one
a reader may not open.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .engine import IndexStore, Synced

logger = logging.getLogger(__name__)

WINDOW = 200  # ids below the watermark looked at again for late commits
# A search looks at the log at most this often per process (seconds), unless this process
# logged a change since: changes are applied when they commit, by the process that made
# them, so the look before a search only catches what a failed or busy apply left behind.
CHECK_INTERVAL = 1.0
MAX_PER_SYNC = 2000  # changes applied by one sync; the next one goes on

_stores: dict[str, IndexStore] = {}
_checked = {"at": float("-inf"), "dirty": True}


def index_root() -> Path:
    return Path(settings.BRIEFDESK_SEARCH_DIR)


def store() -> IndexStore:
    """This process's IndexStore for the configured directory."""
    root = str(index_root())
    if root not in _stores:
        _stores[root] = IndexStore(Path(root))
    return _stores[root]


def record_changes(keys: list[str]) -> None:
    """Log that the records `keys` name may have changed, in the current transaction, and
    apply the log once the transaction commits."""
    from .models import SearchChange

    if not keys:
        return
    SearchChange.objects.bulk_create([SearchChange(key=key[:40]) for key in keys])
    _checked["dirty"] = True
    transaction.on_commit(_sync_after_commit)


def _sync_after_commit() -> None:
    try:
        sync()
    except Exception:  # never fail a publish for the index: the next search catches up
        logger.exception("search index: applying changes failed; the next search retries")


def pending(synced: Synced) -> list[tuple[int, str]]:
    """(id, key) of the changes the index has not applied, oldest first. One indexed range
    read of at most WINDOW ids when nothing is pending; the keys only when something is."""
    from .models import SearchChange

    recent = set(synced.recent)
    window = SearchChange.objects.filter(id__gt=synced.watermark - WINDOW).order_by("id")
    ids = [
        pk
        for pk in window.values_list("id", flat=True)[: WINDOW + MAX_PER_SYNC]
        if pk > synced.watermark or pk not in recent
    ][:MAX_PER_SYNC]
    if not ids:
        return []
    return list(SearchChange.objects.filter(id__in=ids).order_by("id").values_list("id", "key"))


def sync_before_search() -> None:
    """`sync`, unless this process looked less than CHECK_INTERVAL seconds ago and has
    logged no change since."""
    now = time.monotonic()
    if not _checked["dirty"] and now - _checked["at"] < CHECK_INTERVAL:
        return
    _checked["at"] = now
    # Clean only when the log was read through: a busy index leaves the change pending.
    _checked["dirty"] = sync() is None


def sync(wait: float = 0.0) -> int | None:
    """Apply the pending changes (building the index first when there is none). Returns how
    many changes were applied (0: nothing to do), or None when another process held the
    index past `wait` seconds (it is applying or building)."""
    from .documents import documents_for

    index = store()
    synced = index.synced()
    if synced is None:
        return None if rebuild(wait=max(wait, 60.0)) is None else 0
    todo = pending(synced)
    if not todo:
        return 0
    with index.writing(wait) as writer:
        if writer is None:
            return None
        synced = index.synced() or Synced()  # another process may have applied some
        todo = pending(synced)
        if not todo:
            return 0
        documents, gone = documents_for(key for _, key in todo)
        writer.delete(gone)
        writer.replace(documents)
        writer.commit(_advanced(synced, [pk for pk, _ in todo]))
    return len(todo)


def _advanced(synced: Synced, applied: list[int]) -> Synced:
    watermark = max([synced.watermark, *applied])
    recent = sorted({*synced.recent, *applied})
    return Synced(watermark, [pk for pk in recent if pk > watermark - WINDOW])


def rebuild(wait: float = 600.0) -> int | None:
    """Index every record a reader may open into a new generation and swap it in. Returns
    how many were indexed, or None when another process was writing for `wait` seconds (it
    is building or updating the same index)."""
    from .documents import all_documents
    from .models import SearchChange

    index = store()
    with index.locked(wait) as held:
        if not held:
            return None
        # The log as it stands before the database is read: every change up to here is in
        # what the rebuild reads; later ones are applied by the next sync.
        ids = list(SearchChange.objects.order_by("-id").values_list("id", flat=True)[:WINDOW])
        watermark = ids[0] if ids else 0
        return index.rebuild(all_documents(), Synced(watermark, sorted(ids)))


def rebuild_report(wait: float = 60.0) -> str:
    """Rebuild the index (`rebuild`) and say in one line what happened, for the commands that
    leave a new database behind (restore, import-jsonl)."""
    count = rebuild(wait=wait)
    if count is None:
        return "The search index is busy: run `briefdesk search --rebuild`."
    return f"Search index rebuilt: {count} records."


def forget_stores() -> None:
    """Drop this process's open indexes (tests point each test at a directory of its own)."""
    _stores.clear()
    _checked["dirty"] = True

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
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .engine import IndexStore, Synced

logger = logging.getLogger(__name__)

WINDOW = 200  # ids below the watermark looked at again for late commits
MAX_PER_SYNC = 2000  # changes applied by one sync; the next one goes on

_stores: dict[str, IndexStore] = {}


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
    transaction.on_commit(_sync_after_commit)


def _sync_after_commit() -> None:
    try:
        sync()
    except Exception:  # never fail a publish for the index: the next search catches up
        logger.exception("search index: applying changes failed; the next search retries")


def pending(synced: Synced) -> list[tuple[int, str]]:
    """(id, key) of the changes the index has not applied, oldest first. One indexed range
    read of ids; the keys only when there is something to apply."""
    from .models import SearchChange

    floor = synced.watermark - WINDOW
    unapplied = (
        SearchChange.objects.filter(id__gt=floor)
        .exclude(id__in=[pk for pk in synced.recent if pk > floor])
        .order_by("id")
    )
    ids = list(unapplied.values_list("id", flat=True)[:MAX_PER_SYNC])
    if not ids:
        return []
    return list(SearchChange.objects.filter(id__in=ids).order_by("id").values_list("id", "key"))


def sync(wait: float = 0.0) -> int:
    """Apply the pending changes (building the index first when there is none). Returns how
    many changes were applied; 0 also when another process holds the index (it applies
    them) or there was nothing to do."""
    from .documents import documents_for

    index = store()
    synced = index.synced()
    if synced is None:
        rebuild(wait=max(wait, 60.0))
        return 0
    todo = pending(synced)
    if not todo:
        return 0
    with index.writing(wait) as writer:
        if writer is None:
            return 0
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


def forget_stores() -> None:
    """Drop this process's open indexes (tests point each test at a directory of its own)."""
    _stores.clear()

"""Keep stored citations true when an outlet changes: its name can be a source's container
title or publisher, so every source of a renamed outlet is re-formatted. An outlet changes
for readers when its revision is published (a draft leaves the row alone).

A snapshot's files go with its row: deleting a source deletes its snapshots (CASCADE), and
their WARCs and documents are removed from storage once the deletion commits (not before: a
rolled-back deletion keeps its files)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Outlet, Snapshot

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Outlet)
def reformat_outlet_sources(sender: type[Outlet], instance: Outlet, **kwargs: Any) -> None:
    # A save with update_fields is Wagtail's bookkeeping (a draft revision, a lock): the row,
    # which is what readers see, did not change. Publishing saves the whole row.
    if kwargs.get("created") or kwargs.get("raw") or kwargs.get("update_fields"):
        return
    for source in instance.sources.select_related("outlet"):
        source.save(update_fields=["formatted", "updated_at"])


@receiver(post_delete, sender=Snapshot)
def delete_snapshot_files(sender: type[Snapshot], instance: Snapshot, **kwargs: Any) -> None:
    files = [(f.storage, f.name) for f in (instance.warc, instance.document) if f.name]

    def delete() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except Exception:  # a file already gone or a storage hiccup: the row is gone
                logger.exception("Could not delete snapshot file %s", name)

    transaction.on_commit(delete)

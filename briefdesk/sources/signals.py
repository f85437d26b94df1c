"""Keep stored citations true when an outlet changes: its name can be a source's container
title or publisher, so every source of a renamed outlet is re-formatted. An outlet changes
for readers when its revision is published (a draft leaves the row alone)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Outlet


@receiver(post_save, sender=Outlet)
def reformat_outlet_sources(sender: type[Outlet], instance: Outlet, **kwargs: Any) -> None:
    # A save with update_fields is Wagtail's bookkeeping (a draft revision, a lock): the row,
    # which is what readers see, did not change. Publishing saves the whole row.
    if kwargs.get("created") or kwargs.get("raw") or kwargs.get("update_fields"):
        return
    for source in instance.sources.select_related("outlet"):
        source.save(update_fields=["formatted", "updated_at"])

"""Keep stored citations true when an outlet changes: its name can be a source's container
title or publisher, so every source of a renamed outlet is re-formatted."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Outlet


@receiver(post_save, sender=Outlet)
def reformat_outlet_sources(sender: type[Outlet], instance: Outlet, **kwargs: Any) -> None:
    if kwargs.get("created") or kwargs.get("raw"):
        return
    for source in instance.sources.select_related("outlet"):
        source.save(update_fields=["formatted", "updated_at"])

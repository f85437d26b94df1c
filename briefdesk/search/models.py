"""The search index's change log: one row per record whose search entry may have changed.

Written by the signal receivers (search/signals.py) in the transaction that made the change,
so a change the database keeps is never lost to the index, and one it rolls back is never
indexed. Each machine's index applies the rows it has not applied yet (search/sync.py).
"""

from __future__ import annotations

from django.db import models


class SearchChange(models.Model):
    """`key` names what changed: "brief:12", "expert:3", "source:40", "outlet:2", or
    "page:7" for a page and everything under it (moved, made private, public again)."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "search index change"

    def __str__(self) -> str:
        return f"{self.id} {self.key}"

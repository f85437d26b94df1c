"""Keep the stored More on This Topic lists (related_store) true as briefs change: a brief
published or republished is scored and enters the lists it now ranks in; a brief unpublished,
deleted or made private leaves every list, and the briefs that listed it get their next best.
A view restriction on a section counts for every brief under it.

Synchronous for now: each receiver calls one related_store function with ids, which a task
queue can run as it is once a worker exists."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from .models import BriefPage
from .related_store import update_related, withdraw_related


@receiver(page_published, sender=BriefPage)
def score_published_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    update_related(instance.pk)


@receiver(page_unpublished, sender=BriefPage)
def withdraw_unpublished_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    withdraw_related([instance.pk])


@receiver(pre_delete, sender=BriefPage)
def note_deleted_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    instance._was_live = instance.live  # type: ignore[attr-defined]


@receiver(post_delete, sender=BriefPage)
def withdraw_deleted_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    # Its own rows went with it (cascade); the lists of the briefs that listed it went short.
    if getattr(instance, "_was_live", True):
        withdraw_related([instance.pk])


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def rescore_when_privacy_changes(
    sender: type[PageViewRestriction], instance: PageViewRestriction, **kwargs: Any
) -> None:
    """A restriction added, changed or removed on a brief or on a page above briefs: those
    briefs are withdrawn when now private, scored again when public again."""
    page = Page.objects.filter(pk=instance.page_id).only("path", "depth").first()
    if page is None:  # the page is being deleted: its briefs go with it
        return
    # update_related withdraws a brief that is no longer public, and scores one that is.
    briefs = BriefPage.objects.filter(path__startswith=page.path).live()
    for brief_id in briefs.values_list("pk", flat=True):
        update_related(brief_id)

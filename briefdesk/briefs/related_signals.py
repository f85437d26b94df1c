"""Keep the stored More on This Topic lists (related_store) true as briefs change: a brief
published or republished is scored and enters the lists it now ranks in; a brief unpublished,
deleted or made private leaves every list, and the briefs that listed it get their next best.
A view restriction on a section counts for every brief under it.

Each receiver enqueues one job of briefs.tasks with ids (enqueue_once: not again while an
equal job waits): with the immediate backend it runs here, inside the publish; with the
database backend `briefdesk worker` runs it after the publish commits."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from briefdesk.core.tasks import enqueue_once

from .models import BriefPage
from .tasks import score_related_task, withdraw_related_task


@receiver(page_published, sender=BriefPage)
def score_published_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    enqueue_once(score_related_task, instance.pk)


@receiver(page_unpublished, sender=BriefPage)
def withdraw_unpublished_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    enqueue_once(withdraw_related_task, [instance.pk])


@receiver(pre_delete, sender=BriefPage)
def note_deleted_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    instance._was_live = instance.live


@receiver(post_delete, sender=BriefPage)
def withdraw_deleted_brief(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    # Its own rows went with it (cascade); the lists of the briefs that listed it went short.
    if getattr(instance, "_was_live", True):
        enqueue_once(withdraw_related_task, [instance.pk])


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
    # The scoring job withdraws a brief that is no longer public, and scores one that is.
    briefs = BriefPage.objects.filter(path__startswith=page.path).live()
    for brief_id in briefs.values_list("pk", flat=True):
        enqueue_once(score_related_task, brief_id)

"""Log every change that can alter what the public search finds (sync.record_changes).

A brief, guide or expert published, unpublished, deleted or moved; a section made private
or public again; a source saved or deleted; an outlet renamed; a citation added or removed
(a source is public while a public brief cites it). What each key brings along when applied
(an expert's briefs, a brief's sources, a page's subtree) is documents._expand's business.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from briefdesk.briefs.models import AuthorPage, BriefPage, BriefSource
from briefdesk.sources.models import Outlet, Source
from briefdesk.topics.models import TopicGuidePage

from .sync import record_changes


def _page_key(page: Any) -> str:
    if isinstance(page, BriefPage):
        return f"brief:{page.pk}"
    if isinstance(page, AuthorPage):
        return f"expert:{page.pk}"
    return f"page:{page.pk}"  # a guide (and its sub-guides), or a section


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, BriefPage | AuthorPage | TopicGuidePage):
        record_changes([_page_key(instance)])


@receiver(post_page_move)
def page_moved(sender: Any, instance: Any, **kwargs: Any) -> None:
    record_changes([f"page:{instance.pk}"])


@receiver(post_delete, sender=BriefPage)
@receiver(post_delete, sender=AuthorPage)
@receiver(post_delete, sender=TopicGuidePage)
def page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    kind = {BriefPage: "brief", AuthorPage: "expert", TopicGuidePage: "guide"}[sender]
    record_changes([f"{kind}:{instance.pk}"])


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def privacy_changed(sender: Any, instance: PageViewRestriction, **kwargs: Any) -> None:
    record_changes([f"page:{instance.page_id}"])


@receiver(post_save, sender=Source)
@receiver(post_delete, sender=Source)
def source_changed(sender: Any, instance: Source, **kwargs: Any) -> None:
    record_changes([f"source:{instance.pk}"])


@receiver(post_save, sender=Outlet)
def outlet_changed(sender: Any, instance: Outlet, **kwargs: Any) -> None:
    record_changes([f"outlet:{instance.pk}"])


@receiver(post_save, sender=BriefSource)
@receiver(post_delete, sender=BriefSource)
def citation_changed(sender: Any, instance: BriefSource, **kwargs: Any) -> None:
    record_changes([f"source:{instance.source_id}"])

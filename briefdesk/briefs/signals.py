"""Keep what is stored about briefs true when what they show changes elsewhere: the brief's
own citation when an author's name changes, and the cached PDFs (printing.py) whenever a new
revision is published or a cited source, an outlet, an author or a topic guide changes — and
whenever a page stops (or starts) being public: unpublished, deleted, or made private or public
again by a view restriction. A PDF shows only what a reader may see, so it is made again."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from briefdesk.core.tasks import enqueue_once, uses_worker
from briefdesk.sources.models import Source
from briefdesk.topics.models import TopicGuidePage

from .models import AuthorPage, BriefPage, BriefPdf
from .printing import invalidate_pdfs
from .tasks import make_pdfs_task


@receiver(page_published, sender=AuthorPage)
def reformat_author_briefs(sender: type[AuthorPage], instance: AuthorPage, **kwargs: Any) -> None:
    briefs = list(BriefPage.objects.filter(brief_authors__author=instance).distinct())
    for brief in briefs:
        brief.refresh_citations()
        BriefPage.objects.filter(pk=brief.pk).update(citations=brief.citations)
    invalidate_pdfs([brief.pk for brief in briefs])


@receiver(page_published, sender=BriefPage)
def replace_brief_pdfs(sender: type[BriefPage], instance: BriefPage, **kwargs: Any) -> None:
    revision = kwargs.get("revision")
    invalidate_pdfs([instance.pk], keep_revision=revision.pk if revision else None)
    # With a worker the new revision's PDF is made at once, off the publish; with the
    # immediate backend it is made at the first request, as before (not inside the publish).
    if uses_worker():
        enqueue_once(make_pdfs_task, instance.pk)


@receiver(page_unpublished, sender=BriefPage)
def drop_unpublished_brief_pdfs(
    sender: type[BriefPage], instance: BriefPage, **kwargs: Any
) -> None:
    invalidate_pdfs([instance.pk])


@receiver(page_unpublished, sender=AuthorPage)
def drop_unpublished_author_brief_pdfs(
    sender: type[AuthorPage], instance: AuthorPage, **kwargs: Any
) -> None:
    # Their briefs' bylines no longer link to the page.
    ids = BriefPage.objects.filter(brief_authors__author=instance).values_list("pk", flat=True)
    invalidate_pdfs(list(ids.distinct()))


@receiver(page_unpublished, sender=TopicGuidePage)
@receiver(pre_delete, sender=TopicGuidePage)
def drop_pdfs_showing_a_withdrawn_topic(
    sender: type[TopicGuidePage], instance: TopicGuidePage, **kwargs: Any
) -> None:
    # Any brief may have a box for the guide in its body, not only those filed under it;
    # withdrawing a guide is rare, and the PDFs are a cache.
    invalidate_pdfs()


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def drop_pdfs_when_privacy_changes(
    sender: type[PageViewRestriction], instance: PageViewRestriction, **kwargs: Any
) -> None:
    """A restriction added, changed or removed. On a brief: that brief's PDFs go (a private
    brief keeps no file; a brief made public again is rendered afresh). On any other page (a
    section, a topic guide, an author page): every PDF goes, since any brief may name or box
    that page, or sit under it."""
    page = Page.objects.filter(pk=instance.page_id).only("content_type").first()
    if page is None:  # the page is being deleted: its briefs' PDFs go with them
        return
    if page.specific_class is BriefPage:
        invalidate_pdfs([page.pk])
    else:
        invalidate_pdfs()


@receiver(page_published, sender=TopicGuidePage)
def drop_topic_brief_pdfs(
    sender: type[TopicGuidePage], instance: TopicGuidePage, **kwargs: Any
) -> None:
    # A topic's title is a PDF keyword and can appear in a brief's topic-guide box.
    ids = BriefPage.objects.filter(brief_topics__topic=instance).values_list("pk", flat=True)
    invalidate_pdfs(list(ids.distinct()))


def _briefs_citing(source: Source) -> list[int]:
    return list(source.citing_briefs.values_list("page_id", flat=True))


@receiver(post_save, sender=Source)
def drop_citing_brief_pdfs(sender: type[Source], instance: Source, **kwargs: Any) -> None:
    # An outlet rename re-saves its sources, so it arrives here too. A save of other columns
    # only (a draft revision, a lock) leaves what readers see as it was.
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "formatted" not in update_fields:
        return
    if not kwargs.get("created") and not kwargs.get("raw"):
        invalidate_pdfs(_briefs_citing(instance))


@receiver(pre_delete, sender=Source)
def drop_pdfs_citing_deleted_source(sender: type[Source], instance: Source, **kwargs: Any) -> None:
    invalidate_pdfs(_briefs_citing(instance))


@receiver(post_delete, sender=BriefPdf)
def delete_pdf_file(sender: type[BriefPdf], instance: BriefPdf, **kwargs: Any) -> None:
    """A dropped PDF's file goes too, once the deletion is committed (also when its brief is
    deleted and the record goes with it)."""
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))

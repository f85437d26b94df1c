"""Purge on change: each handler names what showed the old state (before the change) and what
shows the new one (after it), and purges both once the change commits (purge.py).

- A page saved whole (Wagtail's publish and unpublish both save the page whole; a draft of a
  live page saves only some columns), moved or deleted: its dependents by kind (brief,
  expert, guide, any other page).
- A source saved or deleted; an outlet saved (its sources); a snapshot taken; a link check
  whose state differs from the source's previous one: the source's pages and the briefs
  citing it.
- A brief's More on This Topic list rewritten (briefs.related_store): that brief's pages.
- A view restriction added, changed or removed, a section moved: everything. So does a page
  saved, moved or deleted that changes the navigation or footer every page shows (a guide
  in the main topics renamed, a guide added to or taken off the menu, About retitled).

Saves of some columns only (a draft revision of a live page, a lock, a stored count) change
nothing readers see and purge nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import post_page_move

from . import purge

logger = logging.getLogger("briefdesk.cache")

_BEFORE = "_pagecache_before"
_CHROME_BEFORE = "_pagecache_chrome_before"
# Columns of a source that readers never see.
BOOKKEEPING = {"latest_revision", "locked", "locked_by", "locked_at", "has_unpublished_changes"}


def _never_fails(handler: Callable[..., None]) -> Callable[..., None]:
    """A handler that cannot work out what to purge must not fail the editor's save: it logs
    the error and purges everything instead."""

    @functools.wraps(handler)
    def safe(*args: Any, **kwargs: Any) -> None:
        try:
            handler(*args, **kwargs)
        except Exception:
            logger.exception("page cache: %s failed; purging every page", handler.__name__)
            purge.purge_everything()

    return safe


def _full_save(kwargs: dict[str, Any]) -> bool:
    return kwargs.get("update_fields") is None and not kwargs.get("raw")


@_never_fails
def page_before_save(sender: type[Page], instance: Page, **kwargs: Any) -> None:
    if not _full_save(kwargs):
        return
    if instance.pk is not None:
        setattr(instance, _BEFORE, purge.paths_for_page(instance))
    if instance.pk is not None or instance.live:
        setattr(instance, _CHROME_BEFORE, purge.site_chrome())


@_never_fails
def page_after_save(sender: type[Page], instance: Page, **kwargs: Any) -> None:
    if not _full_save(kwargs):
        return
    before: set[str] | None = instance.__dict__.pop(_BEFORE, None)
    chrome_before = instance.__dict__.pop(_CHROME_BEFORE, None)
    if before is None and not instance.live:
        return  # a new draft: nothing showed it, nothing shows it
    page_id = instance.pk

    def after() -> set[str]:
        if chrome_before is not None and purge.site_chrome() != chrome_before:
            purge.purge_everything_now()  # every page's navigation or footer changed
            return set()
        return purge.paths_for_page_id(page_id)

    purge.purge(before or set(), after=after)


@_never_fails
def page_before_delete(sender: type[Page], instance: Page, **kwargs: Any) -> None:
    if instance.live:
        if instance.pk in {pk for pk, _, _ in purge.site_chrome()}:
            purge.purge_everything()  # it leaves every page's navigation or footer
        else:
            purge.purge(purge.paths_for_page(instance))


@_never_fails
def page_moved(sender: type[Page], instance: Page, **kwargs: Any) -> None:
    from briefdesk.briefs.models import BriefPage
    from briefdesk.core import sitecache

    # A restricted page that moved is private at its new path (sitecache.restricted_paths).
    transaction.on_commit(sitecache.forget)

    if instance.specific_class is BriefPage and not instance.get_children().exists():
        old_path = purge.page_path_from_url_path(kwargs.get("url_path_before", ""))
        page_id = instance.pk
        before = {old_path} if old_path else set()
        purge.purge(before, after=lambda: purge.paths_for_page_id(page_id))
    else:  # a section: every page under it has a new URL
        purge.purge_everything()


@_never_fails
def everything_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A view restriction, the Site, an image or a document: any page may show it."""
    purge.purge_everything()


@_never_fails
def source_before_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is not None:
        setattr(instance, _BEFORE, purge.source_paths(instance.pk))


@_never_fails
def source_after_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before: set[str] = instance.__dict__.pop(_BEFORE, set())
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= BOOKKEEPING:
        return
    source_id = instance.pk
    purge.purge(before, after=lambda: purge.source_paths(source_id))


@_never_fails
def source_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    purge.purge(instance.__dict__.pop(_BEFORE, set()))


@_never_fails
def outlet_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or kwargs.get("created"):
        return
    paths: set[str] = set()
    for source_id in instance.sources.values_list("pk", flat=True):
        paths |= purge.source_paths(source_id)
    purge.purge(paths)


@_never_fails
def snapshot_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("created") and not kwargs.get("raw"):
        purge.purge(purge.source_paths(instance.source_id))


@_never_fails
def link_checked(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("created") or kwargs.get("raw"):
        return
    previous = (
        type(instance)
        .objects.filter(source_id=instance.source_id)
        .exclude(pk=instance.pk)
        .order_by("-checked_at", "-pk")
        .values_list("state", flat=True)
        .first()
    )
    if previous != instance.state:
        purge.purge(purge.source_paths(instance.source_id))


def connect() -> None:
    from briefdesk.sources.models import LinkCheck, Outlet, Snapshot, Source

    for model in _page_models():
        name = model._meta.label
        pre_save.connect(page_before_save, sender=model, dispatch_uid=f"pagecache-pre:{name}")
        post_save.connect(page_after_save, sender=model, dispatch_uid=f"pagecache-post:{name}")
        pre_delete.connect(page_before_delete, sender=model, dispatch_uid=f"pagecache-del:{name}")
    post_page_move.connect(page_moved, dispatch_uid="pc-move")
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Site

    for model in (PageViewRestriction, Site, get_image_model(), get_document_model()):
        for signal in (post_save, post_delete):
            signal.connect(everything_changed, sender=model, dispatch_uid="pagecache-all")
    pre_save.connect(source_before_change, sender=Source, dispatch_uid="pc-src-pre")
    post_save.connect(source_after_save, sender=Source, dispatch_uid="pc-src-post")
    pre_delete.connect(source_before_change, sender=Source, dispatch_uid="pc-src-predel")
    post_delete.connect(source_deleted, sender=Source, dispatch_uid="pc-src-del")
    post_save.connect(outlet_saved, sender=Outlet, dispatch_uid="pc-outlet")
    post_save.connect(snapshot_saved, sender=Snapshot, dispatch_uid="pc-snapshot")
    post_save.connect(link_checked, sender=LinkCheck, dispatch_uid="pc-linkcheck")


def _page_models() -> list[type[Page]]:
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, Page)]

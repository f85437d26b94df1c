"""A brief's review is the review of the new sources it cites.

An author who cites a source that does not exist yet creates it as a draft (in the chooser or
the snippet screens); readers see that citation as plain text until the source is live. When an
editor publishes the brief, every source it cites that was never published goes live with it,
together with any never-published outlet of those sources:

    brief.save_revision().publish()   # -> publish_new_cited_sources(brief)

Only never-published records are published this way. A live source with unpublished changes
keeps its published version until an editor publishes that change on its own (it may be cited
by other briefs whose editors never saw it); an unpublished (taken down) source stays down.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.dispatch import receiver
from wagtail.log_actions import get_active_log_context
from wagtail.signals import page_published

from briefdesk.briefs.models import BriefPage

from .models import Outlet, Reviewed, Source

logger = logging.getLogger(__name__)


def _never_published(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(live=False, first_published_at__isnull=True)


def _publish(record: Reviewed, user: Any) -> bool:
    """Publish the record's latest revision (its draft row if it has none). A draft that is
    not valid (drafts may leave required fields empty) stays a draft; returns False then."""
    try:
        record.full_clean()
    except ValidationError as exc:
        logger.warning("Draft %r was not published with its brief: %s", record, exc.messages)
        return False
    revision = record.latest_revision or record.save_revision(user=user, log_action=False)
    revision.publish(user=user, skip_permission_checks=True)
    return True


def publish_new_cited_sources(brief: BriefPage, user: Any = None) -> list[Source]:
    """Publish the never-published sources this brief's saved content cites, and their
    never-published outlets first; returns the sources published.

    Trusts the caller: it is for a brief an editor has just published (the permission was
    checked then). Reads the brief's cited-source index, which a publish rebuilds.
    """
    sources = list(
        _never_published(Source.objects.filter(citing_briefs__page=brief)).select_related("outlet")
    )
    outlet_ids = {source.outlet_id for source in sources if source.outlet_id}
    for outlet in _never_published(Outlet.objects.filter(pk__in=outlet_ids)):
        _publish(outlet, user)
    return [source for source in sources if _publish(source, user)]


@receiver(page_published, sender=BriefPage)
def publish_sources_with_their_brief(
    sender: type[BriefPage], instance: BriefPage, **kwargs: Any
) -> None:
    # The signal does not say who published; in the admin Wagtail's log context does.
    publish_new_cited_sources(instance, user=get_active_log_context().user)

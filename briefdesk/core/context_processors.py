from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _main_topics() -> list[Any]:
    from briefdesk.core.visibility import in_private_section
    from briefdesk.topics.models import TopicGuidePage

    # Menus show what editors flag with "show in menus", and only guides a reader may open:
    # a guide made private keeps its flag. (On every page: the privacy test is in the query.)
    topics = TopicGuidePage.objects.live().exclude(in_private_section()).filter(show_in_menus=True)
    return list(topics.order_by("title")[:6])


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """Site name and main topics for the header; the topic query runs only if rendered."""
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "main_topics": SimpleLazyObject(_main_topics),
    }

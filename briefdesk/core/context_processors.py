from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _main_topics() -> list[Any]:
    from briefdesk.topics.models import TopicGuidePage

    # Menus show what editors flag with "show in menus"; a private topic is not flagged.
    return list(TopicGuidePage.objects.live().filter(show_in_menus=True).order_by("title")[:6])


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """Site name and main topics for the header; the topic query runs only if rendered."""
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "main_topics": SimpleLazyObject(_main_topics),
    }

"""`{% feed_links %}` prints the <link rel="alternate"> tags of the feeds that match the page
being rendered: the site's feeds on every page, and on a topic guide or an expert's page
(one a reader may open) that guide's or expert's feeds too, theirs first."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from briefdesk.briefs.models import AuthorPage
from briefdesk.core.visibility import is_visible, restricted_paths
from briefdesk.topics.models import TopicGuidePage

from ..channels import feed_path, topic_key
from ..formats import FORMAT_NAMES, MEDIA_TYPES

register = template.Library()


def page_channel(page: Any) -> tuple[str, str] | None:
    """(key, title) of the channel that follows `page`, or None."""
    if not isinstance(page, TopicGuidePage | AuthorPage):
        return None
    if not is_visible(page, restricted_paths()):
        return None  # a draft's preview, or a private page: its feed would be a 404
    site = settings.WAGTAIL_SITE_NAME
    if isinstance(page, AuthorPage):
        return f"experts/{page.slug}", f"{site} — {page.name}"
    key = topic_key(page)
    return (key, f"{site} — {page.title}") if key else None


@register.simple_tag(takes_context=True)
def feed_links(context: dict[str, Any]) -> SafeString:
    channels = []
    own = page_channel(context.get("page"))
    if own is not None:
        channels.append(own)
    channels.append(("", settings.WAGTAIL_SITE_NAME))
    return format_html_join(
        "\n  ",
        '<link rel="alternate" type="{}" title="{}" href="{}">',
        (
            (MEDIA_TYPES[fmt], f"{title} ({FORMAT_NAMES[fmt]})", feed_path(key, fmt))
            for key, title in channels
            for fmt in FORMAT_NAMES
        ),
    )

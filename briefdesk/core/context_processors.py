from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

# The main navigation: (label, path). The current section is the one the path starts with.
SECTIONS = [
    ("Briefs", "/briefs/"),
    ("Topics", "/topics/"),
    ("Experts", "/authors/"),
    ("Search", "/search/"),
]
# Plain pages under the home page that the footer links to when they are live and public.
FOOTER_SLUGS = ("about", "contact")


def main_topics() -> list[Any]:
    """The topic guides in the navigation strip of every page (at most six, by title)."""
    from briefdesk.core.visibility import in_private_section
    from briefdesk.topics.models import TopicGuidePage

    # Menus show what editors flag with "show in menus", and only guides a reader may open:
    # a guide made private keeps its flag. (On every page: the privacy test is in the query.)
    topics = TopicGuidePage.objects.live().exclude(in_private_section()).filter(show_in_menus=True)
    return list(topics.order_by("title")[:6])


def footer_pages() -> list[Any]:
    """About and Contact (in that order): StandardPages directly under a home page."""
    from briefdesk.core.models import StandardPage
    from briefdesk.core.visibility import in_private_section

    pages = (
        StandardPage.objects.live()
        .exclude(in_private_section())
        .filter(slug__in=FOOTER_SLUGS, depth=3)
        .only("id", "title", "slug", "url_path", "path", "depth")
    )
    by_slug = {page.slug: page for page in pages}
    return [by_slug[slug] for slug in FOOTER_SLUGS if slug in by_slug]


def current_section(path: str) -> str:
    """The path of the main section `path` is in ("/briefs/"), or "" (the home page, a source)."""
    return next((prefix for _, prefix in SECTIONS if path.startswith(prefix)), "")


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """Site name, publisher, navigation and footer for every page. The main topics and footer
    pages are read only if a template renders them, and kept between changes (sitecache)."""
    from .sitecache import nav_links

    section = current_section(request.path)
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "publisher": settings.BRIEFDESK_PUBLISHER,
        "main_topics": SimpleLazyObject(lambda: nav_links(request, main_topics, "main_topics")),
        "footer_pages": SimpleLazyObject(lambda: nav_links(request, footer_pages, "footer")),
        "nav_sections": [
            {"label": label, "url": prefix, "current": prefix == section}
            for label, prefix in SECTIONS
        ],
        "copyright_year": timezone.localdate().year,
    }

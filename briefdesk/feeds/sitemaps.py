"""The pages section of /sitemap.xml (sources/sitemaps.py adds the source pages).

Wagtail's page sitemap, which lists every live page outside a private section on the Site's
host and port (core/origin.py keeps the Site on BRIEFDESK_BASE_URL), with one change: a page
that lists briefs is dated by the newest publication among them, not only its own, since that
is when a crawler would find it changed —

- the home page and the briefs index: the newest public brief;
- a topic guide: the newest public brief filed under it or a sub-guide it covers (as its
  page lists them: topics.guide);
- an expert's page: the newest public brief they wrote.

A few queries for the whole sitemap, whatever its size. Caveat: a brief that leaves a listing
(unpublished, made private) does not move the listing's date forward.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max
from wagtail.contrib.sitemaps import Sitemap as WagtailPageSitemap
from wagtail.models import Page

from briefdesk.briefs.models import BriefAuthor, BriefIndexPage, BriefPage, BriefTopic
from briefdesk.core.visibility import restricted_paths
from briefdesk.topics.guide import guide_coverage


def listing_dates(home_id: int | None) -> dict[int, dt.datetime]:
    """Page id -> the newest publication among the public briefs that page lists (a guide's
    include its sub-guides', as its page lists them)."""
    public = BriefPage.objects.live().public().values("pk")
    by_link: dict[type, dict[int, dt.datetime]] = {}
    for link_model, field in ((BriefTopic, "topic"), (BriefAuthor, "author")):
        rows = (
            link_model.objects.filter(page__in=public)
            .values_list(field)
            .annotate(latest=Max("page__last_published_at"))
        )
        by_link[link_model] = {pk: latest for pk, latest in rows if latest is not None}
    dates = dict(by_link[BriefAuthor])
    filed = by_link[BriefTopic]
    for guide_id, covered in guide_coverage(restricted_paths()).items():
        known = [filed[pk] for pk in covered if pk in filed]
        if known:
            dates[guide_id] = max(known)
    newest = BriefPage.objects.live().public().aggregate(latest=Max("last_published_at"))["latest"]
    if newest is not None:
        for page_id in [home_id, *BriefIndexPage.objects.values_list("pk", flat=True)]:
            if page_id is not None:
                dates[page_id] = newest
    return dates


class PageSitemap(WagtailPageSitemap):
    def items(self) -> Any:
        """Wagtail's pages, as base Page objects: Page.get_sitemap_urls reads only the base
        fields, and loading every page as its specific type was half the sitemap's time
        (a page type that says otherwise is read as its own type in `_urls`)."""
        return (
            self.get_wagtail_site()
            .root_page.get_descendants(inclusive=True)
            .live()
            .public()
            .order_by("path")
        )

    def _urls(self, page: int, protocol: str, domain: str) -> list[dict[str, Any]]:
        # Wagtail's own loop (sitemap_generator.Sitemap._urls), with the listing dates.
        site = self.get_wagtail_site()
        dates = listing_dates(site.root_page_id)
        urls = []
        last_mods = set()
        for item in self.paginator.page(page).object_list.iterator():
            if _own_sitemap_urls(item.specific_class):
                item = item.specific
            for url_info in item.get_sitemap_urls(self.request):
                listed = dates.get(item.pk)
                own = url_info.get("lastmod")
                if listed is not None:
                    url_info["lastmod"] = max(own, listed) if own is not None else listed
                urls.append(url_info)
                last_mods.add(url_info.get("lastmod"))
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls


def _own_sitemap_urls(page_class: type | None) -> bool:
    """Whether pages of this type say what the sitemap lists of them."""
    return (
        page_class is not None
        and getattr(page_class, "get_sitemap_urls", None) is not Page.get_sitemap_urls
    )


class UrlsetXml:
    """Django's sitemap.xml template (django/contrib/sitemaps/templates/sitemap.xml) written
    without the template engine: the same bytes (feeds/tests/test_sitemap.py compares the
    two), in about half the time on a site of thousands of pages, where the template's loop
    was half of the sitemap's render (and of a bake re-run's). Each value is rendered as the
    template renders it (render_value_in_context: local time, localisation, escaping)."""

    HEAD = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    TAIL = "\n</urlset>\n"

    def render(self, context: dict[str, Any] | None = None, request: Any = None) -> str:
        from django.template import Context
        from django.template.base import render_value_in_context
        from django.template.defaultfilters import date
        from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

        engine_context = Context(autoescape=True)

        def text(value: Any) -> str:
            return str(render_value_in_context(value, engine_context))

        parts = []
        for url in (context or {}).get("urlset", []):
            parts.append(f"<url><loc>{text(url.get('location', ''))}</loc>")
            if url.get("lastmod"):
                day = date(template_localtime(url["lastmod"]), "Y-m-d")
                parts.append(f"<lastmod>{text(day)}</lastmod>")
            if url.get("changefreq"):
                parts.append(f"<changefreq>{text(url['changefreq'])}</changefreq>")
            if url.get("priority"):
                parts.append(f"<priority>{text(url['priority'])}</priority>")
            for alternate in url.get("alternates") or ():
                lang = text(alternate.get("lang_code", ""))
                href = text(alternate.get("location", ""))
                parts.append(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{href}"/>')
            parts.append("</url>")
        return self.HEAD + "".join(parts) + self.TAIL


URLSET_XML = UrlsetXml()

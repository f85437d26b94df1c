"""The sitemap section for source pages (/sitemap.xml combines it with Wagtail's pages).

Each URL is on the canonical origin, settings.WAGTAILADMIN_BASE_URL, whatever host the sitemap
was asked on; only sources with a public page are listed (`views.public_sources`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from briefdesk.core.urlpatterns import url_pattern

from .models import Source
from .views import public_sources

if TYPE_CHECKING:
    _SourceSitemapBase = Sitemap[Source]  # Sitemap is generic in django-stubs only
else:
    _SourceSitemapBase = Sitemap


class SourceSitemap(_SourceSitemapBase):
    """Every public source page, in id order, with the time its record last changed."""

    def items(self) -> QuerySet[Source]:
        return public_sources().only("pk", "updated_at").order_by("pk")

    def location(self, item: Source) -> str:
        return url_pattern("sources:detail", 1).format(item.pk)

    def lastmod(self, item: Source) -> dt.datetime:
        return item.updated_at

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.WAGTAILADMIN_BASE_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        return f"{base.netloc}{base.path.rstrip('/')}"

"""The site's one canonical origin, settings.WAGTAILADMIN_BASE_URL (env BRIEFDESK_BASE_URL),
and what must follow it when it changes.

    result = sync_origin()      # after every migrate, and when the demo loads

makes the only Wagtail Site answer on the base URL's host and port (Wagtail builds the sitemap
and its own full URLs from the Site, not from the setting), and re-formats the stored citations
when they were made with another base URL (brief citations print the brief's URL) or another
citation engine, style release or publisher (briefdesk.citations.fingerprint).

Caveats: a deployment with several Sites is configured by hand and left alone; a Site has no
scheme, so Wagtail prints https only for port 443 (an `https://host:8443` base URL would give
http sitemap links); a path after the host cannot be a Site's and is ignored here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import DEFAULT_DB_ALIAS, connections

from .stored_citations import current_base_url, record_base_url, reformat_stored_citations


@dataclass(frozen=True)
class SiteAddress:
    hostname: str
    port: int


@dataclass(frozen=True)
class OriginSync:
    site_changed: bool
    citations_refreshed: bool


def site_address(base_url: str) -> SiteAddress | None:
    """The host and port a Wagtail Site needs to answer on `base_url` (port 80 for http and
    443 for https when none is given); None for a URL that is not http(s) with a host."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:  # "http://host:port" with a port that is not a number
        return None
    return SiteAddress(parts.hostname, port or (443 if parts.scheme == "https" else 80))


def sync_default_site(base_url: str | None = None) -> bool:
    """Point the Site at the base URL's host and port when there is exactly one Site.
    Returns whether it changed."""
    from wagtail.models import Site

    address = site_address(base_url if base_url is not None else current_base_url())
    sites = list(Site.objects.all()[:2])
    if address is None or len(sites) != 1:
        return False
    site = sites[0]
    if (site.hostname, site.port) == (address.hostname, address.port):
        return False
    site.hostname, site.port = address.hostname, address.port
    site.save()  # Wagtail clears its cached site root paths on save
    return True


def refresh_citations_if_origin_changed() -> bool:
    """Re-format every stored citation when they were made with another base URL or another
    citation engine (briefdesk.citations.fingerprint) than the current ones, or with unknown
    ones, while anything is stored. Returns whether it ran.

    Without citeproc-js (no fingerprint) nothing can be formatted: only the base URL counts.
    """
    from briefdesk.briefs.models import BriefPage
    from briefdesk.citations.fingerprint import engine_fingerprint
    from briefdesk.sources.models import Source

    from .models import CitationOrigin

    recorded = CitationOrigin.objects.order_by("pk").values_list("base_url", "engine").first()
    engine = engine_fingerprint()
    same_base_url = recorded is not None and recorded[0] == current_base_url()
    if recorded is not None and same_base_url and (engine is None or recorded[1] == engine):
        return False
    if recorded is None and not (BriefPage.objects.exists() or Source.objects.exists()):
        record_base_url()  # a new site: nothing was formatted with another origin or engine
        return False
    reformat_stored_citations()
    return True


def sync_origin() -> OriginSync:
    """Make the Site and the stored citations follow the base URL (see the module docstring)."""
    return OriginSync(
        site_changed=sync_default_site(),
        citations_refreshed=refresh_citations_if_origin_changed(),
    )


def _tables_ready(using: str) -> bool:
    from wagtail.models import Site

    from briefdesk.briefs.models import BriefPage
    from briefdesk.sources.models import Source

    from .models import CitationOrigin

    existing = set(connections[using].introspection.table_names())
    needed = {m._meta.db_table for m in (Site, CitationOrigin, BriefPage, Source)}
    return needed <= existing


def sync_origin_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate handler: deployments that only run `migrate` get the Site and citations
    right too. Does nothing while a partial migrate leaves the tables missing."""
    if using != DEFAULT_DB_ALIAS or not _tables_ready(using):
        return
    result = sync_origin()
    out = kwargs.get("stdout") or sys.stdout
    if kwargs.get("verbosity", 1):
        if result.site_changed:
            out.write(f"The site now answers on {current_base_url()} (BRIEFDESK_BASE_URL).\n")
        if result.citations_refreshed:
            out.write(
                f"Stored citations re-formatted for {current_base_url()} "
                "and the installed citation engine and styles.\n"
            )

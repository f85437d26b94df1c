"""Template helpers for snapshots: the archived copy's absolute address, for printed endnotes
(a printed page or a PDF has no origin to resolve a site-relative link against)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def archived_copy_url(source_id: int, snapshot_id: int) -> str:
    """The archived view's URL on the canonical origin (WAGTAILADMIN_BASE_URL)."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{reverse('sources:archive', args=[source_id, snapshot_id])}"

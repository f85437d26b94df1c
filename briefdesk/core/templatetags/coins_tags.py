"""`{% coins brief %}`: a listed brief's COinS span (briefdesk.citations.coins), from which
Zotero offers every brief on a listing page in its "select items" picker.

The item is the brief's own CSL-JSON (BriefPage.to_csl), so the span says what the brief's
page and downloads say. Costs no query when the listing prefetched the authors
(BriefPage.objects.for_listing); anything that is not a brief gives nothing.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from briefdesk.citations.coins import context_object

register = template.Library()


@register.simple_tag
def coins(page: Any) -> SafeString | str:
    from briefdesk.briefs.models import BriefPage

    if not isinstance(page, BriefPage):
        return ""
    return format_html('<span class="Z3988" title="{}"></span>', context_object(page.to_csl()))

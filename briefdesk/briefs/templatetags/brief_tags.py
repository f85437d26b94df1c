from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from wagtail.rich_text import RichText, expand_db_html

from briefdesk.sources.richtext import render_source_citations, sanitize

register = template.Library()


@register.simple_tag(takes_context=True)
def cited_richtext(context: template.Context, value: RichText | str) -> SafeString:
    """Render stored rich text safely: sanitise, turn source entities into "(LABEL)" links
    using the page's `cited` map, then expand Wagtail's page and document links."""
    source = value.source if isinstance(value, RichText) else str(value)
    cited: dict[int, Any] = context.get("cited") or {}
    html = render_source_citations(sanitize(source), cited)
    return mark_safe(expand_db_html(html))  # noqa: S308 - sanitised above


@register.filter
def long_date(value: Any) -> str:
    """December 6, 2010 (no leading zero on the day)."""
    if not value:
        return ""
    return f"{value:%B} {value.day}, {value.year}"

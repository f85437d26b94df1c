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
    return mark_safe(expand_db_html(html))


@register.filter
def long_date(value: Any) -> str:
    """December 6, 2010 (no leading zero on the day)."""
    if not value:
        return ""
    return f"{value:%B} {value.day}, {value.year}"


@register.filter
def partial_date(value: str) -> str:
    """'2010-12-06' -> 'December 6, 2010'; '2010-12' -> 'December 2010'; '2010' -> '2010'."""
    import datetime as dt

    from briefdesk.sources.csl import InvalidDate, parse_partial_date

    try:
        parts = parse_partial_date(value or "")
    except InvalidDate:
        return value or ""
    if len(parts) == 1:
        return str(parts[0])
    month = dt.date(parts[0], parts[1], 1).strftime("%B")
    return f"{month} {parts[2]}, {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


@register.filter
def names(value: list[dict[str, Any]]) -> str:
    from briefdesk.sources.csl import authors_display

    return authors_display(value or [])

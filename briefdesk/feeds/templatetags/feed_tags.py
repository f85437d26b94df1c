"""SKELETON (issue 12, feeds): `{% feed_links %}` prints the <link rel="alternate"> tags of the
feeds that match the page being rendered."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context: dict[str, Any]) -> str:
    return ""

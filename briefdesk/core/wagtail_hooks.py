"""Site-wide Wagtail wiring for readers."""

from __future__ import annotations

from typing import Any

from wagtail import hooks

from .visibility import PublicPageLinkHandler


# After Wagtail's own registration (order 0), which this replaces for the "page" link type.
@hooks.register("register_rich_text_features", order=100)
def link_only_pages_readers_can_open(features: Any) -> None:
    features.register_link_type(PublicPageLinkHandler)

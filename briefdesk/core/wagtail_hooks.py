"""Site-wide Wagtail wiring: links readers can open, review notifications that say when
they fail."""

from __future__ import annotations

from typing import Any

from wagtail import hooks
from wagtail.documents.rich_text import DocumentLinkHandler

from .mail import use_reporting_notifiers
from .visibility import PublicPageLinkHandler, row_id

# Wagtail loads this module with its admin URLs, before any review action can run.
use_reporting_notifiers()


class CheckedDocumentLinkHandler(DocumentLinkHandler):
    """Wagtail's document links, with an id that is no row id (an author controls the
    editor's contentstate) treated as a missing document instead of a database error."""

    @classmethod
    def get_many(cls, attrs_list: list[dict[str, Any]]) -> list[Any]:
        ids = [row_id(attrs.get("id")) for attrs in attrs_list]
        documents = cls.get_model()._default_manager.in_bulk([i for i in ids if i is not None])
        return [None if i is None else documents.get(i) for i in ids]


# After Wagtail's own registration (order 0), which this replaces for the "page" link type.
@hooks.register("register_rich_text_features", order=100)
def link_only_pages_readers_can_open(features: Any) -> None:
    features.register_link_type(PublicPageLinkHandler)
    features.register_link_type(CheckedDocumentLinkHandler)

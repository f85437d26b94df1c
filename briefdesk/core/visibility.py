"""What an anonymous reader may see: a page that is live and not in a private section (no
PageViewRestriction on it or an ancestor) — Wagtail's ``.live().public()``.

For pages already loaded (a brief's authors, topics, topic boxes, pinned briefs), asking
``.live().public()`` again would cost a query per question. Instead::

    restricted = restricted_paths()                       # one query
    shown = visible_ids([*authors, *topics], restricted)  # no query
    BriefPage.objects.live().exclude(private_q(restricted))

Caveat: the answer is as of the `restricted_paths()` query; use it within one request.

For a query that runs anyway (the header menu), `in_private_section()` decides it in the same
query: ``TopicGuidePage.objects.live().exclude(in_private_section())``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.utils.html import escape
from wagtail.models import PageViewRestriction
from wagtail.rich_text.pages import PageLinkHandler


def restricted_paths() -> list[str]:
    """The tree paths of every page that carries a view restriction (its subtree is private)."""
    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def is_visible(page: Any, restricted: Sequence[str]) -> bool:
    """True when the page is live and neither it nor an ancestor is restricted."""
    if page is None or not page.live:
        return False
    return not any(page.path.startswith(path) for path in restricted)


def visible_ids(pages: Iterable[Any], restricted: Sequence[str]) -> set[int]:
    """The ids of those pages an anonymous reader may open."""
    return {page.pk for page in pages if is_visible(page, restricted)}


def in_private_section(prefix: str = "") -> Exists:
    """True for a page under a view restriction, as part of the page's own query (where
    Wagtail's `.public()` costs an extra query for the restrictions). A restricted page is an
    ancestor-or-self when its tree path is a prefix of the page's path."""
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef(f"{prefix}path"), 1, Length("page__path"))
        )
    )


def private_q(restricted: Sequence[str], prefix: str = "") -> Q:
    """A Q matching pages in a restricted subtree (exclude it to keep public pages). `prefix`
    reaches the page through a relation, e.g. "related__"."""
    q = Q(**{f"{prefix}pk__in": []})
    for path in restricted:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def row_id(value: Any) -> int | None:
    """A database id from a stored link's `id` attribute, or None: ASCII digits that fit a
    64-bit integer (int() of a long digit string fails, and SQLite cannot bind one)."""
    text = str(value or "")
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


class PublicPageLinkHandler(PageLinkHandler):
    """Rich-text links to pages, for readers: a link to a page they cannot open (a draft, an
    unpublished or a private page) keeps its text but gets no href, so the page's address
    (its slug often says what it is about) is not published before the page is."""

    @classmethod
    def get_many(cls, attrs_list: list[dict[str, Any]]) -> list[Any]:
        # A page id is a number; anything else (an author controls the editor's contentstate)
        # is no page, never a database error.
        ids = [row_id(attrs.get("id")) for attrs in attrs_list]
        pages = cls.get_model()._default_manager.in_bulk([i for i in ids if i is not None])
        return [None if i is None else pages.get(i) for i in ids]

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict[str, Any]]) -> list[str]:
        pages = cls.get_many(attrs_list)
        restricted = restricted_paths() if any(pages) else []
        return [
            f'<a href="{escape(page.localized.url)}">' if is_visible(page, restricted) else "<a>"
            for page in pages
        ]

"""Routing to pages of a known type in fewer queries than Wagtail's.

Wagtail's default `Page.route` fetches the child as a base Page, then again as its specific
type: two queries per URL segment, after one more for the site's root page itself. Here:

- A parent that knows what its children are (`routed_child_model`) fetches the specific
  child directly: one query per segment.
- A parent that also knows its grandchildren's type (`routed_grandchild_model`, the hot path
  /briefs/<slug>/) fetches the grandchild by its URL path in one query, when the segment
  between names one of its typed children (a list kept in core.sitecache). Wagtail keeps
  `url_path` as the parent's plus the slug, and the grandchild model's only parent type is
  the child model, so the page found is the one the two steps would find. A stale list only
  costs a query or skips the shortcut; it never changes the answer.
- The site's root page comes from core.sitecache already specific (no query). Its stored
  fields may be older than the database, so the root page re-reads itself before serving
  itself (the path "/"); routing further only reads its tree position and URL path, which
  change only by a move or a slug change (both forget the cache, or miss the shortcut).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps

#: Set on a root page object kept in the site cache (core.sitecache).
FROM_SITE_CACHE = "_briefdesk_from_site_cache"


class TypedChildRouteMixin:
    #: "app_label.ModelName" of the child page type routed in one query; other children
    #: fall back to Wagtail's routing.
    routed_child_model: ClassVar[str]
    #: "app_label.ModelName" of the page type two segments down routed in one query (its
    #: only parent page type must be `routed_child_model`), or None.
    routed_grandchild_model: ClassVar[str | None] = None

    def route(self, request: Any, path_components: list[str]) -> Any:
        page: Any = self
        if not path_components and page.__dict__.get(FROM_SITE_CACHE):
            return type(page).objects.get(pk=page.pk).route(request, path_components)
        if len(path_components) >= 2 and self.routed_grandchild_model:
            grandchild = self._grandchild(path_components[0], path_components[1])
            if grandchild is not None:
                return grandchild.route(request, path_components[2:])
        if path_components:
            model = apps.get_model(self.routed_child_model)
            child = model.objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)  # type: ignore[misc]

    def _grandchild(self, child_slug: str, slug: str) -> Any:
        from .sitecache import typed_child_slugs

        page: Any = self
        if child_slug not in typed_child_slugs(page, self.routed_child_model):
            return None
        model = apps.get_model(self.routed_grandchild_model)  # type: ignore[arg-type]
        # Unordered: one page has this URL path, and ordering by the tree path costs Django
        # more than the query costs the database.
        found = model.objects.filter(url_path=f"{page.url_path}{child_slug}/{slug}/").order_by()
        return next(iter(found[:1]), None)

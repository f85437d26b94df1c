"""One query per URL segment when routing to pages of a known type.

Wagtail's default `Page.route` fetches the child as a base Page, then again as its specific
type: two queries per segment. A parent that knows what its children are can fetch the
specific page directly.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps


class TypedChildRouteMixin:
    #: "app_label.ModelName" of the child page type routed in one query; other children
    #: fall back to Wagtail's routing.
    routed_child_model: ClassVar[str]

    def route(self, request: Any, path_components: list[str]) -> Any:
        if path_components:
            model = apps.get_model(self.routed_child_model)
            child = model.objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)  # type: ignore[misc]

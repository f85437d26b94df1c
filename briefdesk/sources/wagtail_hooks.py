"""Admin wiring for sources: snippet screens for Outlets and Sources, a searchable chooser that
can also create a source inline, and the "source citation" rich-text entity."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from draftjs_exporter.dom import DOM
from wagtail import hooks
from wagtail.admin.rich_text.converters.html_to_contentstate import InlineEntityElementHandler
from wagtail.admin.rich_text.editors.draftail import features as draftail_features
from wagtail.rich_text import LinkHandler
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Outlet, Source

SOURCE_ENTITY = "SOURCE"


class OutletViewSet(SnippetViewSet):
    model = Outlet
    icon = "site"
    menu_label = "Outlets"
    list_display = ["name", "short_label", "home_url"]
    search_fields = ["name", "short_label"]


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "link"
    menu_label = "Sources"
    list_display = ["title", "outlet", "kind", "issued"]
    list_filter = ["kind", "outlet"]
    search_fields = ["title", "url"]


class SourcesGroup(SnippetViewSetGroup):
    items = (SourceViewSet, OutletViewSet)
    menu_icon = "link"
    menu_label = "Sources"
    menu_name = "sources"
    menu_order = 250


register_snippet(SourcesGroup)


class SourceLinkHandler(LinkHandler):
    """Fallback front-end rendering of a source entity where the brief renderer is not used
    (Wagtail's own `richtext` filter): a plain link to the source."""

    identifier = "source"

    @staticmethod
    def get_model() -> type[Source]:
        return Source

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict[str, str]]) -> list[str]:
        ids = [a.get("id", "") for a in attrs_list]
        sources = Source.objects.in_bulk([i for i in ids if i.isdigit()])
        tags = []
        for source_id in ids:
            source = sources.get(int(source_id)) if source_id.isdigit() else None
            href = (source.url or source.get_absolute_url()) if source else ""
            tags.append(f'<a href="{escape(href)}">' if href else "<a>")
        return tags


class SourceEntityElementHandler(InlineEntityElementHandler):
    """Stored `<a linktype="source" id="12">` -> a Draftail SOURCE entity with its data."""

    mutability = "MUTABLE"

    def get_attribute_data(self, attrs: dict[str, str]) -> dict[str, Any]:
        try:
            source = Source.objects.select_related("outlet").get(pk=int(attrs["id"]))
        except (KeyError, ValueError, Source.DoesNotExist):
            return {"id": attrs.get("id"), "missing": True}
        return {"id": source.pk, "label": source.parenthetical_label, "title": str(source)}


def source_entity_decorator(props: dict[str, Any]) -> Any:
    """A Draftail SOURCE entity -> stored `<a linktype="source" id="12">text</a>`."""
    return DOM.create_element(
        "a", {"linktype": "source", "id": props.get("id")}, props["children"]
    )


@hooks.register("register_rich_text_features")
def register_source_feature(features: Any) -> None:
    features.register_link_type(SourceLinkHandler)
    features.register_editor_plugin(
        "draftail",
        "source",
        draftail_features.EntityFeature(
            {"type": SOURCE_ENTITY, "icon": "link", "description": "Source citation"},
            js=["sources/js/source-entity.js"],
            css={"all": ["sources/css/source-entity.css"]},
        ),
    )
    features.register_converter_rule(
        "contentstate",
        "source",
        {
            "from_database_format": {'a[linktype="source"]': SourceEntityElementHandler(SOURCE_ENTITY)},
            "to_database_format": {"entity_decorators": {SOURCE_ENTITY: source_entity_decorator}},
        },
    )

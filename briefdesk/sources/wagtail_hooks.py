"""Admin wiring for sources: snippet screens for Outlets and Sources, a searchable chooser that
can also create a source inline, and the "source citation" rich-text entity.

Sources and outlets are draftable snippets (see models.Reviewed): Wagtail's edit screens save
a draft revision, offer "Submit for review" to authors and "Publish" only to editors. A source
created from the chooser is a draft too; it is published with the brief that cites it
(publishing.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse_lazy
from django.utils.html import escape
from draftjs_exporter.dom import DOM
from wagtail import hooks
from wagtail.actions.create import CreateAction
from wagtail.admin.rich_text.converters.html_to_contentstate import LinkElementHandler
from wagtail.admin.rich_text.editors.draftail import features as draftail_features
from wagtail.admin.ui.tables import LiveStatusTagColumn
from wagtail.rich_text import LinkHandler
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    SnippetChooserViewSet,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from briefdesk.core.visibility import row_id

from .forms import SourceForm
from .models import Outlet, Source

SOURCE_ENTITY = "SOURCE"


class OutletViewSet(SnippetViewSet):
    model = Outlet
    icon = "site"
    menu_label = "Outlets"
    list_display = ["name", "short_label", "home_url", LiveStatusTagColumn()]


class SourceChooserCreateForm(SourceForm):
    """The short form for creating a source from inside the rich-text editor."""

    class Meta:
        model = Source
        fields = ["kind", "outlet", "title", "authors", "issued", "url", "medium"]


class _ChosenData:
    """Send the label a brief will show with the chosen source, for the editor's entity text."""

    def get_chosen_response_data(self, item: Source) -> dict[str, Any]:
        data = super().get_chosen_response_data(item)  # type: ignore[misc]
        data.update(label=item.parenthetical_label, title=str(item))
        return data


class SourceChosenView(_ChosenData, SnippetChosenView):
    pass


class SourceCreateView(_ChosenData, SnippetCreateView):
    """The chooser's "Create source": saves a draft (not live, with its first revision and a
    log entry, as the snippet add screen would), whoever creates it. Readers see it only once
    an editor publishes it or a brief citing it."""

    def save_form(self, form: SourceChooserCreateForm) -> Source:
        # Wagtail's chooser would call form.save(), making the row live at once.
        action = CreateAction(form.instance, user=self.request.user, form=form)
        return action.execute(skip_permission_checks=True)  # "add" checked in dispatch()


class SourceChooserViewSet(SnippetChooserViewSet):
    creation_form_class = SourceChooserCreateForm
    create_action_label = "Create source"
    chosen_view_class = SourceChosenView
    create_view_class = SourceCreateView


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "link"
    menu_label = "Sources"
    # The status column shows which records have changes waiting for an editor ("live + draft").
    list_display = ["title", "outlet", "kind", "issued", LiveStatusTagColumn()]
    list_filter = ["kind", "outlet"]
    chooser_viewset_class = SourceChooserViewSet


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
        ids = [row_id(a.get("id")) for a in attrs_list]
        # Only published sources become links; a draft's citation is its plain text.
        sources = Source.objects.filter(live=True).in_bulk([i for i in ids if i is not None])
        tags = []
        for source_id in ids:
            source = None if source_id is None else sources.get(source_id)
            href = (source.url or source.get_absolute_url()) if source else ""
            tags.append(f'<a href="{escape(href)}">' if href else "<a>")
        return tags

    @classmethod
    def extract_references(cls, attrs: dict[str, str]) -> Any:
        # Feeds Wagtail's reference index: a source's "Usage" tab lists the briefs citing it.
        yield Source, attrs.get("id", ""), "", ""


class SourceEntityElementHandler(LinkElementHandler):
    """Stored `<a linktype="source" id="12">` -> a Draftail SOURCE entity with its data."""

    def get_attribute_data(self, attrs: dict[str, str]) -> dict[str, Any]:
        try:
            source = Source.objects.select_related("outlet").get(pk=int(attrs["id"]))
        except (KeyError, ValueError, Source.DoesNotExist):
            return {"id": attrs.get("id"), "title": "(deleted source)"}
        return {"id": source.pk, "label": source.parenthetical_label, "title": str(source)}


def source_entity_decorator(props: dict[str, Any]) -> Any:
    """A Draftail SOURCE entity -> stored `<a linktype="source" id="12">text</a>`."""
    return DOM.create_element("a", {"linktype": "source", "id": props.get("id")}, props["children"])


@hooks.register("register_rich_text_features")
def register_source_feature(features: Any) -> None:
    features.register_link_type(SourceLinkHandler)
    features.register_editor_plugin(
        "draftail",
        "source",
        draftail_features.EntityFeature(
            {
                "type": SOURCE_ENTITY,
                "icon": "openquote",
                "description": "Source citation",
                "chooserUrls": {
                    "sourceChooser": reverse_lazy("wagtailsnippetchoosers_sources_source:choose")
                },
                "attributes": ["id", "label", "title"],
            },
            js=["wagtailadmin/js/chooser-modal.js", "sources/js/source-entity.js"],
            css={"all": ["sources/css/source-entity.css"]},
        ),
    )
    features.register_converter_rule(
        "contentstate",
        "source",
        {
            "from_database_format": {
                'a[linktype="source"]': SourceEntityElementHandler(SOURCE_ENTITY)
            },
            "to_database_format": {"entity_decorators": {SOURCE_ENTITY: source_entity_decorator}},
        },
    )

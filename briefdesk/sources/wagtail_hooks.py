"""Admin wiring for sources: snippet screens for Outlets and Sources, a searchable chooser that
can also create a source inline, and the "source citation" rich-text entity.

Sources and outlets are draftable snippets (see models.Reviewed): Wagtail's edit screens save
a draft revision, offer "Submit for review" to authors and "Publish" only to editors. A source
created from the chooser is a draft too; it is published with the brief that cites it
(publishing.py).

The chooser and the Sources listing search titles, outlets, authors, URLs, DOIs and numbers
with one ranked ORM query (source_search.py; the rules in finding.py). A pasted URL or DOI
that no source holds offers a new source pre-filled from it. The listing counts the briefs
citing each source, and a source's edit page lists them (usage.py)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from draftjs_exporter.dom import DOM
from wagtail import hooks
from wagtail.actions.create import CreateAction
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import ObjectList, Panel
from wagtail.admin.rich_text.converters.html_to_contentstate import LinkElementHandler
from wagtail.admin.rich_text.editors.draftail import features as draftail_features
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn
from wagtail.rich_text import LinkHandler
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from briefdesk.core.visibility import row_id

from .finding import parse_query
from .forms import SourceChooserCreateForm
from .models import Outlet, Source
from .richtext import QUOTE_ATTRIBUTE
from .source_search import has_identifier_match, prefill_from, search_sources
from .usage import annotate_citations, citing_briefs, pending_draft_citations

SOURCE_ENTITY = "SOURCE"


class OutletViewSet(SnippetViewSet):
    model = Outlet
    icon = "site"
    menu_label = "Outlets"
    list_display = ["name", "short_label", "home_url", LiveStatusTagColumn()]


class _ChosenData:
    """Send the label a brief will show with the chosen source, for the editor's entity text."""

    def get_chosen_response_data(self, item: Source) -> dict[str, Any]:
        data = super().get_chosen_response_data(item)  # type: ignore[misc]
        data.update(label=item.parenthetical_label, title=str(item))
        return data


class SourceChosenView(_ChosenData, SnippetChosenView):
    pass


class _FormForUser:
    """The creation form knows who creates (a new outlet typed in it is saved as theirs)."""

    request: HttpRequest

    def get_creation_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_creation_form_kwargs()  # type: ignore[misc]
        return {**kwargs, "for_user": self.request.user}


class SourceCreateView(_FormForUser, _ChosenData, SnippetCreateView):
    """The chooser's "Create source": saves a draft (not live, with its first revision and a
    log entry, as the snippet add screen would), whoever creates it. Readers see it only once
    an editor publishes it or a brief citing it."""

    def save_form(self, form: SourceChooserCreateForm) -> Source:
        # Wagtail's chooser would call form.save(), making the row live at once. An outlet
        # typed by name is created first (a draft too, see SourceChooserCreateForm).
        outlet = form.instance.outlet
        if outlet is not None and outlet.pk is None:
            form.instance.outlet = form._create_outlet(outlet.name)
        action = CreateAction(form.instance, user=self.request.user, form=form)
        return action.execute(skip_permission_checks=True)  # "add" checked in dispatch()


PREFILL_PARAM = "prefill"  # ?prefill=<pasted URL or DOI>: the chooser opens on "Create source"


class SourceSearchForm(BaseFilterForm):
    """The chooser's search box, answered by source_search (not Wagtail's search index)."""

    q = forms.CharField(
        label="Search term",
        required=False,  # no max_length: a longer query is cut (finding.parse_query), not refused
        widget=forms.TextInput(attrs={"placeholder": "Title, outlet, author, URL or DOI"}),
    )

    def filter(self, objects: QuerySet[Source]) -> QuerySet[Source]:
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            return search_sources(objects, query)
        return objects


def _chooser_columns(columns: list[Any]) -> list[Any]:
    """Title, then what tells two similar sources apart: outlet, date, kind (then status)."""
    title, *rest = columns
    title.accessor = "title"  # str() repeats the outlet and the date the columns show
    return [
        title,
        Column("outlet", label="Outlet", accessor="outlet_name"),
        Column("issued", label="Date"),
        Column("kind", label="Kind", accessor="kind_label"),
        *rest,
    ]


class _SourceChooseMixin:
    """What the chooser's full view and its results view share."""

    results_template_name = "sources/chooser/results.html"
    request: HttpRequest
    filter_form: SourceSearchForm

    def get_object_list(self) -> QuerySet[Source]:
        return Source.objects.select_related("outlet")

    def get_filter_form_class(self) -> type[SourceSearchForm]:
        return SourceSearchForm

    @property
    def columns(self) -> list[Any]:
        return _chooser_columns(super().columns)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        text = self.filter_form.search_query or ""
        query = parse_query(text)
        if (
            query.is_identifier
            and context.get("can_create")
            and not has_identifier_match(Source.objects.all(), text)
        ):
            url = reverse("wagtailsnippetchoosers_sources_source:choose")
            context["paste_create_url"] = f"{url}?{urlencode({PREFILL_PARAM: text})}"
            context["paste_kind"] = "DOI" if query.doi else "URL"
        return context


class SourceChooseView(_FormForUser, _SourceChooseMixin, ChooseView):
    """The chooser modal. With ?prefill=<URL or DOI> its "Create source" tab is open and
    filled from what the URL or DOI says by itself."""

    @cached_property
    def prefill(self) -> dict[str, Any]:
        pasted = self.request.GET.get(PREFILL_PARAM, "")
        return prefill_from(pasted, today=timezone.localdate())

    def get_creation_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_creation_form_kwargs()
        if self.prefill and self.request.method == "GET":
            kwargs["initial"] = self.prefill
        return kwargs

    def render_to_response(self) -> HttpResponse:
        response = super().render_to_response()
        if not self.prefill:
            return response
        # Wagtail's tabs open the first tab unless told which panel is active.
        data = json.loads(response.content)
        active = f'data-w-tabs-active-panel-id-value="tab-{self.creation_tab_id}"'
        data["html"] = data["html"].replace(
            'data-controller="w-tabs"', f'data-controller="w-tabs" {active}', 1
        )
        return JsonResponse(data)


class SourceChooseResultsView(_SourceChooseMixin, ChooseResultsView):
    pass


class SourceChooserViewSet(SnippetChooserViewSet):
    choose_view_class = SourceChooseView
    choose_results_view_class = SourceChooseResultsView
    creation_form_class = SourceChooserCreateForm
    create_action_label = "Create source"
    chosen_view_class = SourceChosenView
    create_view_class = SourceCreateView


class CitedByPanel(Panel):
    """Read-only: the briefs citing this source, linked to their edit pages, live or draft."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("heading", "Cited by")
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "sources/panels/cited_by.html"

        def is_shown(self) -> bool:
            return self.instance is not None and self.instance.pk is not None

        def get_context_data(self, parent_context: Any = None) -> Any:
            context = super().get_context_data(parent_context)
            briefs = citing_briefs(self.instance.pk)
            context["briefs"] = [
                (brief, reverse("wagtailadmin_pages:edit", args=[brief.page_id]))
                for brief in briefs
            ]
            return context


def cited_by_text(live: int, draft: int) -> str:
    parts = [f"{live} live"] if live else []
    parts += [f"{draft} draft"] if draft else []
    return ", ".join(parts) or "—"


class SourceIndexView(IndexView):
    """The Sources listing: searched and ranked like the chooser, with a "Cited by" count."""

    def search_queryset(self, queryset: QuerySet[Source]) -> QuerySet[Source]:
        if not self.is_searching:
            return queryset
        return search_sources(queryset, self.search_query, ranked=not self.is_explicitly_ordered)

    @cached_property
    def pending_drafts(self) -> dict[int, set[int]]:
        return pending_draft_citations()

    def cited_by(self, source: Source) -> str:
        live = getattr(source, "cited_live", 0)
        draft = getattr(source, "cited_draft", 0) + len(self.pending_drafts.get(source.pk, ()))
        return cited_by_text(live, draft)

    @cached_property
    def columns(self) -> list[Any]:
        cited_by = Column("cited_by", label="Cited by", accessor=self.cited_by, sort_key="cited_by")
        return [*super().columns, cited_by]


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "link"
    menu_label = "Sources"
    index_view_class = SourceIndexView
    # The status column shows which records have changes waiting for an editor ("live + draft").
    list_display = ["title", "outlet", "kind", "issued", LiveStatusTagColumn()]
    list_filter = ["kind", "outlet"]
    chooser_viewset_class = SourceChooserViewSet

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return annotate_citations(Source.objects.select_related("outlet"))

    def get_edit_handler(self) -> Any:
        # The model's panels, with the briefs citing the source first, where an editor
        # about to change a shared source sees what the change reaches.
        handler = super().get_edit_handler()
        return ObjectList([CitedByPanel(), *handler.children]).bind_to_model(self.model)


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
    """Stored `<a linktype="source" id="12" data-quote="…">` -> a Draftail SOURCE entity with
    its data (`quote`: the passage the citation supports, for quote checks; editors only).

    Immutable, like the entities the editor makes (source-entity.js): a citation is a token
    whose text only stands for the label, so typing inside it cannot extend it."""

    mutability = "IMMUTABLE"

    def get_attribute_data(self, attrs: dict[str, str]) -> dict[str, Any]:
        quote = {"quote": attrs[QUOTE_ATTRIBUTE]} if attrs.get(QUOTE_ATTRIBUTE, "").strip() else {}
        try:
            source = Source.objects.select_related("outlet").get(pk=int(attrs["id"]))
        except (KeyError, ValueError, Source.DoesNotExist):
            return {"id": attrs.get("id"), "title": "(deleted source)", **quote}
        return {"id": source.pk, "label": source.parenthetical_label, "title": str(source), **quote}


def source_entity_decorator(props: dict[str, Any]) -> Any:
    """A Draftail SOURCE entity -> stored `<a linktype="source" id="12">text</a>`, with
    `data-quote="…"` when the citation quotes its source."""
    attributes = {"linktype": "source", "id": props.get("id")}
    quote = " ".join(str(props.get("quote") or "").split())
    if quote:
        attributes[QUOTE_ATTRIBUTE] = quote
    return DOM.create_element("a", attributes, props["children"])


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
                "attributes": ["id", "label", "title", "quote"],
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


# --- Fill from URL (autofill_admin.py): the Source add screen's URL box posts here ---------


@hooks.register("register_admin_urls")
def register_source_autofill_url() -> list[Any]:
    from django.urls import path

    from .autofill_admin import URL_NAME, AutofillCreateView

    viewset = Source.snippet_viewset
    view = viewset.construct_view(AutofillCreateView, **viewset.get_add_view_kwargs())
    return [path("sources/autofill/", view, name=URL_NAME)]


# --- the Source health report (health_admin.py): editors only ------------------------------


@hooks.register("register_admin_urls")
def register_source_health_urls() -> list[Any]:
    from django.urls import path

    from .capture_admin import URL_NAME as CAPTURE_URL_NAME
    from .capture_admin import capture_now
    from .health_admin import source_health, source_health_recheck

    return [
        path("reports/source-health/", source_health, name="source_health"),
        path("reports/source-health/recheck/", source_health_recheck, name="source_health_recheck"),
        path("reports/source-health/capture/", capture_now, name=CAPTURE_URL_NAME),
    ]


@hooks.register("register_reports_menu_item")
def register_source_health_menu_item() -> Any:
    from .health_admin import SourceHealthMenuItem

    return SourceHealthMenuItem(
        "Source health", reverse("source_health"), icon_name="warning", order=1100
    )

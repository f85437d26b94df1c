"""Type-ahead choosers for a brief's authors and topics.

Wagtail gives a ForeignKey to a page model its generic page chooser: a modal that opens on
the page tree, where the author page is three clicks away and every other page is shown
greyed out. These are Wagtail's own model choosers instead, one per page type: the modal
lists only author pages (or topic guides), its search box has the focus, and each letter
typed narrows the list on the server (`icontains` on names, so "baj" finds Bajoria without
waiting for the search index).

    author_chooser_viewset   # its views, registered in wagtail_hooks (register_admin_viewset)
    topic_chooser_viewset
    register_widgets()       # ForeignKeys to AuthorPage / TopicGuidePage use them

so BriefAuthor.author and BriefTopic.topic get them with no change to the models.
`register_widgets()` runs when wagtail_hooks is imported (while Django starts), not when the
viewsets are registered (when the admin's URLs are first loaded): a page's edit form is built
once per process and may be built before that, by the system checks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import ForeignKey, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from briefdesk.topics.models import TopicGuidePage

from .models import AuthorPage


class NameSearchForm(forms.Form):
    """The chooser's search box: a case-insensitive match on any of `search_fields`."""

    search_fields: tuple[str, ...] = ("title",)
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Type a name", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_searching = False
        self.is_filtering_by_collection = False
        self.search_query: str | None = None

    def filter(self, objects: QuerySet[Any]) -> QuerySet[Any]:
        query = (self.cleaned_data.get("q") or "").strip()
        if not query:
            return objects
        self.is_searching = True
        self.search_query = query
        for word in query.split():
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": word})
            objects = objects.filter(match)
        return objects


class AuthorSearchForm(NameSearchForm):
    search_fields = ("title", "given_name", "family_name", "role")


class TopicSearchForm(NameSearchForm):
    search_fields = ("title", "label")


class PageChosenView(chooser_views.ChosenView):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        if not str(pk).isdigit():
            raise Http404("No such page")
        return super().get(request, pk)


class AuthorChooseMixin:
    filter_form_class = AuthorSearchForm
    ordering = ("family_name", "given_name", "pk")

    @property
    def columns(self) -> list[Column]:
        return [self.title_column, Column("role", label="Role")]  # type: ignore[attr-defined]


class AuthorChooseView(AuthorChooseMixin, chooser_views.ChooseView):
    pass


class AuthorChooseResultsView(AuthorChooseMixin, chooser_views.ChooseResultsView):
    pass


class TopicChooseMixin:
    filter_form_class = TopicSearchForm
    ordering = ("title", "pk")

    @property
    def columns(self) -> list[Column]:
        return [self.title_column, Column("label", label="Label")]  # type: ignore[attr-defined]


class TopicChooseView(TopicChooseMixin, chooser_views.ChooseView):
    pass


class TopicChooseResultsView(TopicChooseMixin, chooser_views.ChooseResultsView):
    pass


class AuthorChooserViewSet(ChooserViewSet):
    model = AuthorPage
    icon = "user"
    choose_one_text = "Choose an author"
    choose_another_text = "Choose another author"
    edit_item_text = "Edit author page"
    per_page = 20
    register_widget = False  # register_widgets() does it, earlier
    choose_view_class = AuthorChooseView
    choose_results_view_class = AuthorChooseResultsView
    chosen_view_class = PageChosenView


class TopicChooserViewSet(ChooserViewSet):
    model = TopicGuidePage
    icon = "folder-open-inverse"
    choose_one_text = "Choose a topic"
    choose_another_text = "Choose another topic"
    edit_item_text = "Edit topic guide"
    per_page = 20
    register_widget = False  # register_widgets() does it, earlier
    choose_view_class = TopicChooseView
    choose_results_view_class = TopicChooseResultsView
    chosen_view_class = PageChosenView


author_chooser_viewset = AuthorChooserViewSet("brief_author_chooser", url_prefix="choose-author")
topic_chooser_viewset = TopicChooserViewSet("brief_topic_chooser", url_prefix="choose-topic")


def register_widgets() -> None:
    """Make every ForeignKey to an author page or topic guide in an admin form use its
    chooser (Wagtail's registry; the most specific model wins over the page chooser)."""
    for viewset in (author_chooser_viewset, topic_chooser_viewset):
        register_form_field_override(
            ForeignKey, to=viewset.model, override={"widget": viewset.widget_class}
        )

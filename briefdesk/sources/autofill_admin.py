"""The admin's "Fill from URL" on the Source add screen: the editor pastes a URL, this view
fetches it (autofill.propose_source) and shows the add screen again with the form filled in
and a notice of what came from where. Nothing is saved here: the form posts to the usual
add URL, so the source is created only when the editor submits it.

A fetch that fails, an error page (404) or a refused address (the fetcher's guard) is a form
error on the URL box, over the empty form.

The add screen shows the URL box through its template override
(templates/wagtailsnippets/snippets/sources/source/create.html -> sources/admin/
autofill_create.html); the view is the snippet viewset's own add view with two differences:
a POST here never saves, and its form is unbound with the proposal as initial values.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from wagtail.snippets.views.snippets import CreateView

from .autofill import AutofillError, Proposal, propose_source
from .forms import PROPOSED_OUTLET_FIELDS

URL_NAME = "sources_autofill"


class AutofillForm(forms.Form):
    """The URL box above the add form."""

    autofill_url = forms.URLField(
        label="Fill from URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Paste the page's address: its title, authors, date and outlet are filled "
        "in for you to check. Nothing is saved until you save the source.",
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )


def autofill_form(data: Any = None) -> AutofillForm:
    return AutofillForm(data, prefix="autofill")


class AutofillCreateView(CreateView):
    """POST: the add screen, filled from the posted URL (unsaved). GET: the plain add screen."""

    template_name = "sources/admin/autofill_create.html"
    proposal: Proposal | None = None
    url_form: AutofillForm | None = None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.url_form = autofill_form(request.POST)
        if self.url_form.is_valid():
            try:
                self.proposal = propose_source(self.url_form.cleaned_data["autofill_url"])
            except AutofillError as exc:
                self.url_form.add_error("autofill_url", str(exc))
        self.form = self.get_form()
        return self.render_to_response(self.get_context_data())

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        # Unbound: the proposal is shown, not submitted (no errors, nothing saved).
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        if self.proposal is not None:
            kwargs["initial"] = {**kwargs.get("initial", {}), **self.proposal.initial}
        return kwargs

    @property
    def has_unsaved_changes(self) -> bool:
        # A filled-in form is unsaved work: leaving the page asks first.
        return self.proposal is not None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(autofill_context(self.url_form, self.proposal))
        return context


def autofill_context(url_form: AutofillForm | None, proposal: Proposal | None) -> dict[str, Any]:
    """What the add screen's template needs for the URL box and the notice."""
    return {
        "autofill_form": url_form or autofill_form(),
        "autofill_action": reverse(URL_NAME),
        "autofill_proposal": proposal,
        "autofill_rows": proposal.lines() if proposal else [],
        "autofill_outlet_fields": PROPOSED_OUTLET_FIELDS,
    }

"""Admin forms for sources: authors are edited as lines of text, not raw JSON; dates are typed
as people type them ("27 November 2026"); the APA title follows the title unless an editor
sets it for that title; a new source that looks like an existing one must be confirmed.

Every value is checked before anything is saved: JSON through `csl_schema.load_json` (no NaN,
no deep nesting, no huge integers), the CSL shapes and limits in `Source.clean` (shared with
the importers), and last the citation engine itself: the form formats the source once, so a
value citeproc-js cannot handle is a one-line form error, never a 500 on save.

`SourceForm` is the snippet screens' form (built from `Source.panels`);
`SourceChooserCreateForm` is the short form for creating a source inside the chooser.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from wagtail.actions.create import CreateAction
from wagtail.admin.forms import WagtailAdminModelForm

from briefdesk.citations.engine import FormattingFailed
from briefdesk.core.edit_conflicts import EditConflictCheck

from . import csl
from .csl_schema import CslError, load_json
from .doi import InvalidDoi, doi
from .duplicates import Duplicate, Identifying, find_duplicates
from .models import Outlet, Source
from .typed_dates import typed_date, typed_day


class NameListField(forms.CharField):
    """A list of CSL names, one per line: 'Family, Given', an organisation, or CSL-JSON."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(csl.name_to_line(name) for name in value)
        return value or ""

    def to_python(self, value: Any) -> list[dict[str, Any]]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        names = []
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                names.append(csl.line_to_name(line))
            except ValueError as exc:
                raise forms.ValidationError(f"Line {number}: {exc}") from None
        return names

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True


# What a form may hold as CSL variables: far more than any real record, far less than a DoS.
MAX_EXTRA_BYTES = 64 * 1024
MAX_EXTRA_DEPTH = 8


class InvalidJson(str):
    """Text that did not parse, shown back to the editor as typed."""


class CslJsonField(forms.JSONField):
    """A JSON object of CSL variables, parsed with csl_schema.load_json's limits.

    Django's JSONField uses json.loads as it is: NaN and Infinity pass, 1,000-deep nesting
    raises RecursionError (a 500) and 5,000-digit integers hit Python's int limit. Here each
    is a one-line form error."""

    default_error_messages = {"invalid": "%(reason)s"}

    def to_python(self, value: Any) -> Any:
        if self.disabled or value in self.empty_values or isinstance(value, dict | list):
            return super().to_python(value)
        try:
            return load_json(str(value), max_bytes=MAX_EXTRA_BYTES, max_depth=MAX_EXTRA_DEPTH)
        except CslError as exc:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"reason": str(exc)}
            ) from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled:
            return initial
        if data is None:
            return None
        try:
            return load_json(str(data), max_bytes=MAX_EXTRA_BYTES, max_depth=MAX_EXTRA_DEPTH)
        except CslError:
            return InvalidJson(data)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, InvalidJson):
            return value
        return super().prepare_value(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return super().has_changed(initial, data)
        except ValidationError:
            return True


class TypedDateField(forms.CharField):
    """A partial date typed as people type it -> "YYYY-MM-DD", "YYYY-MM" or "YYYY" (see
    typed_dates). No max_length: "Winter 2010" should hear that it is not a date."""

    def to_python(self, value: Any) -> str:
        try:
            return typed_date(super().to_python(value) or "")
        except csl.InvalidDate as exc:
            raise ValidationError(str(exc), code="invalid") from None


class TypedDayField(forms.CharField):
    """A full date typed as people type it -> a date (or None when empty)."""

    def prepare_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if isinstance(value, dt.date):
            return value
        try:
            return typed_day(super().to_python(value) or "")
        except csl.InvalidDate as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


DATE_HELP = "e.g. 27 November 2026, November 2026 or 2026; empty if undated."


def apa_help_text(source: Source) -> str:
    """What the admin says under the APA title: automatic, set by hand for this title, or set
    for an earlier title (and so ignored)."""
    if not source.title:
        return (
            "APA cites titles in sentence case, made from the title automatically. "
            "Type one here only to correct it."
        )
    automatic = source.apa_title_automatic
    if not source.title_apa.strip():
        return format_html(
            "Automatic: “{}”. Type one here only to correct it, e.g. a proper noun.", automatic
        )
    if source.apa_override_applies:
        return format_html("Set by hand for this title. Clear it to use “{}”.", automatic)
    return format_html(
        "Set by hand for an earlier title (“{}”); APA now uses “{}” — clear it or update it.",
        source.title_apa_for,
        automatic,
    )


def duplicates_message(found: list[Duplicate]) -> SafeString:
    """One line naming the existing sources, each linked to its admin page."""
    items = format_html_join(
        "; ",
        '<a href="{}" target="_blank" rel="noopener">“{}”</a> ({}; same {})',
        (
            (
                reverse("wagtailsnippets_sources_source:edit", args=[d.source.pk]),
                d.source.title,
                ", ".join(v for v in (d.source.outlet_name, d.source.issued or "undated") if v),
                " and ".join(d.rules),
            )
            for d in found
        ),
    )
    many = "Sources like this exist" if len(found) > 1 else "A source like this exists"
    return format_html("{}: {}. Cite the existing source, or tick “Create anyway”.", many, items)


class SourceForm(EditConflictCheck, WagtailAdminModelForm):
    fields: dict[str, forms.Field]  # WagtailAdminModelForm is untyped

    issued = TypedDateField(label="Publication date", required=False, help_text=DATE_HELP)
    authors = NameListField(
        required=False,
        help_text="One per line: 'Family, Given' for a person, or an organisation's name.",
    )
    csl_extra = CslJsonField(
        label="Other CSL fields",
        required=False,
        help_text='Other CSL-JSON variables, e.g. {"volume": "90", "page": "112-125"}.',
    )

    # Present only when a new source looks like an existing one (see `clean`), and while the
    # editor's answer is posted back.
    create_anyway = forms.BooleanField(
        label="Create anyway",
        required=False,
        help_text="Tick to create this source although one like it exists.",
    )

    # A new outlet proposed by "Fill from URL" (autofill.py): present only while proposed
    # (in `initial`) and while the editor's answer is posted back. Created with the source
    # when no outlet is chosen; the source's own outlet field wins.
    proposed_outlet_name = forms.CharField(label="New outlet", required=False, max_length=255)
    proposed_outlet_short_label = forms.CharField(
        label="Its short label", required=False, max_length=40
    )
    proposed_outlet_home_url = forms.URLField(
        label="Its home page", required=False, max_length=500, assume_scheme="https"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not (self.is_bound and self.add_prefix("create_anyway") in self.data):
            self.fields.pop("create_anyway", None)
        proposed = self.add_prefix("proposed_outlet_name")
        if not (
            self.initial.get("proposed_outlet_name") or (self.is_bound and proposed in self.data)
        ):
            for name in PROPOSED_OUTLET_FIELDS:
                self.fields.pop(name, None)
        instance = self.instance
        instance.settle_apa_override()
        if "title_apa" in self.fields:
            field = self.fields["title_apa"]
            field.help_text = apa_help_text(instance)
            if instance.title:
                field.widget.attrs["placeholder"] = instance.apa_title_automatic

    # --- duplicates ------------------------------------------------------------------------

    def identifying_values(self) -> Identifying:
        """URL, DOI, title and date as this form holds them, for the duplicate check."""
        data = self.cleaned_data
        extra = data.get("csl_extra")
        found = extra.get("DOI") if isinstance(extra, dict) else None
        return {
            "url": data.get("url") or "",
            "doi": found if isinstance(found, str) else "",
            "title": data.get("title") or "",
            "issued": data.get("issued") or "",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name = " ".join((cleaned.get("proposed_outlet_name") or "").split())
        if name and not cleaned.get("outlet"):
            # Attached unsaved so the source is formatted with its name; saved in save().
            cleaned["outlet"] = Outlet.objects.filter(name__iexact=name).first() or Outlet(
                name=name,
                short_label=cleaned.get("proposed_outlet_short_label") or "",
                home_url=cleaned.get("proposed_outlet_home_url") or "",
            )
        if self.instance._state.adding and not cleaned.get("create_anyway"):
            found = find_duplicates(**self.identifying_values())
            if found:
                field = copy.deepcopy(self.base_fields["create_anyway"])
                if getattr(self, "is_deferred_validation", False):
                    field.is_deferred_validation = True
                self.fields = {"create_anyway": field, **self.fields}
                self.add_error("create_anyway", duplicates_message(found))
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        # Source.clean checks columns the form may not show (a citation key from an import);
        # Django would raise ValueError for those, so they become form-wide errors, named.
        if hasattr(errors, "error_dict"):
            hidden = [name for name in errors.error_dict if name not in self.fields]
            for name in hidden:
                if name == NON_FIELD_ERRORS:
                    continue
                messages = errors.error_dict.pop(name)
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                    ValidationError(f"{name}: {message}") for e in messages for message in e
                )
        super()._update_errors(errors)

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        self.update_instance(self.instance)
        # Format once before saving: what citeproc-js cannot format is refused here, with the
        # engine's reason in one line, instead of failing in save() after validation passed.
        try:
            self.instance.refresh_formatted()
        except FormattingFailed as exc:
            self.add_error(None, str(exc))

    def update_instance(self, source: Source) -> None:
        """Set what the form decides beyond its fields, before the source is formatted."""
        # An APA title typed now is written for the title it is saved with; one left as it
        # was keeps the title it was written for, and is ignored once the title differs.
        if "title_apa" in self.changed_data and source.title_apa.strip():
            if source.title_apa.strip() == source.apa_title_automatic:
                source.title_apa = ""  # the same as automatic: let it follow the title
            source.title_apa_for = source.title
        source.settle_apa_override()

    def save(self, commit: bool = True) -> Source:
        outlet = self.instance.outlet
        if outlet is not None and outlet.pk is None and "proposed_outlet_name" in self.fields:
            self.instance.outlet = _create_proposed_outlet(outlet, getattr(self, "for_user", None))
        return super().save(commit=commit)


PROPOSED_OUTLET_FIELDS = (
    "proposed_outlet_name",
    "proposed_outlet_short_label",
    "proposed_outlet_home_url",
)


def _create_proposed_outlet(outlet: Outlet, user: Any) -> Outlet:
    """The proposed outlet, created with the source the editor confirmed: an outlet of that
    name made meanwhile if any, else a new draft with its first revision, for review, as the
    chooser's new outlets are."""
    existing = Outlet.objects.filter(name__iexact=outlet.name).first()
    if existing is not None:
        return existing
    return CreateAction(outlet, user=user).execute(skip_permission_checks=True)


class SourceChooserCreateForm(SourceForm):
    """The short form for creating a source from inside the rich-text editor's chooser.

    Besides the model's fields it takes a DOI (kept in csl_extra["DOI"]), an accessed date
    (today by default when a URL is given), dates typed as people type them, and a new outlet
    by name: an existing outlet of that name (any case) is used, else a draft outlet is created
    with the source and published with the brief that cites it (publishing.py).

    Accepts `initial` for any field, e.g. from a pasted URL: url, title, kind, outlet (a pk or
    an Outlet), new_outlet_name, medium, doi, issued.
    """

    csl_extra = None  # type: ignore[assignment]  # no raw JSON in the short form
    new_outlet_name = forms.CharField(
        label="New outlet",
        required=False,
        max_length=255,
        help_text="If the outlet is not listed, type its name: it is created with the source.",
    )
    doi = forms.CharField(
        label="DOI",
        required=False,
        help_text="e.g. 10.1016/j.jfineco.2011.04.005, or its doi.org link.",
    )
    accessed = TypedDayField(
        label="Accessed",
        required=False,
        help_text="The day the URL was read; today if empty and a URL is given.",
    )

    field_order = [
        "create_anyway",
        "kind",
        "outlet",
        "new_outlet_name",
        "title",
        "authors",
        "issued",
        "url",
        "doi",
        "accessed",
        "medium",
    ]

    class Meta:
        model = Source
        fields = ["kind", "outlet", "title", "authors", "issued", "url", "accessed", "medium"]

    def clean_doi(self) -> str:
        try:
            return doi(self.cleaned_data.get("doi") or "")
        except InvalidDoi as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def clean_new_outlet_name(self) -> str:
        return " ".join((self.cleaned_data.get("new_outlet_name") or "").split())

    def identifying_values(self) -> Identifying:
        return {**super().identifying_values(), "doi": self.cleaned_data.get("doi") or ""}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name = cleaned.get("new_outlet_name")
        if name:
            if cleaned.get("outlet"):
                self.add_error("new_outlet_name", "Choose an outlet or type a new one, not both.")
            else:
                # Attached unsaved so the source is formatted with its name; saved in save().
                existing = Outlet.objects.filter(name__iexact=name).first()
                cleaned["outlet"] = existing or Outlet(name=name)
        if cleaned.get("url") and not cleaned.get("accessed") and "accessed" not in self.errors:
            cleaned["accessed"] = timezone.localdate()
        return cleaned

    def update_instance(self, source: Source) -> None:
        super().update_instance(source)
        value = self.cleaned_data.get("doi")
        extra = dict(source.csl_extra or {})
        if value:
            extra["DOI"] = value
        else:
            extra.pop("DOI", None)
        source.csl_extra = extra

    def save(self, commit: bool = True) -> Source:
        outlet = self.instance.outlet
        if commit and outlet is not None and outlet.pk is None:
            self.instance.outlet = self._create_outlet(outlet.name)
        return super().save(commit=commit)

    def _create_outlet(self, name: str) -> Outlet:
        """The outlet typed by name: an existing one (any case, if one was made meanwhile),
        else a new draft with its first revision, as the Outlets add screen makes it."""
        existing = Outlet.objects.filter(name__iexact=name).first()
        if existing is not None:
            return existing
        outlet = Outlet(name=name)
        # "add" on sources was checked by the view; an outlet made here is a draft for review.
        return CreateAction(outlet, user=self.for_user).execute(skip_permission_checks=True)

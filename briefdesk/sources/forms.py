"""Admin forms for sources: authors are edited as lines of text, not raw JSON.

Every value is checked before anything is saved: JSON through `csl_schema.load_json` (no NaN,
no deep nesting, no huge integers), the CSL shapes and limits in `Source.clean` (shared with
the importers), and last the citation engine itself: the form formats the source once, so a
value citeproc-js cannot handle is a one-line form error, never a 500 on save.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from briefdesk.citations.engine import FormattingFailed
from briefdesk.citations.sentence_case import suggest_sentence_case

from . import csl
from .csl_schema import CslError, load_json
from .validators import validate_partial_date


class NameListField(forms.CharField):
    """A list of CSL names, one per line: 'Family, Given', an organisation, or CSL-JSON."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(csl.name_to_line(name) for name in value)
        return value or ""

    def to_python(self, value: Any) -> list[dict[str, Any]]:
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


class SourceForm(WagtailAdminModelForm):
    # No max_length here: "Winter 2010" should hear that it is not a date, not that it is long.
    issued = forms.CharField(
        label="Publication date",
        required=False,
        validators=[validate_partial_date],
        help_text="YYYY-MM-DD, YYYY-MM or YYYY; empty if undated.",
    )
    authors = NameListField(
        required=False,
        help_text="One per line: 'Family, Given' for a person, or an organisation's name.",
    )
    csl_extra = CslJsonField(
        label="Other CSL fields",
        required=False,
        help_text='Other CSL-JSON variables, e.g. {"volume": "90", "page": "112-125"}.',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if "title_apa" in self.fields and instance.pk and instance.title:
            names = [instance.outlet_name] + [csl.display_name(a) for a in instance.authors or []]
            suggestion = suggest_sentence_case(instance.title, names)
            if suggestion != (instance.title_apa or instance.title):
                self.fields["title_apa"].help_text += f" Suggested: “{suggestion}”"

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
        # Format once before saving: what citeproc-js cannot format is refused here, with the
        # engine's reason in one line, instead of failing in save() after validation passed.
        try:
            self.instance.refresh_formatted()
        except FormattingFailed as exc:
            self.add_error(None, str(exc))

"""Admin forms for sources: authors are edited as lines of text, not raw JSON."""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from briefdesk.citations.sentence_case import suggest_sentence_case

from . import csl
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
        return self.to_python(initial) != self.to_python(data)


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if "title_apa" in self.fields and instance.pk and instance.title:
            names = [instance.outlet_name] + [csl.display_name(a) for a in instance.authors or []]
            suggestion = suggest_sentence_case(instance.title, names)
            if suggestion != (instance.title_apa or instance.title):
                self.fields["title_apa"].help_text += f" Suggested: “{suggestion}”"

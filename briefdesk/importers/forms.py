"""The admin's import forms: paste or upload (step 1), then confirm the same text (step 2)."""

from __future__ import annotations

from typing import Any

from django import forms

from .references import FORMAT_LABELS, ImportFailed, check_size, decode, megabytes

FORMAT_CHOICES = [("", "Detect from the text"), *FORMAT_LABELS.items()]


class ImportForm(forms.Form):
    text = forms.CharField(
        label="Paste references",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text="CSL-JSON, BibTeX or RIS, as Zotero, Mendeley or EndNote export them.",
    )
    file = forms.FileField(label="Or upload an export", required=False)
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.fields["file"].help_text = f".json, .bib or .ris, up to {megabytes(limit)}."
        self.fields["file"].widget.attrs["accept"] = ".json,.bib,.bibtex,.ris,.txt"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        text, upload = data.get("text") or "", data.get("file")
        if upload is not None and text.strip():
            raise forms.ValidationError("Paste references or upload a file, not both.")
        try:
            if upload is not None:
                # The size is known before the file is read: a 50 MB upload is refused
                # without decoding or parsing it.
                check_size(upload.size, self.limit)
                data["text"] = decode(upload.read(), self.limit)
            elif text.strip():
                check_size(len(text.encode("utf-8", "surrogatepass")), self.limit)
            else:
                raise forms.ValidationError("Paste references or choose a file to upload.")
        except ImportFailed as exc:
            self.add_error("file" if upload is not None else "text", str(exc))
        return data


class ConfirmForm(forms.Form):
    """Step 2 carries the previewed text back, so what is imported is what was previewed."""

    text = forms.CharField(strip=False, widget=forms.Textarea(attrs={"hidden": True}))
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False, widget=forms.HiddenInput)

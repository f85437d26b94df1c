"""The admin's "Import references" screen: paste or upload, preview what each reference will
do, then import all of them or none. Parsing and writing are the same functions the
`import-references` command uses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from wagtail.admin import messages

from .apply import ImportReport, import_entries
from .forms import ConfirmForm, ImportForm
from .references import FORMAT_LABELS, MAX_BYTES, ImportFailed, parse_references

# References per admin import: the preview and the confirm each check and format every one
# within one request (about 50 ms each, see docs/importing.md); the command allows
# references.MAX_ENTRIES.
ADMIN_MAX_ENTRIES = 1_000

TEMPLATE = "importers/import_references.html"
SOURCES_LISTING = "wagtailsnippets_sources_source:list"
# Step 2 posts the text back as a form field, which Django caps at
# DATA_UPLOAD_MAX_MEMORY_SIZE; keep room for the rest of the form.
FORM_OVERHEAD = 64 * 1024


def upload_limit() -> int:
    """The largest input the admin accepts: MAX_BYTES, or less if Django's cap on form data
    would reject the confirming post."""
    cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return MAX_BYTES if cap is None else min(MAX_BYTES, cap - FORM_OVERHEAD)


def can_import(user: Any) -> bool:
    return bool(user.has_perm("sources.add_source"))


def may_update(user: Any) -> bool:
    """Whether the user's import may rewrite existing sources: a change to a source readers
    see must be reviewed, so only those who may both change and publish sources (editors)
    may."""
    return bool(user.has_perm("sources.change_source") and user.has_perm("sources.publish_source"))


def import_references(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        return TemplateResponse(request, "importers/forbidden.html", status=403)
    limit = upload_limit()
    context: dict[str, Any] = {"limit": limit}
    if request.method != "POST":
        return TemplateResponse(request, TEMPLATE, {**context, "form": ImportForm(limit=limit)})

    confirming = request.POST.get("action") == "import"
    form: ImportForm | ConfirmForm
    if confirming:
        form = ConfirmForm(request.POST)
    else:
        form = ImportForm(request.POST, request.FILES, limit=limit)
    if isinstance(form, ConfirmForm) and not form.is_valid():
        start = ImportForm(limit=limit)
        error = "The references to import were missing: paste or upload them again."
        return TemplateResponse(request, TEMPLATE, {**context, "form": start, "input_error": error})
    if not form.is_valid():
        return TemplateResponse(request, TEMPLATE, {**context, "form": form})
    text, fmt = form.cleaned_data["text"], form.cleaned_data["format"] or None
    try:
        parsed = parse_references(text, fmt, max_entries=ADMIN_MAX_ENTRIES)
    except ImportFailed as exc:
        start = ImportForm(initial={"text": text, "format": fmt or ""}, limit=limit)
        return TemplateResponse(
            request, TEMPLATE, {**context, "form": start, "input_error": str(exc)}
        )
    report = import_entries(
        parsed.entries, dry_run=not confirming, allow_updates=may_update(request.user)
    )
    if report.written:
        messages.success(request, _success_message(report))
        return redirect(SOURCES_LISTING)
    if confirming:
        messages.error(request, report.summary())
    return TemplateResponse(
        request,
        TEMPLATE,
        {
            **context,
            "report": report,
            "format_label": FORMAT_LABELS[parsed.format],
            "confirm_form": ConfirmForm(initial={"text": text, "format": parsed.format}),
            "form": ImportForm(initial={"text": text, "format": fmt or ""}, limit=limit),
        },
    )


def _success_message(report: ImportReport) -> str:
    created, updated = report.count("created"), report.count("updated")
    total = len(report.results)
    noun = "reference" if total == 1 else "references"
    message = f"Imported {total} {noun}: {created} created, {updated} updated"
    unchanged = report.count("unchanged") + report.count("duplicate")
    return message + (f", {unchanged} already there." if unchanged else ".")

"""HTTP answers for citations, shared by briefs and sources: downloads (CSL-JSON, BibTeX,
RIS) and plain-text entries. No ORM here: callers pass CSL items and stored formats."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from .export import to_bibtex, to_csl_json, to_ris
from .styles import STYLES, UnknownStyle, get_style

DOWNLOADS: dict[str, tuple[Callable[[Sequence[Mapping[str, Any]]], str], str]] = {
    "json": (to_csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8"),
    "bib": (to_bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (to_ris, "application/x-research-info-systems; charset=utf-8"),
}
FORMS = ("bibliography", "citation")


def bad_style(exc: UnknownStyle) -> HttpResponse:
    return HttpResponseBadRequest(
        f"Unknown style {exc.key!r}. Valid styles: {', '.join(STYLES)}\n",
        content_type="text/plain; charset=utf-8",
    )


def style_from(request: HttpRequest, default: str) -> str:
    """The ?style= key, or the default. Raises UnknownStyle for anything else."""
    key = request.GET.get("style") or default
    get_style(key)
    return key


def download(items: Sequence[Mapping[str, Any]], fmt: str, filename: str) -> HttpResponse:
    render, content_type = DOWNLOADS[fmt]
    response = HttpResponse(render(items), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def text_entry(request: HttpRequest, formats: Mapping[str, Mapping[str, str]]) -> HttpResponse:
    """One line of UTF-8 text: the bibliography entry in ?style=, or with &form=citation the
    in-text citation (the first note for chicago-nb)."""
    try:
        style = style_from(request, "chicago-nb")
    except UnknownStyle as exc:
        return bad_style(exc)
    form = request.GET.get("form") or "bibliography"
    if form not in FORMS:
        return HttpResponseBadRequest(
            f"Unknown form {form!r}. Valid forms: {', '.join(FORMS)}\n",
            content_type="text/plain; charset=utf-8",
        )
    entry = formats.get(style) or {}
    text = entry.get(form, "")
    if not text and form == "bibliography":
        text = entry.get("citation", "")  # cited in notes only: the note is its full form
    response = HttpResponse(text + "\n", content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response

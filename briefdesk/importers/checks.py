"""Checks every CSL-JSON item passes before it may become a Source, whatever format it came
from. No ORM here (field lengths and URL syntax are checked later by the model itself).

Only what would break a Source or the citation engine is an error: no title and no author to
cite it by (an untitled interview or letter with its author is fine; legal material is cited
by its title, see csl_schema.CITED_BY_TITLE), a name or date
in a shape CSL does not know, an unknown CSL type, and whatever the CSL-JSON schema of
`briefdesk.sources.csl_schema` refuses (the same check the source form and any API run).
Variables briefdesk has no column for are kept as they are (a Source stores them in
`csl_extra` and gives them back on export). Every message is one short line: a value is
quoted only up to a few dozen characters.
"""

from __future__ import annotations

from typing import Any

from briefdesk.sources import csl_schema
from briefdesk.sources.csl_schema import NAME_VARIABLES, validate_item

from . import dates

# A date written as text is kept word for word when it is not a calendar date ("Winter
# 2010"); longer than this it is not a date but a pasted paragraph or a runaway number.
MAX_DATE_TEXT = 100

# The CSL-JSON schema's own lists; "container" is left out of the dates normalised here, as
# no reference manager writes it and `validate_item` still checks its shape.
DATE_VARIABLES = csl_schema.DATE_VARIABLES - {"container"}

NAME_PARTS = frozenset(
    {"family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle"}
)


def check_item(item: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """A normalised copy of a CSL-JSON item and the reasons it cannot be imported.

    Normalising never changes a well-formed item: it turns numeric ids into strings, numeric
    strings in date-parts into numbers (Zotero writes both), dates given as plain text into
    CSL dates, and trims the title."""
    if not isinstance(item, dict):
        return None, [f"not a CSL-JSON object (found {_json_kind(item)})"]
    item = dict(item)
    errors: list[str] = []

    if "id" in item:
        if isinstance(item["id"], int | str) and not isinstance(item["id"], bool):
            item["id"] = str(item["id"]).strip()
        else:
            errors.append("the id is not text")

    title = item.get("title")
    if isinstance(title, int | float) and not isinstance(title, bool):
        title = str(title)
    if title is not None and not isinstance(title, str):
        errors.append("the title is not text")
    elif (title or "").strip():
        item["title"] = " ".join(str(title).split())
    else:
        # An untitled work (an interview, a letter, a post) is valid CSL, cited by its author:
        # "Khan, Imran. Interview by Jo Smith." With no author either, MLA and APA have
        # nothing to cite it by (another name, an interviewer alone, is not printed first).
        item.pop("title", None)
        if not _has_name(item.get("author")) or item.get("type") in csl_schema.CITED_BY_TITLE:
            errors.append("no title")

    kind = item.get("type")
    if kind is not None and kind not in csl_schema.TYPES:
        errors.append(f"unknown CSL type {short(kind)}")

    for variable in sorted(NAME_VARIABLES & set(item)):
        error = _name_list_error(variable, item[variable])
        if error:
            errors.append(error)

    for variable in sorted(DATE_VARIABLES & set(item)):
        value, error = _normalise_date(item[variable])
        if error:
            errors.append(f"{variable}: {error}")
        elif value is None:
            del item[variable]
        else:
            item[variable] = value

    url = item.get("URL")
    if url is not None and not isinstance(url, str):
        errors.append("the URL is not text")
    if not errors:
        # Only once the importers' own (friendlier) checks pass, so one problem is not
        # reported twice in two wordings.
        errors = validate_item(item)
    return item, errors


def short(value: Any, limit: int = 40) -> str:
    """A value quoted for a one-line message, cut to `limit` characters."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_kind(value: Any) -> str:
    names = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def _has_name(names: Any) -> bool:
    return isinstance(names, list) and any(
        isinstance(name, dict)
        and any(isinstance(name.get(k), str) and name[k].strip() for k in NAME_PARTS)
        for name in names
    )


def _name_list_error(variable: str, names: Any) -> str | None:
    if not isinstance(names, list):
        return f"{variable}: not a list of names"
    for number, name in enumerate(names, start=1):
        if not isinstance(name, dict) or not name:
            return f"{variable} {number}: not a CSL name"
        if not any(isinstance(name.get(k), str) and name[k].strip() for k in NAME_PARTS):
            return f"{variable} {number}: a name needs a family name or a literal name"
    return None


def _normalise_date(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    if isinstance(value, str):
        value = dates.csl_date(value)
        if value is None:
            return None, None
    if not isinstance(value, dict):
        return None, "not a CSL date"
    for key in ("literal", "raw"):
        text = value.get(key)
        if isinstance(text, str) and len(text) > MAX_DATE_TEXT:
            return None, (
                f"a date of {len(text):,} characters ({short(text, 20)}); "
                f"the limit is {MAX_DATE_TEXT}"
            )
    if "date-parts" not in value:
        if any(isinstance(value.get(k), str) and value[k].strip() for k in ("literal", "raw")):
            return value, None
        return None, "not a CSL date (needs date-parts, literal or raw)"
    parts = value["date-parts"]
    if not isinstance(parts, list) or not 1 <= len(parts) <= 2:
        return None, "date-parts must hold one date or a range of two"
    numbers: list[list[int]] = []
    for part in parts:
        if not isinstance(part, list) or not 1 <= len(part) <= 3:
            return None, "each date in date-parts must be [year], [year, month] or [y, m, d]"
        try:
            # A part is at most a signed 4-digit year; int() of longer text is never tried
            # (Python refuses to convert over 4,300 digits, and it would be slow).
            if any(isinstance(p, str) and len(p.strip()) > 5 for p in part):
                raise ValueError
            numbers.append([int(p) for p in part])
        except (TypeError, ValueError, OverflowError):
            return None, f"{short(part)} is not a date"
    if numbers == parts:
        return value, None
    return {**value, "date-parts": numbers}, None

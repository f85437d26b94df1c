"""Checks every CSL-JSON item passes before it may become a Source, whatever format it came
from. No ORM here (field lengths and URL syntax are checked later by the model itself).

Only what would break a Source or the citation engine is an error: no title, a name or date
in a shape CSL does not know, an unknown CSL type. Variables briefdesk has no column for are
kept as they are (a Source stores them in `csl_extra` and gives them back on export).
"""

from __future__ import annotations

from typing import Any

from . import dates

CSL_TYPES = frozenset(
    """article article-journal article-magazine article-newspaper bill book broadcast chapter
    classic collection dataset document entry entry-dictionary entry-encyclopedia event figure
    graphic hearing interview legal_case legislation manuscript map motion_picture
    musical_score pamphlet paper-conference patent performance periodical
    personal_communication post post-weblog regulation report review review-book software song
    speech standard thesis treaty webpage""".split()
)

NAME_VARIABLES = frozenset(
    """author chair collection-editor compiler composer container-author contributor curator
    director editor editorial-director editortranslator executive-producer guest host
    illustrator interviewer narrator organizer original-author performer producer recipient
    reviewed-author script-writer series-creator translator""".split()
)

DATE_VARIABLES = frozenset(
    "accessed available-date event-date issued original-date submitted".split()
)

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
    elif not (title or "").strip():
        errors.append("no title")
    else:
        item["title"] = " ".join(str(title).split())

    kind = item.get("type")
    if kind is not None and kind not in CSL_TYPES:
        errors.append(f"unknown CSL type {kind!r}")

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
    return item, errors


def _json_kind(value: Any) -> str:
    names = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true/false"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


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
        return dates.csl_date(value), None
    if not isinstance(value, dict):
        return None, "not a CSL date"
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
            numbers.append([int(p) for p in part])
        except (TypeError, ValueError):
            return None, f"{part!r} is not a date"
    if numbers == parts:
        return value, None
    return {**value, "date-parts": numbers}, None

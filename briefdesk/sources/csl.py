"""Mapping between a Source's fields and CSL-JSON, both ways, without loss. No ORM here.

A Source keeps the CSL variables editors work with as columns and every other CSL variable in
`csl_extra`, so CSL-JSON in -> Source -> CSL-JSON out gives back what came in (the `id` aside,
which export takes from the source's citation key).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .kinds import CSL_TYPE, OUTLET_VARIABLE, Kind, kind_for_csl

PARTIAL_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")

# Columns that hold a CSL string variable under the same meaning.
STRING_COLUMNS: dict[str, str] = {
    "title": "title",
    "url": "URL",
    "number": "number",
    "publisher": "publisher",
    "publisher_place": "publisher-place",
    "genre": "genre",
    "medium": "medium",
    "container_title": "container-title",
}


class InvalidDate(ValueError):
    pass


def parse_partial_date(value: str) -> list[int]:
    """'2010-12-06' -> [2010, 12, 6]; '2010-12' -> [2010, 12]; '2010' -> [2010].

    Raises InvalidDate with a reader-facing message for anything else, including impossible
    days such as 2010-02-30.
    """
    match = PARTIAL_DATE.match(value.strip())
    if not match:
        raise InvalidDate(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(p) for p in match.group("y", "m", "d") if p is not None]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise InvalidDate(f"{value!r} is not a real date") from None
    return parts


def format_partial_date(parts: list[int]) -> str:
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))


@dataclass
class SourceFields:
    """The editable content of a Source, as plain data."""

    kind: str
    title: str = ""
    authors: list[dict[str, Any]] = field(default_factory=list)
    issued: str = ""
    accessed: dt.date | None = None
    url: str = ""
    number: str = ""
    publisher: str = ""
    publisher_place: str = ""
    genre: str = ""
    medium: str = ""
    container_title: str = ""
    outlet_name: str = ""
    csl_extra: dict[str, Any] = field(default_factory=dict)


def to_csl(src: SourceFields, csl_id: str) -> dict[str, Any]:
    """CSL-JSON for a source. The outlet fills the CSL variable its kind gives it
    (container-title or publisher) unless that column is set explicitly."""
    kind = Kind(src.kind)
    item: dict[str, Any] = {"id": csl_id, "type": CSL_TYPE[kind]}
    if src.authors:
        item["author"] = [dict(name) for name in src.authors]
    for column, variable in STRING_COLUMNS.items():
        value = getattr(src, column)
        if value:
            item[variable] = value
    outlet_variable = OUTLET_VARIABLE[kind]
    if src.outlet_name and not item.get(outlet_variable):
        item[outlet_variable] = src.outlet_name
    if src.issued:
        item["issued"] = {"date-parts": [parse_partial_date(src.issued)]}
    if src.accessed:
        item["accessed"] = {
            "date-parts": [[src.accessed.year, src.accessed.month, src.accessed.day]]
        }
    # Anything else (volume, page, DOI, interviewer, event, raw dates, a foreign type...) is
    # kept verbatim; it wins over derived values because it came from the record itself.
    for key, value in src.csl_extra.items():
        item[key] = value
    return item


def from_csl(item: Mapping[str, Any]) -> SourceFields:
    """Split a CSL-JSON item into Source fields. The outlet name is the value of the variable
    the kind's outlet stands for; the caller finds or creates the Outlet by that name."""
    extra = {k: v for k, v in item.items() if k not in {"id", "type"}}
    csl_type = str(item.get("type") or "webpage")
    kind = kind_for_csl(csl_type, str(item.get("genre") or ""))
    if CSL_TYPE[kind] != csl_type:
        extra["type"] = csl_type
    fields = SourceFields(kind=kind.value)
    for column, variable in STRING_COLUMNS.items():
        value = extra.get(variable)
        if isinstance(value, str | int) and not isinstance(value, bool):
            setattr(fields, column, str(value))
            del extra[variable]
    outlet_variable = OUTLET_VARIABLE[kind]
    outlet_column = "publisher" if outlet_variable == "publisher" else "container_title"
    fields.outlet_name = getattr(fields, outlet_column)
    setattr(fields, outlet_column, "")
    authors = extra.pop("author", [])
    if isinstance(authors, list) and all(isinstance(a, dict) for a in authors):
        fields.authors = [dict(a) for a in authors]
    elif authors:
        extra["author"] = authors
    issued = extra.get("issued")
    parts = _simple_date_parts(issued)
    if parts is not None:
        fields.issued = format_partial_date(parts)
        del extra["issued"]
    accessed = _simple_date_parts(extra.get("accessed"))
    if accessed is not None and len(accessed) == 3:
        fields.accessed = dt.date(*accessed)
        del extra["accessed"]
    fields.csl_extra = extra
    return fields


def _simple_date_parts(value: Any) -> list[int] | None:
    """Date parts of a CSL date that a partial-date column can hold exactly, else None."""
    if not isinstance(value, dict) or set(value) != {"date-parts"}:
        return None
    parts = value["date-parts"]
    if not (isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], list)):
        return None
    try:
        values = [int(p) for p in parts[0]]
        if not 1 <= len(values) <= 3 or values != parts[0]:
            return None
        parse_partial_date(format_partial_date(values))
    except (TypeError, ValueError):
        return None
    return values


def name_to_line(name: Mapping[str, Any]) -> str:
    """One author as an editor types it: 'Family, Given' for a person, the name for an
    organisation; anything richer (particles, suffixes) as its CSL-JSON."""
    import json

    keys = set(name)
    if keys == {"literal"}:
        return str(name["literal"])
    if keys <= {"family", "given"} and "family" in keys:
        given = name.get("given", "")
        return f"{name['family']}, {given}" if given else f"{name['family']},"
    return json.dumps(dict(name), ensure_ascii=False)


def line_to_name(line: str) -> dict[str, Any]:
    """Inverse of name_to_line. Raises ValueError with a reader-facing message."""
    from .csl_schema import CslError, load_json

    line = line.strip()
    if line.startswith("{"):
        try:
            # The name checks (parts, lengths) are Source.clean's; this only bounds the JSON.
            name = load_json(line, max_bytes=64 * 1024, max_depth=4)
        except CslError as exc:
            if str(exc).startswith("Not valid JSON"):
                raise ValueError(f"{_shorten(line)!r} is not valid JSON for a name") from None
            raise ValueError(f"{_shorten(line)!r}: {exc}") from None
        if not isinstance(name, dict) or not name:
            raise ValueError(f"{line!r} is not a CSL name object")
        return name
    if "," in line:
        family, given = (part.strip() for part in line.split(",", 1))
        if not family:
            raise ValueError(f"{line!r} has no family name before the comma")
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": line}


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def authors_display(authors: Sequence[Mapping[str, Any]]) -> str:
    """'A', 'A and B', 'A, B, and C' with given names first, for page display."""
    names = [display_name(a) for a in authors]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def display_name(name: Mapping[str, Any]) -> str:
    if "literal" in name:
        return str(name["literal"])
    parts = [
        name.get("given", ""),
        name.get("dropping-particle", ""),
        name.get("non-dropping-particle", ""),
        name.get("family", ""),
    ]
    text = " ".join(str(p) for p in parts if p)
    return f"{text}, {name['suffix']}" if name.get("suffix") else text


def untitled_description(item: Mapping[str, Any], kind_label: str) -> str:
    """What an untitled work is, in words, for headings and lists: "Interview with Imran Khan
    by Jo Smith", "Letter from A to B" (or the genre: "Email from A to B"), else "Untitled
    web page by A". Citations never use it: each style has its own words for these."""

    def people(variable: str) -> str:
        names = item.get(variable)
        if not isinstance(names, list):
            return ""
        return authors_display([n for n in names if isinstance(n, Mapping)])

    author = people("author")
    csl_type = item.get("type")
    if csl_type == "interview":
        by = people("interviewer")
        return "Interview" + (f" with {author}" if author else "") + (f" by {by}" if by else "")
    if csl_type == "personal_communication":
        genre = str(item.get("genre") or "").strip()
        what = genre[:1].upper() + genre[1:] if genre else "Letter"
        to = people("recipient")
        return what + (f" from {author}" if author else "") + (f" to {to}" if to else "")
    if not author:
        from .csl_schema import NAME_VARIABLES

        author = next((people(v) for v in sorted(NAME_VARIABLES) if people(v)), "")
    return f"Untitled {kind_label.lower()}" + (f" by {author}" if author else "")

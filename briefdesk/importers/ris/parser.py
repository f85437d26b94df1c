"""RIS text -> entries, read by rispy. No ORM here.

rispy reads the tags of a record; it silently drops a record without an `ER` end tag and
has no line numbers, so this module first cuts the text into records itself (remembering
where each starts) and hands each one to `rispy.loads`. A record with no end, or tags
outside any record, is an error naming its line. Tags with no CSL counterpart (KW, N1,
L1...) are not imported; the entry's notes list them.

Tags are read as Zotero's RIS translator reads them for the same kind: a report's SN is its
number and its T2 its series, a presentation's (SLIDE) T2 the meeting and CY its place, so
briefdesk's own downloads (`briefdesk.citations.export`) read back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import rispy
from rispy.config import TAG_KEY_MAPPING

from .. import dates
from ..checks import check_item
from ..entries import Entry

TYPES: dict[str, str] = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "EJOUR": "article-journal",
    "INPR": "article-journal",
    "ABST": "article-journal",
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    "ELEC": "webpage",
    "ICOMM": "webpage",
    "MULTI": "webpage",
    "BLOG": "post-weblog",
    "RPRT": "report",
    "GOVDOC": "report",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CTLG": "book",
    "SER": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "THES": "thesis",
    "UNPB": "manuscript",
    "MANSCPT": "manuscript",
    "GEN": "document",
    "PCOMM": "personal_communication",
    "VIDEO": "motion_picture",
    "MPCT": "motion_picture",
    "ADVS": "motion_picture",
    "SOUND": "song",
    "SLIDE": "speech",
    "BILL": "bill",
    "CASE": "legal_case",
    "STAT": "legislation",
    "LEGAL": "regulation",
    "HEAR": "hearing",
    "PAT": "patent",
    "MAP": "map",
    "DATA": "dataset",
    "DBASE": "dataset",
    "AGGR": "dataset",
    "COMP": "software",
    "ENCYC": "entry-encyclopedia",
    "DICT": "entry-dictionary",
    "PAMP": "pamphlet",
    "STAND": "standard",
    "ART": "graphic",
    "FIGURE": "figure",
    "CHART": "figure",
    "MUSIC": "musical_score",
    "CLSWK": "classic",
    "ANCIENT": "classic",
}
PERIODICAL_TYPES = {"article-journal", "article-magazine", "article-newspaper"}
# T2 is the series of these (Zotero's RIS.js: `series` of a book, `seriesTitle` of a report).
SERIES_IN_T2 = {"book", "report"}
ISBN_TYPES = {"book", "chapter", "paper-conference"}

# rispy's key -> RIS tag, to name tags in notes as the editor's file has them.
TAG_FOR_KEY = {key: tag for tag, key in TAG_KEY_MAPPING.items()}
# Read into a CSL variable by `to_csl`.
USED_KEYS = {
    "type_of_reference",
    "id",
    "title",
    "primary_title",
    "short_title",
    "secondary_title",
    "journal_name",
    "alternate_title1",
    "alternate_title2",
    "alternate_title3",
    "tertiary_title",
    "authors",
    "first_authors",
    "secondary_authors",
    "tertiary_authors",
    "subsidiary_authors",
    "date",
    "year",
    "publication_year",
    "access_date",
    "urls",
    "doi",
    "publisher",
    "place_published",
    "volume",
    "number",
    "start_page",
    "end_page",
    "edition",
    "section",
    "language",
    "issn",
    "type_of_work",
    "abstract",
    "notes_abstract",
    "name_of_database",
    "end_of_reference",
}

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -\s?(.*)$")
_URL = re.compile(r"^https?://\S+$", re.I)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.I)


@dataclass
class _Record:
    line: int
    lines: list[str] = field(default_factory=list)
    error: str | None = None


def parse(text: str, *, max_entries: int | None = None) -> list[Entry]:
    """Every record of the RIS `text` as an Entry. `max_entries` is checked by the caller
    before parsing (`references.count_references`)."""
    entries = []
    for number, record in enumerate(_records(text), start=1):
        if record.error:
            entries.append(
                Entry(key=f"entry {number}", line=record.line, item=None, error=record.error)
            )
            continue
        parsed = rispy.loads("\n".join(record.lines))
        ris: dict[str, Any] = parsed[0] if parsed else {}
        key = str(ris.get("id") or "").strip() or f"entry {number}"
        csl_item, notes = to_csl(ris)
        item: dict[str, Any] | None
        if not ris.get("type_of_reference"):
            item, errors = None, ["no reference type after TY"]
        else:
            item, errors = check_item(csl_item)
        entries.append(
            Entry(
                key=key, line=record.line, item=item, error="; ".join(errors) or None, notes=notes
            )
        )
    return entries


def _records(text: str) -> list[_Record]:
    """Cut RIS text into records from `TY  -` to `ER  -`, normalising each tag line to the
    exact 'XX  - value' form rispy reads."""
    records: list[_Record] = []
    current: _Record | None = None
    stray: _Record | None = None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        match = _TAG.match(line)
        tag = match.group(1) if match else None
        if match:
            line = f"{tag}  - {match.group(2) or ''}".rstrip()
        if tag == "TY":
            if current is not None:
                current.error = f"no 'ER  -' end tag before the next reference (line {number})"
                records.append(current)
            current, stray = _Record(line=number, lines=[line]), None
        elif current is not None:
            current.lines.append(line)
            if tag == "ER":
                records.append(current)
                current = None
        elif tag and stray is None:
            # Tags outside a record belong to a reference whose TY line is missing.
            stray = _Record(
                line=number, error=f"{tag} tag outside a reference: no 'TY  -' before it"
            )
            records.append(stray)
    if current is not None:
        current.error = "no 'ER  -' end tag (the text ends inside this reference)"
        records.append(current)
    return records


def _first(ris: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = ris.get(key)
        if isinstance(value, list):
            value = next((v for v in value if str(v).strip()), "")
        if value and str(value).strip():
            return " ".join(str(value).split())
    return ""


def _names(values: Any) -> list[dict[str, str]]:
    """'Family, Given[, Suffix]' per RIS; a name without a comma (an organisation, or a name
    exported whole) is kept as a literal name."""
    names = []
    for value in values if isinstance(values, list) else [values]:
        value = " ".join(str(value or "").split())
        if not value:
            continue
        if "," not in value:
            names.append({"literal": value})
            continue
        family, rest = (part.strip() for part in value.split(",", 1))
        given, _, suffix = (part.strip() for part in rest.partition(","))
        name = {"family": family} if family else {"literal": rest}
        if family and given:
            name["given"] = given
        if family and suffix:
            name["suffix"] = suffix
        names.append(name)
    return names


def _issued(ris: dict[str, Any]) -> dict[str, Any] | None:
    """DA (the full date) if it reads as a date, else PY/Y1 (a year, or YYYY/MM/DD/). EndNote
    writes the year in PY and 'Dec 6' in DA, so a DA without a year takes PY's."""
    da = _first(ris, "date")
    py = _first(ris, "year", "publication_year")
    year_parts = dates.ris_parts(py) or dates.iso_parts(py)
    year = year_parts[0] if year_parts else None
    if da:
        parts = dates.ris_parts(da) or dates.iso_parts(da) or dates.from_words(da, year)
        if parts:
            return {"date-parts": [parts]}
    if year_parts:
        if da:  # 'Winter' with PY 2010: keep both, as words
            return dates.literal(da if str(year) in da else f"{da} {year}")
        return {"date-parts": [year_parts]}
    return dates.literal(" ".join(v for v in (da, py) if v))


def to_csl(ris: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One rispy record -> a CSL-JSON item and notes for the editor."""
    notes: list[str] = []
    ty = str(ris.get("type_of_reference") or "").strip().upper()
    csl_type = TYPES.get(ty)
    if csl_type is None:
        csl_type = "document"
        if ty:
            notes.append(f"TY {ty} is not a RIS type briefdesk knows: imported as a document")
    item: dict[str, Any] = {"id": str(ris.get("id") or "").strip(), "type": csl_type}
    if not item["id"]:
        del item["id"]

    for keys, variable in (
        (("authors", "first_authors"), "author"),
        (("secondary_authors",), "editor"),
        (("tertiary_authors",), "collection-editor"),
        (("subsidiary_authors",), "translator"),
    ):
        names = [n for key in keys for n in _names(ris.get(key))]
        if names:
            item[variable] = names

    item["title"] = _first(ris, "title", "primary_title")
    short = _first(ris, "short_title")
    if short:
        item["title-short"] = short
    container = _first(ris, "secondary_title", "alternate_title3", "journal_name")
    # BT (book title) is not a tag rispy knows; older EndNote exports use it.
    container = container or " ".join((ris.get("unknown_tag", {}).get("BT") or [""])[0].split())
    abbreviation = _first(ris, "alternate_title1", "alternate_title2")
    series = _first(ris, "tertiary_title")
    if csl_type in SERIES_IN_T2 and container:
        # For a whole book or a report RIS's secondary title is its series.
        series, container = series or container, ""
    if csl_type == "speech" and container:
        item["event-title"], container = container, ""
    if container:
        item["container-title"] = container
        if abbreviation:
            item["container-title-short"] = abbreviation
    elif abbreviation:
        item["container-title"] = abbreviation
    if series:
        item["collection-title"] = series

    issued = _issued(ris)
    if issued:
        item["issued"] = issued
    accessed = dates.csl_date(_first(ris, "access_date"))
    if accessed:
        item["accessed"] = accessed

    urls = [u for u in ris.get("urls") or [] if _URL.match(str(u).strip())]
    if urls:
        item["URL"] = str(urls[0]).strip()
    elif ris.get("urls"):
        notes.append(f"UR {_first(ris, 'urls')!r} is not a web address: not imported")
    type_of_work = _first(ris, "type_of_work")
    doi = _first(ris, "doi")
    if not doi and _DOI.match(type_of_work):
        doi, type_of_work = type_of_work, ""
    match = _DOI.match(doi)
    if match:
        item["DOI"] = match.group(1)
    elif doi:
        item["DOI"] = doi

    for key, variable in (
        ("publisher", "publisher"),
        ("place_published", "event-place" if csl_type == "speech" else "publisher-place"),
        ("abstract", "abstract"),
        ("notes_abstract", "abstract"),
        ("name_of_database", "archive"),
        ("volume", "volume"),
        ("edition", "edition"),
        ("section", "section"),
        ("language", "language"),
    ):
        value = _first(ris, key)
        if value:
            item.setdefault(variable, value)
    number = _first(ris, "number")
    issn = _first(ris, "issn")
    if csl_type == "report" and issn:
        # Zotero writes a report's number in SN (and drops IS for reports).
        number, issn = issn, ""
    if number:
        item["issue" if csl_type in PERIODICAL_TYPES else "number"] = number
    start, end = _first(ris, "start_page"), _first(ris, "end_page")
    if start or end:
        item["page"] = f"{start}-{end}" if start and end and start != end else start or end
    if issn:
        item["ISBN" if csl_type in ISBN_TYPES else "ISSN"] = issn
    if type_of_work:
        item["genre"] = type_of_work

    ignored = sorted(
        # A line "  - x" (no tag) reaches rispy as the key None: named as an empty tag.
        {str(TAG_FOR_KEY.get(k, k) or "") for k in ris if k not in USED_KEYS and k != "unknown_tag"}
        | {str(t or "") for t in ris.get("unknown_tag", {}) if t != "BT"}
    )
    if ignored:
        notes.append("not imported: " + ", ".join(ignored))
    return item, notes

"""Citation downloads: CSL-JSON, BibTeX and RIS from CSL-JSON items. No ORM here.

CSL-JSON is the lossless format (what briefdesk stores). BibTeX (biblatex-compatible,
UTF-8) and RIS carry what their formats can hold; the mapping follows what Zotero writes and
reads for the same item types. Serialisation goes through the maintained writers
(bibtexparser 2, rispy).

The writers defend themselves, although every path in validates items (csl_schema): a
variable of an unexpected shape (a name list that is text, a date without date-parts, an
object where text belongs) is left out rather than failing the download, and nothing in a value
can become structure in the output: RIS values lose every line break and control character
(so no value can start a tag or a record), BibTeX values have their braces, `%`, `\\` and
other specials escaped and whitespace collapsed (so no value can close a field or start an
entry; `@` is then harmless inside the braces), keys are reduced to safe characters, and
CSL-JSON is always valid JSON (no NaN, no lone surrogates).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

Item = Mapping[str, Any]

# CSL type -> (BibTeX entry type, RIS type). The RIS types are the ones Zotero's RIS
# translator writes and reads back for the same kind (RIS.js exportTypeMap): a report is
# RPRT, a speech SLIDE (Zotero's "presentation"). RIS has no type for a cable, an interview
# or a broadcast, so those are GEN. In BibTeX the kinds @article and @misc hold are told
# apart by biblatex's `entrysubtype` (see BIBTEX_SUBTYPES).
TYPE_MAP: dict[str, tuple[str, str]] = {
    "article-newspaper": ("article", "NEWS"),
    "article-magazine": ("article", "MGZN"),
    "article-journal": ("article", "JOUR"),
    "webpage": ("online", "ELEC"),
    "post-weblog": ("online", "BLOG"),
    "post": ("online", "ELEC"),
    "report": ("techreport", "RPRT"),
    "book": ("book", "BOOK"),
    "chapter": ("incollection", "CHAP"),
    "thesis": ("thesis", "THES"),
    "paper-conference": ("inproceedings", "CONF"),
    "manuscript": ("unpublished", "MANSCPT"),
    "entry-encyclopedia": ("inreference", "ENCYC"),
    "entry-dictionary": ("inreference", "DICT"),
    "dataset": ("dataset", "DATA"),
    "software": ("software", "COMP"),
    "patent": ("patent", "PAT"),
    "pamphlet": ("booklet", "PAMP"),
    "speech": ("misc", "SLIDE"),
    "personal_communication": ("misc", "PCOMM"),
    "document": ("misc", "GEN"),
    "interview": ("misc", "GEN"),
    "broadcast": ("misc", "GEN"),
}
# biblatex's `entrysubtype` names the kind where the entry type is shared: "newspaper" and
# "magazine" for @article (biblatex's own values), the CSL type for @misc and for @online
# other than a web page. Zotero ignores the field; briefdesk's importer reads it back.
BIBTEX_SUBTYPES: dict[str, str] = {
    "article-newspaper": "newspaper",
    "article-magazine": "magazine",
    "post-weblog": "post-weblog",
    "post": "post",
}
PERIODICALS = {"article-newspaper", "article-magazine", "article-journal"}
_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_KEY_CHARS = re.compile(r"[^A-Za-z0-9_:.-]+")
# Everything a line-based reader may split a line on (str.splitlines: \v \f \x1c-\x1e \x85
# \u2028 \u2029 as well as CR/LF), other control characters, and lone surrogates.
_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_MAX_YEAR = 9999


def _plain(value: Any) -> str:
    """A text or number variable as one line of text; "" for any other shape."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    if isinstance(value, int) and abs(value) > 2**53:
        return ""  # str() of a 5,000-digit int raises; no CSL value is that large
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return " ".join(_BREAKS_AND_CONTROLS.sub(" ", str(value)).split())


def _names(value: Any) -> list[Mapping[str, Any]]:
    """The name objects of a name variable; [] when it is not a list of objects."""
    if not isinstance(value, list):
        return []
    return [name for name in value if isinstance(name, Mapping)]


def _jsonable(value: Any, depth: int = 0) -> Any:
    """A copy that json.dumps writes as valid JSON: non-finite numbers become null, lone
    surrogates U+FFFD, keys text, anything deeper than 64 levels or not JSON null."""
    if depth > 64:
        return None
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if abs(value) <= 2**53 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {_jsonable(str(k), depth + 1): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, depth + 1) for v in value]
    return None


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def to_csl_json(items: Iterable[Item]) -> str:
    """CSL-JSON array, UTF-8, as Zotero and citeproc read it. Always valid JSON."""
    return json.dumps(_jsonable(list(items)), ensure_ascii=False, indent=2) + "\n"


# --- BibTeX ------------------------------------------------------------------------------


def _tex(value: Any) -> str:
    text = _plain(value)
    text = _BIBTEX_SPECIAL.sub(
        lambda m: (
            "\\" + m.group(1)
            if m.group(1) not in "\\~^"
            else {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}[
                m.group(1)
            ]
        ),
        text,
    )
    return re.sub(r"\s+", " ", text).strip()


_AND = re.compile(r"\band\b", re.I)


def _name_part(value: str) -> str:
    # "and" separates names in BibTeX: a part containing the word is kept as one unit.
    text = _tex(value)
    return "{" + text + "}" if _AND.search(text) else text


def _bibtex_names(names: Iterable[Mapping[str, Any]]) -> str:
    out = []
    for name in names:
        if "literal" in name:
            literal = _tex(name["literal"])
            if literal:
                out.append("{" + literal + "}")  # an organisation: one unit
            continue
        family = " ".join(
            p for p in (_plain(name.get("non-dropping-particle")), _plain(name.get("family"))) if p
        )
        given = " ".join(
            p for p in (_plain(name.get("given")), _plain(name.get("dropping-particle"))) if p
        )
        if not (family or given):
            continue
        parts = [_name_part(family)]
        if _plain(name.get("suffix")):
            parts.append(_name_part(name["suffix"]))
        if given:
            parts.append(_name_part(given))
        out.append(", ".join(parts))
    return " and ".join(out)


def _date_parts(item: Item, key: str) -> list[int] | None:
    """The first date of a CSL date as [y], [y, m] or [y, m, d]; None for any other shape."""
    value = item.get(key)
    if not isinstance(value, Mapping):
        return None
    dates = value.get("date-parts")
    if not isinstance(dates, list) or not dates or not isinstance(dates[0], list):
        return None
    parts = []
    for part in dates[0][:3]:
        text = _plain(part)
        if not text.isdigit() or len(text) > 4:
            return None
        parts.append(int(text))
    limits = (_MAX_YEAR, 12, 31)
    if not parts or any(p > limit for p, limit in zip(parts, limits, strict=False)):
        return None
    if any(p < 1 for p in parts[1:]):
        return None
    return parts


def _iso(parts: list[int]) -> str:
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))


def bibtex_key(item: Item) -> str:
    key = _KEY_CHARS.sub("-", _plain(item.get("id")) or "item").strip("-")
    return key[:200] or "item"


def _url(value: Any) -> str:
    # biblatex reads url (and doi) verbatim: braces, backslashes and spaces are percent-encoded, not
    # escaped, so the link still works and nothing can close the field.
    text = _plain(value)
    for char, code in (("%", "%25"), ("{", "%7B"), ("}", "%7D"), ("\\", "%5C"), (" ", "%20")):
        if char == "%":
            text = re.sub(r"%(?![0-9A-Fa-f]{2})", code, text)
        else:
            text = text.replace(char, code)
    return text


def bibtex_type(csl_type: str) -> tuple[str, str]:
    """The BibTeX entry type and `entrysubtype` ("" for none) for a CSL type."""
    entry_type = TYPE_MAP.get(csl_type, ("misc", "GEN"))[0]
    subtype = BIBTEX_SUBTYPES.get(csl_type, csl_type if entry_type == "misc" else "")
    return entry_type, subtype


def _bibtex_entry(item: Item) -> Entry:
    """One item as a BibTeX entry with biblatex field names. Each field is one Zotero's BibTeX
    import (BibTeX.js) reads into the same Zotero field: `institution` is a report's
    institution, `type` its report type, `number` its report number (a periodical's issue),
    `date` the full date (with `year`/`month` for plain BibTeX styles), `journaltitle` the
    periodical or website."""
    csl_type = _plain(item.get("type")) or "webpage"
    entry_type, subtype = bibtex_type(csl_type)
    fields: list[tuple[str, str]] = []

    def add(name: str, value: Any, protect: bool = False) -> None:
        text = _tex(value)
        if text:
            fields.append((name, "{" + text + "}" if protect else text))

    if subtype:
        fields.append(("entrysubtype", _tex(subtype)))
    for variable in ("author", "editor", "translator"):
        names = _bibtex_names(_names(item.get(variable)))
        if names:
            fields.append((variable, names))
    add("title", item.get("title"), protect=True)  # keep the title's capitals
    add("shorttitle", item.get("title-short"), protect=True)
    container = item.get("container-title")
    add(
        "booktitle"
        if entry_type in {"incollection", "inproceedings", "inreference"}
        else "journaltitle",
        container,
    )
    add("eventtitle", item.get("event-title"))
    add("venue", item.get("event-place"))
    add(
        "institution" if entry_type in {"techreport", "thesis"} else "publisher",
        item.get("publisher"),
    )
    add("location", item.get("publisher-place"))
    add("type", item.get("genre"))
    if csl_type in PERIODICALS:
        add("number", _plain(item.get("issue")) or item.get("number"))
    else:
        add("number", item.get("number"))
        add("issue", item.get("issue"))
    add("volume", item.get("volume"))
    add("pages", _plain(item.get("page")).replace("-", "--"))
    add("edition", item.get("edition"))
    add("series", item.get("collection-title"))
    issued = _date_parts(item, "issued")
    if issued:
        fields.append(("date", _iso(issued)))
        fields.append(("year", str(issued[0])))
        if len(issued) > 1:
            fields.append(("month", str(issued[1])))
    event_date = _date_parts(item, "event-date")
    if event_date:
        fields.append(("eventdate", _iso(event_date)))
    doi = _url(item.get("DOI"))  # verbatim in biblatex, like url
    if doi:
        fields.append(("doi", doi))
    add("isbn", item.get("ISBN"))
    add("issn", item.get("ISSN"))
    url = _url(item.get("URL"))
    if url:
        fields.append(("url", url))
    accessed = _date_parts(item, "accessed")
    if accessed:
        fields.append(("urldate", _iso(accessed)))
    add("howpublished", item.get("medium"))
    add("language", item.get("language"))
    add("abstract", item.get("abstract"))
    add("note", item.get("note"))
    return Entry(entry_type, bibtex_key(item), [Field(k, v) for k, v in fields])


def to_bibtex(items: Iterable[Item]) -> str:
    """BibTeX (biblatex field names, UTF-8): one entry per item, keyed by its CSL id."""
    library = Library()
    seen: set[str] = set()
    for item in items:
        entry = _bibtex_entry(item)
        key, n = entry.key, 2
        while entry.key in seen:  # keys must be unique in a file
            entry.key = f"{key}-{n}"
            n += 1
        seen.add(entry.key)
        library.add(entry)
    return bibtexparser.write_string(library)


# --- RIS ---------------------------------------------------------------------------------


def _ris_name(name: Mapping[str, Any]) -> str:
    if "literal" in name:
        return _plain(name["literal"])
    family = " ".join(
        p for p in (_plain(name.get("non-dropping-particle")), _plain(name.get("family"))) if p
    )
    given = _plain(name.get("given"))
    return f"{family}, {given}" if given else family


def ris_tags(csl_type: str) -> dict[str, str]:
    """Which CSL variable goes in T2, T3, CY and SN for a CSL type, as Zotero's RIS
    translator (RIS.js fieldMap) reads those tags for the matching Zotero type: a report's
    or a book's T2 is its series and a report's SN its number (Zotero drops IS for
    reports); a presentation's T2 is the meeting and CY its place."""
    tags = {"T2": "container-title", "T3": "collection-title", "CY": "publisher-place"}
    if csl_type in {"report", "book"}:
        tags.update(T2="collection-title", T3="")
    if csl_type == "report":
        tags["SN"] = "number"
    if csl_type == "speech":
        tags.update(T2="event-title", CY="event-place")
    return tags


def _ris_record(item: Item) -> dict[str, Any]:
    # Every value goes through _plain: one line, no control characters, so no value can
    # start a tag ("TY  - ") or end the record ("ER  - ") when a reader splits lines.
    csl_type = _plain(item.get("type")) or "webpage"
    tags = ris_tags(csl_type)
    record: dict[str, Any] = {"type_of_reference": TYPE_MAP.get(csl_type, ("misc", "GEN"))[1]}

    def add(key: str, value: Any) -> None:
        text = _plain(value)
        if text:
            record.setdefault(key, text)

    add("id", item.get("id"))
    authors = [n for n in (_ris_name(name) for name in _names(item.get("author"))) if n]
    if authors:
        record["authors"] = authors
    add("title", item.get("title"))
    add("short_title", item.get("title-short"))
    add("secondary_title", item.get(tags["T2"]) or item.get("container-title"))
    if tags["T3"]:
        add("tertiary_title", item.get(tags["T3"]))
    add("publisher", item.get("publisher"))
    add("place_published", item.get(tags["CY"]) or item.get("publisher-place"))
    add("volume", item.get("volume"))
    if "SN" in tags:
        add("issn", item.get(tags["SN"]))
    add("number", item.get("issue"))
    if "SN" not in tags:
        # RIS has one number tag (IS); a cable's number goes there when it has no issue.
        add("number", item.get("number"))
    add("issn", item.get("ISSN") or item.get("ISBN"))
    add("type_of_work", item.get("genre"))
    add("doi", item.get("DOI"))
    add("edition", item.get("edition"))
    add("section", item.get("section"))
    add("name_of_database", item.get("archive"))
    page = _plain(item.get("page"))
    if page:
        start, _, end = page.partition("-")
        record["start_page"] = start
        if end:
            record["end_page"] = end
    issued = _date_parts(item, "issued")
    if issued:
        record["year"] = str(issued[0])
        padded = [*issued, 0, 0][:3]
        record["date"] = (
            "/".join([f"{padded[0]:04d}", *(f"{p:02d}" if p else "" for p in padded[1:])]) + "/"
        )
    accessed = _date_parts(item, "accessed")
    if accessed:
        record["access_date"] = _iso(accessed)
    if _plain(item.get("URL")):
        record["urls"] = [_plain(item["URL"])]
    add("language", item.get("language"))
    add("abstract", item.get("abstract"))
    if _plain(item.get("medium")):
        record["notes"] = [_plain(item["medium"])]
    return record


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its "1." line before each record and the blank line between
    records: a RIS file starts with "TY  - " and records follow each other."""

    SEPARATOR = None

    def set_header(self, count: int) -> str:
        return ""


def to_ris(items: Iterable[Item]) -> str:
    """RIS, one record per item (TY ... ER), as Zotero, Mendeley and EndNote read it."""
    return rispy.dumps(
        [_ris_record(item) for item in items], implementation=_RisWriter, skip_unknown_tags=True
    )

"""Where each CSL-JSON variable goes in a BibTeX and a RIS download, as plain data: the
specification the round-trip tests hold `briefdesk.citations.export` and the importers to.

    bibtex_field("number", "report")   # "number"; "institution" for a report's publisher
    ris_tag("number", "report")        # "SN": Zotero drops IS for reports

The fields are the ones Zotero's own translators read into the same Zotero field
(zotero/translators BibTeX.js `processField`, RIS.js `fieldMap`), so a download imported into
Zotero and one re-imported into briefdesk describe the same work. What a format cannot carry
is listed with the reason; every variable of the fixture corpus is in one list or the other.
`expected_bibtex(item)` / `expected_ris(item)` build, from the table alone, the fields a
download must have; `read_bibtex(text)` / `read_ris(text)` read a download with bibtexparser
and rispy into the same shape. No Django imports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bibtexparser
import rispy
from bibtexparser.middlewares import SeparateCoAuthors
from pylatexenc.latex2text import LatexNodes2Text
from rispy.config import TAG_KEY_MAPPING

CORPUS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parent / "cite-fixtures" / "corpus.json").read_text()
)

# A brief as the shared model describes it (CSL `report`), with the characters BibTeX and
# RIS must not let through unescaped or split: &, %, braces, a line break.
BRIEF: dict[str, Any] = {
    "id": "brief-pakistan-after-the-cables",
    "type": "report",
    "title": "Pakistan After the Cables: What 50% of {Islamabad} Heard",
    "author": [{"family": "Bajoria", "given": "Jayshree"}, {"family": "Khan", "given": "Imran"}],
    "issued": {"date-parts": [[2026, 3, 9]]},
    "publisher": "Briefdesk",
    "genre": "Analysis Brief",
    "number": "2026-7",
    "URL": "http://127.0.0.1:8000/briefs/pakistan-after-the-cables/",
    "abstract": "Costs & benefits of the cables,\nten years on: what changed in Islamabad.",
    "language": "en",
}
ITEMS: list[dict[str, Any]] = [*CORPUS, BRIEF]

PERIODICALS = {"article-newspaper", "article-magazine", "article-journal"}

# --- BibTeX ----------------------------------------------------------------------------

# CSL type -> (entry type, entrysubtype). Zotero's BibTeX import reads @techreport as a
# report, @online as a web page, @article as a journal article, @misc as a document;
# `entrysubtype` (biblatex) tells briefdesk the kind back.
BIBTEX_TYPES: dict[str, tuple[str, str]] = {
    "article-newspaper": ("article", "newspaper"),
    "article-magazine": ("article", "magazine"),
    "article-journal": ("article", ""),
    "webpage": ("online", ""),
    "post-weblog": ("online", "post-weblog"),
    "report": ("techreport", ""),
    "book": ("book", ""),
    "document": ("misc", "document"),
    "interview": ("misc", "interview"),
    "broadcast": ("misc", "broadcast"),
    "speech": ("misc", "speech"),
}

# CSL variable -> BibTeX field (biblatex names), for every type unless BIBTEX_BY_TYPE says.
BIBTEX_FIELDS: dict[str, str] = {
    "author": "author",
    "editor": "editor",
    "title": "title",
    "title-short": "shorttitle",
    "container-title": "journaltitle",  # Zotero: publicationTitle / websiteTitle
    "event-title": "eventtitle",
    "event-place": "venue",
    "publisher": "publisher",
    "publisher-place": "location",
    "genre": "type",  # Zotero: reportType, websiteType ...
    "number": "number",  # Zotero: reportNumber for a report
    "issue": "issue",
    "volume": "volume",
    "page": "pages",
    "edition": "edition",
    "collection-title": "series",
    "issued": "date",  # and year, month
    "event-date": "eventdate",
    "DOI": "doi",
    "URL": "url",
    "accessed": "urldate",
    "medium": "howpublished",
    "language": "language",
    "abstract": "abstract",
}
BIBTEX_BY_TYPE: dict[tuple[str, str], str] = {
    ("report", "publisher"): "institution",  # Zotero: institution
    ("article-newspaper", "issue"): "number",  # biblatex: an article's number is its issue
    ("article-magazine", "issue"): "number",
    ("article-journal", "issue"): "number",
}
NOT_IN_BIBTEX: dict[str, str] = {
    "id": "the entry key (reduced to safe characters), not a field",
    "type": "the entry type and entrysubtype",
    "section": "no biblatex field for a newspaper section",
    "archive": "no biblatex field that Zotero reads as the archive",
    "recipient": "BibTeX names only authors, editors and translators",
    "interviewer": "BibTeX names only authors, editors and translators",
}


def bibtex_field(variable: str, csl_type: str) -> str:
    return BIBTEX_BY_TYPE.get((csl_type, variable), BIBTEX_FIELDS[variable])


# --- RIS -------------------------------------------------------------------------------

# CSL type -> TY, as Zotero's RIS translator writes them (RIS.js exportTypeMap). RIS has no
# type for a cable, an interview or a broadcast: they are GEN and read back as documents.
RIS_TYPES: dict[str, str] = {
    "article-newspaper": "NEWS",
    "article-magazine": "MGZN",
    "article-journal": "JOUR",
    "webpage": "ELEC",
    "post-weblog": "BLOG",
    "report": "RPRT",
    "book": "BOOK",
    "document": "GEN",
    "interview": "GEN",
    "broadcast": "GEN",
    "speech": "SLIDE",  # Zotero's presentation
}
RIS_READS_BACK_AS = {"interview": "document", "broadcast": "document"}

RIS_TAGS: dict[str, str] = {
    "id": "ID",
    "author": "AU",
    "title": "TI",
    "title-short": "ST",
    "container-title": "T2",
    "collection-title": "T3",
    "publisher": "PB",  # Zotero: institution for a report
    "publisher-place": "CY",
    "genre": "M3",  # Zotero: reportType, websiteType ...
    "number": "IS",
    "issue": "IS",
    "volume": "VL",
    "page": "SP",  # and EP
    "edition": "ET",
    "section": "SE",
    "archive": "DB",
    "issued": "DA",  # and PY
    "accessed": "Y2",
    "DOI": "DO",
    "URL": "UR",
    "language": "LA",
    "abstract": "AB",
    "medium": "N1",  # a note in Zotero; briefdesk does not read notes back
    "event-title": "",  # a speech's only (below)
    "event-place": "",
}
RIS_BY_TYPE: dict[tuple[str, str], str] = {
    ("report", "number"): "SN",  # Zotero's reportNumber; IS is dropped for reports
    ("report", "collection-title"): "T2",  # Zotero's seriesTitle
    ("book", "collection-title"): "T2",  # Zotero's series
    ("speech", "event-title"): "T2",  # Zotero's meetingName
    ("speech", "event-place"): "CY",  # Zotero's place
}
NOT_IN_RIS: dict[str, str] = {
    "type": "TY",
    "editor": "A2 means a different role in each Zotero type",
    "recipient": "A2 means a different role in each Zotero type",
    "interviewer": "A2 means a different role in each Zotero type",
    "event-date": "no RIS tag",
}
# Carried in the download but not read back by briefdesk's RIS importer.
RIS_NOT_READ_BACK = {"medium"}


def ris_tag(variable: str, csl_type: str) -> str:
    """The tag, or "" where this kind has none for the variable; KeyError if not in the
    table at all."""
    return RIS_BY_TYPE.get((csl_type, variable), RIS_TAGS[variable])


# --- Expected fields and readers ----------------------------------------------------

NAME_FIELDS = {"author", "editor", "translator"}
# Values biblatex reads verbatim or as data: compared as written, not LaTeX-decoded.
VERBATIM = {"url", "doi", "pages", "date", "year", "month", "urldate", "eventdate"}
_LATEX = LatexNodes2Text()


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def iso(date: dict[str, Any]) -> str:
    return "-".join(
        f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(date["date-parts"][0])
    )


def csl_name(name: dict[str, str]) -> dict[str, str]:
    if "literal" in name:
        return {"literal": name["literal"]}
    return {k: name[k] for k in ("family", "given") if name.get(k)}


# --- BibTeX ----------------------------------------------------------------------------


def expected_bibtex(item: dict[str, Any]) -> dict[str, Any]:
    """The fields a BibTeX entry must have for `item`, by the mapping table."""
    csl_type = item["type"]
    entry_type, subtype = BIBTEX_TYPES[csl_type]
    fields: dict[str, Any] = {"ENTRYTYPE": entry_type}
    if subtype:
        fields["entrysubtype"] = subtype
    for variable, value in item.items():
        if variable in NOT_IN_BIBTEX:
            continue
        field = bibtex_field(variable, csl_type)
        if variable in NAME_FIELDS:
            fields[field] = [csl_name(n) for n in value]
        elif variable == "issued":
            parts = value["date-parts"][0]
            fields.update(date=iso(value), year=str(parts[0]))
            if len(parts) > 1:
                fields["month"] = str(parts[1])
        elif variable in {"accessed", "event-date"}:
            fields[field] = iso(value)
        elif variable == "page":
            fields[field] = value.replace("-", "--")
        else:
            fields[field] = one_line(value)
    return fields


def bibtex_name(text: str) -> dict[str, str]:
    if text.startswith("{") and text.endswith("}"):
        return {"literal": _LATEX.latex_to_text(text[1:-1])}
    family, _, given = (_LATEX.latex_to_text(part).strip() for part in text.partition(","))
    return {"family": family, "given": given} if given else {"family": family}


def read_bibtex(text: str) -> dict[str, dict[str, Any]]:
    """Each entry of `text` by key: its type and its fields, LaTeX decoded to text."""
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    entries = {}
    for entry in library.entries:
        fields: dict[str, Any] = {"ENTRYTYPE": entry.entry_type}
        for field in entry.fields:
            if field.key in NAME_FIELDS:
                fields[field.key] = [bibtex_name(n) for n in field.value]
            elif field.key in VERBATIM or field.key == "entrysubtype":
                fields[field.key] = field.value
            else:
                fields[field.key] = one_line(_LATEX.latex_to_text(field.value))
        entries[entry.key] = fields
    return entries


_KEY_TAG = {key: tag for tag, key in TAG_KEY_MAPPING.items()}
LIST_TAGS = {"AU", "UR", "N1"}


def ris_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]


def expected_ris(item: dict[str, Any]) -> dict[str, Any]:
    """The tags a RIS record must have for `item`, by the mapping table."""
    csl_type = item["type"]
    tags: dict[str, Any] = {"TY": RIS_TYPES[csl_type]}
    for variable, value in item.items():
        if variable in NOT_IN_RIS:
            continue
        tag = ris_tag(variable, csl_type)
        if not tag:
            continue
        if variable == "author":
            tags[tag] = [ris_name(n) for n in value]
        elif variable == "issued":
            parts = [*value["date-parts"][0], None, None][:3]
            tags["PY"] = str(parts[0])
            tags["DA"] = (
                "/".join([f"{parts[0]:04d}", *(f"{p:02d}" if p else "" for p in parts[1:])]) + "/"
            )
        elif variable == "accessed":
            tags[tag] = iso(value)
        elif variable == "page":
            start, _, end = value.partition("-")
            tags["SP"] = start
            if end:
                tags["EP"] = end
        elif tag in LIST_TAGS:
            tags[tag] = [one_line(value)]
        else:
            tags[tag] = one_line(value)
    return tags


def read_ris(text: str) -> list[dict[str, Any]]:
    """The records of `text` by tag, as rispy reads them (no tag it does not know)."""
    records = [{_KEY_TAG[k]: v for k, v in r.items()} for r in rispy.loads(text)]
    assert all("UK" not in r for r in records)
    return records

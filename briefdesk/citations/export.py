"""Citation downloads: CSL-JSON, BibTeX and RIS from CSL-JSON items. No ORM here.

CSL-JSON is the lossless format (what briefdesk stores). BibTeX (biblatex-compatible,
UTF-8) and RIS carry what their formats can hold; the mapping follows what Zotero writes and
reads for the same item types. Serialisation goes through the maintained writers
(bibtexparser 2, rispy).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

Item = Mapping[str, Any]

# CSL type -> (BibTeX entry type, RIS type), as Zotero maps them.
TYPE_MAP: dict[str, tuple[str, str]] = {
    "article-newspaper": ("article", "NEWS"),
    "article-magazine": ("article", "MGZN"),
    "article-journal": ("article", "JOUR"),
    "webpage": ("online", "ELEC"),
    "post-weblog": ("online", "BLOG"),
    "post": ("online", "ELEC"),
    "report": ("report", "RPRT"),
    "document": ("misc", "GEN"),
    "interview": ("misc", "GEN"),
    "broadcast": ("misc", "GEN"),
    "speech": ("misc", "GEN"),
    "book": ("book", "BOOK"),
    "chapter": ("incollection", "CHAP"),
    "thesis": ("thesis", "THES"),
}
_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_KEY_CHARS = re.compile(r"[^A-Za-z0-9_:.-]+")


def to_csl_json(items: Iterable[Item]) -> str:
    """CSL-JSON array, UTF-8, as Zotero and citeproc read it."""
    return json.dumps(list(items), ensure_ascii=False, indent=2) + "\n"


# --- BibTeX ------------------------------------------------------------------------------


def _tex(value: Any) -> str:
    text = str(value)
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


def _bibtex_names(names: Iterable[Mapping[str, Any]]) -> str:
    out = []
    for name in names:
        if "literal" in name:
            out.append("{" + _tex(name["literal"]) + "}")  # an organisation: one unit
            continue
        family = " ".join(
            str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p
        )
        given = " ".join(str(p) for p in (name.get("given"), name.get("dropping-particle")) if p)
        parts = [_tex(family)]
        if name.get("suffix"):
            parts.append(_tex(name["suffix"]))
        if given:
            parts.append(_tex(given))
        out.append(", ".join(parts))
    return " and ".join(out)


def _date_parts(item: Item, key: str) -> list[int] | None:
    value = item.get(key)
    if isinstance(value, dict) and value.get("date-parts"):
        parts = value["date-parts"][0]
        if parts and all(isinstance(p, int) or str(p).isdigit() for p in parts):
            return [int(p) for p in parts]
    return None


def _iso(parts: list[int]) -> str:
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))


def bibtex_key(item: Item) -> str:
    key = _KEY_CHARS.sub("-", str(item.get("id") or "item")).strip("-")
    return key or "item"


def _bibtex_entry(item: Item) -> Entry:
    csl_type = str(item.get("type") or "webpage")
    entry_type = TYPE_MAP.get(csl_type, ("misc", "GEN"))[0]
    fields: list[tuple[str, str]] = []

    def add(name: str, value: Any, protect: bool = False) -> None:
        if value in (None, "", []):
            return
        text = _tex(value)
        fields.append((name, "{" + text + "}" if protect else text))

    if item.get("author"):
        fields.append(("author", _bibtex_names(item["author"])))
    if item.get("editor"):
        fields.append(("editor", _bibtex_names(item["editor"])))
    add("title", item.get("title"), protect=True)  # keep the title's capitals
    container = item.get("container-title")
    if entry_type == "article":
        add("journaltitle", container)
    elif entry_type == "incollection":
        add("booktitle", container)
    elif container:
        add("organization" if entry_type == "online" else "howpublished", container)
    if entry_type == "report":
        add("institution", item.get("publisher"))
    else:
        add("publisher", item.get("publisher"))
    add("location", item.get("publisher-place"))
    add("type", item.get("genre"))
    add("number", item.get("number") or item.get("issue"))
    add("volume", item.get("volume"))
    add("pages", str(item.get("page") or "").replace("-", "--") or None)
    add("edition", item.get("edition"))
    add("series", item.get("collection-title"))
    issued = _date_parts(item, "issued")
    if issued:
        fields.append(("date", _iso(issued)))
        fields.append(("year", str(issued[0])))
    add("doi", item.get("DOI"))
    if item.get("URL"):
        fields.append(("url", str(item["URL"]).replace("{", "%7B").replace("}", "%7D")))
    accessed = _date_parts(item, "accessed")
    if accessed:
        fields.append(("urldate", _iso(accessed)))
    add("note", item.get("medium"))
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
        return str(name["literal"])
    family = " ".join(str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    given = str(name.get("given") or "")
    return f"{family}, {given}" if given else family


def _ris_record(item: Item) -> dict[str, Any]:
    csl_type = str(item.get("type") or "webpage")
    record: dict[str, Any] = {"type_of_reference": TYPE_MAP.get(csl_type, ("misc", "GEN"))[1]}
    if item.get("id"):
        record["id"] = str(item["id"])
    if item.get("author"):
        record["authors"] = [_ris_name(n) for n in item["author"]]
    if item.get("title"):
        record["title"] = str(item["title"])
    for key, ris in (
        ("container-title", "secondary_title"),
        ("publisher", "publisher"),
        ("publisher-place", "place_published"),
        ("volume", "volume"),
        ("issue", "number"),
        ("genre", "type_of_work"),
        ("DOI", "doi"),
        ("edition", "edition"),
        ("collection-title", "tertiary_title"),
        ("section", "section"),
        ("title-short", "short_title"),
    ):
        if item.get(key):
            record[ris] = str(item[key])
    if item.get("number"):
        # RIS has one number tag (IS); a report's or cable's number goes there when no issue.
        record.setdefault("number", str(item["number"]))
    page = str(item.get("page") or "")
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
    if item.get("URL"):
        record["urls"] = [str(item["URL"])]
    if item.get("medium"):
        record["notes"] = [str(item["medium"])]
    return record


def to_ris(items: Iterable[Item]) -> str:
    """RIS, one record per item (TY ... ER), as Zotero, Mendeley and EndNote read it."""
    return rispy.dumps([_ris_record(item) for item in items], skip_unknown_tags=True)

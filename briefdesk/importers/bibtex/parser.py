"""BibTeX / BibLaTeX text -> entries, read by bibtexparser 2. No ORM here.

bibtexparser splits the text into blocks and persons; this module maps each entry onto
CSL-JSON the way Zotero's own BibTeX import does: LaTeX is decoded to Unicode, protective
braces are dropped, a name written as one braced group ("{Council on Foreign Relations}") is
an organisation, "--" in pages is a range. Fields with no CSL counterpart (keywords, file,
Mendeley's groups...) are not imported; the entry's notes list them.

briefdesk's own downloads (`briefdesk.citations.export`) read back unchanged: biblatex's
`entrysubtype` tells a newspaper or magazine @article and the kind of a @misc or @online
(the CSL type) apart, `type` is the genre, `venue`/`eventtitle`/`eventdate` the event.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares import NormalizeFieldKeys, SeparateCoAuthors, SplitNameParts
from bibtexparser.middlewares.names import InvalidNameError, NameParts
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.latexwalker import get_default_latex_context_db as get_default_walker_context

from briefdesk.sources import csl_schema

from .. import dates
from ..checks import check_item
from ..entries import Entry, ImportFailed

# The splitter logs each broken block with 0-based line numbers; we report them ourselves.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)

TYPES: dict[str, str] = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "unpublished": "manuscript",
    "patent": "patent",
    "dataset": "dataset",
    "software": "software",
    "periodical": "periodical",
    "misc": "document",
}
ARTICLE_SUBTYPES = {"newspaper": "article-newspaper", "magazine": "article-magazine"}
THESIS_GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# EndNote writes its reference type into `type` ("Journal Article"): that is not a genre.
ENDNOTE_TYPE_NAMES = {
    "journal article",
    "electronic article",
    "magazine article",
    "newspaper article",
    "book",
    "edited book",
    "electronic book",
    "book section",
    "conference paper",
    "conference proceedings",
    "web page",
    "generic",
}
# CSL types a @misc or @online names in `entrysubtype` (briefdesk's downloads write them).
ONLINE_SUBTYPES = {"webpage", "post-weblog", "post"}
PERIODICAL_TYPES = {"article-journal", "article-magazine", "article-newspaper"}

# Fields copied to one CSL variable after LaTeX decoding.
TEXT_FIELDS: dict[str, str] = {
    "shorttitle": "title-short",
    "series": "collection-title",
    "volume": "volume",
    "edition": "edition",
    "chapter": "chapter-number",
    "note": "note",
    "language": "language",
    "isbn": "ISBN",
    "issn": "ISSN",
    "eventtitle": "event-title",
    "venue": "event-place",
    "version": "version",
    "abstract": "abstract",
}
NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator"}
# Read as part of another variable or of the entry type.
CONSUMED = {
    "title",
    "subtitle",
    "journal",
    "journaltitle",
    "booktitle",
    "publisher",
    "institution",
    "school",
    "organization",
    "address",
    "location",
    "date",
    "year",
    "month",
    "day",
    "urldate",
    "number",
    "issue",
    "pages",
    "doi",
    "url",
    "howpublished",
    "type",
    "entrysubtype",
    "eventdate",
}

_URL = re.compile(r"https?://[^\s<>\"{}]+", re.I)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def _decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "briefdesk-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("textquotedbl", simplify_repl='"'),
            MacroTextSpec("textquotesingle", simplify_repl="'"),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


_DECODER = _decoder()
# Built once: LatexWalker would otherwise build its default macro table for every value.
_WALKER_CONTEXT = get_default_walker_context()
# Only values with one of these need the LaTeX parser; the rest are plain text, at most with
# protective braces (Zotero braces every capitalised word) - parsing those is the slow part.
_LATEX = re.compile(r"[\\~$%^_&#]|--|``|''|!`|\?`")
# Braces nested deeper than this are refused before decoding: pylatexenc recurses per level
# and would hit Python's recursion limit near 200. Real titles nest 2 or 3.
MAX_NESTING = 32
_BRACE = re.compile(r"(?<!\\)[{}]")


class EntryError(ValueError):
    """One field of one entry cannot be read; the message is one line naming the field."""


def nesting(value: str) -> int:
    """How deep unescaped braces nest in a field value."""
    depth = deepest = 0
    for match in _BRACE.finditer(value):
        depth = depth + 1 if match.group() == "{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def decode(value: str) -> str:
    """LaTeX -> Unicode text on one line: braces dropped, whitespace collapsed. A bare % or &
    is text in a .bib field (exporters leave some unescaped), not a LaTeX comment or column.

    Raises EntryError for a value nested deeper than MAX_NESTING."""
    if _LATEX.search(value):
        depth = nesting(value)
        if depth > MAX_NESTING:
            raise EntryError(f"braces are nested {depth} deep; the limit is {MAX_NESTING}")
        value = re.sub(r"(?<!\\)([%&])", r"\\\1", value)
        try:
            value = _DECODER.latex_to_text(value, latex_context=_WALKER_CONTEXT)
        except RecursionError:
            # Commands can nest without braces too (\textbf\textbf...x); the parser
            # recursed to Python's limit, which is an error for this field only.
            raise EntryError("LaTeX commands are nested too deeply to read") from None
    else:
        value = value.replace("{", "").replace("}", "")
    return " ".join(value.split())


def parse(text: str, *, max_entries: int | None = None) -> list[Entry]:
    """Every entry of the BibTeX `text` (@string macros resolved, @comment and @preamble
    skipped) as an Entry. A field that cannot be read makes its entry an error; the whole
    input fails (ImportFailed) only if bibtexparser cannot split it at all. `max_entries` is
    checked by the caller before parsing (`references.count_references`)."""
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[NormalizeFieldKeys(), SeparateCoAuthors(), SplitNameParts()]
        )
    except RecursionError:
        raise ImportFailed("BibTeX: the text is nested too deeply to read") from None
    strings = {key.lower(): s.value for key, s in library.strings_dict.items()}
    entries = []
    for number, block in enumerate(
        (b for b in library.blocks if isinstance(b, model.Entry | model.ParsingFailedBlock)),
        start=1,
    ):
        line = block.start_line + 1 if block.start_line is not None else None
        if isinstance(block, model.ParsingFailedBlock):
            key = _failed_key(block) or f"entry {number}"
            entries.append(Entry(key=key, line=line, item=None, error=_failure(block, text)))
            continue
        key = block.key or f"entry {number}"
        try:
            csl_item, notes = to_csl(block, strings)
        except EntryError as exc:
            entries.append(Entry(key=key, line=line, item=None, error=str(exc)))
            continue
        item, errors = check_item(csl_item)
        entries.append(
            Entry(key=key, line=line, item=item, error="; ".join(errors) or None, notes=notes)
        )
    return entries


def _failed_key(block: model.ParsingFailedBlock) -> str:
    inner = block.ignore_error_block
    if isinstance(inner, model.Entry):
        return inner.key
    match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,", block.raw or "")
    return match.group(1) if match else ""


def _failure(block: model.ParsingFailedBlock, text: str) -> str:
    if isinstance(block, model.DuplicateBlockKeyBlock):
        first = block.previous_block.start_line
        where = f" (first at line {first + 1})" if first is not None else ""
        return f"the key {block.key!r} is used twice{where}"
    if isinstance(block, model.DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return f"the field {fields} appears twice"
    error = block.error
    if isinstance(error, InvalidNameError):
        return f"the name {error.name!r} cannot be read: {error.reason.lower()}"
    if isinstance(block, model.MiddlewareErrorBlock):
        return f"cannot be read: {error}"
    reason = " ".join(str(getattr(error, "abort_reason", error)).split())
    end = getattr(error, "end_index", None)
    if reason.startswith("Unexpectedly reached end of file"):
        return "cannot be read: the text ends inside this entry (is a brace or quote not closed?)"
    if reason.startswith("Unexpected block start") and end is not None:
        line = text.count("\n", 0, end + 1) + 1
        return (
            f"cannot be read: the next entry starts at line {line} before this one is closed "
            "(is a brace or quote not closed?)"
        )
    return f"cannot be read: {reason}"


class _Fields:
    """An entry's fields by lower-case name, remembering which ones the mapping used."""

    def __init__(self, entry: model.Entry, strings: dict[str, str]) -> None:
        self.values: dict[str, Any] = {}
        for f in entry.fields:
            value = f.value
            if f.enclosing == "no-enclosing" and isinstance(value, str) and "#" in value:
                value = _concatenate(value, strings)
            self.values[f.key] = value
        self.used: set[str] = set()

    def raw(self, name: str) -> Any:
        if name in self.values:
            self.used.add(name)
        return self.values.get(name)

    def text(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str):
            return ""
        try:
            return decode(value)
        except EntryError as exc:
            raise EntryError(f"{name}: {exc}") from None

    def ignored(self) -> list[str]:
        return sorted(set(self.values) - self.used)


def to_csl(
    entry: model.Entry, strings: dict[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """One bibtexparser entry -> a CSL-JSON item and notes for the editor. `strings` are the
    file's @string macros (bibtexparser resolves lone macros; this resolves `a # b`)."""
    f = _Fields(entry, strings or {})
    notes: list[str] = []
    bib_type = entry.entry_type.lower()
    csl_type = TYPES.get(bib_type)
    if csl_type is None:
        csl_type = "document"
        notes.append(f"@{bib_type} is not a BibTeX type briefdesk knows: imported as a document")
    subtype = f.text("entrysubtype").lower()
    if csl_type == "article-journal" and subtype in ARTICLE_SUBTYPES:
        csl_type = ARTICLE_SUBTYPES[subtype]
    url, url_note = _url(f)
    if url_note:
        notes.append(url_note)
    if bib_type == "misc" and subtype in csl_schema.TYPES:
        csl_type = subtype
    elif bib_type == "misc" and url:
        csl_type = "webpage"
    elif csl_type == "webpage" and subtype in ONLINE_SUBTYPES:
        csl_type = subtype

    item: dict[str, Any] = {"id": entry.key, "type": csl_type}
    for field, variable in NAME_FIELDS.items():
        names = f.raw(field)
        if isinstance(names, list) and names:
            try:
                item[variable] = [_name(n) for n in names if " ".join(n.last) != "others"]
            except EntryError as exc:
                raise EntryError(f"{field}: {exc}") from None

    title = f.text("title")
    subtitle = f.text("subtitle")
    item["title"] = f"{title}: {subtitle}" if title and subtitle else title or subtitle
    container = f.text("journaltitle") or f.text("journal") or f.text("booktitle")
    if container:
        item["container-title"] = container
    publisher = (
        f.text("publisher") or f.text("institution") or f.text("school") or f.text("organization")
    )
    if publisher:
        item["publisher"] = publisher
    place = f.text("location") or f.text("address")
    if place:
        item["publisher-place"] = place

    issued = dates.csl_date(f.text("date")) or dates.from_parts(
        f.text("year"), f.text("month"), f.text("day")
    )
    if issued:
        item["issued"] = issued
    for field, variable in (("urldate", "accessed"), ("eventdate", "event-date")):
        date = dates.csl_date(f.text(field))
        if date:
            item[variable] = date

    number, issue = f.text("number"), f.text("issue")
    if csl_type in PERIODICAL_TYPES:
        issue = issue or number
        number = ""
    if issue:
        item["issue"] = issue
    if number:
        item["number"] = number
    pages = f.text("pages")
    if pages:
        item["page"] = re.sub(r"\s*[–—-]+\s*", "-", pages)

    genre = f.text("type")
    if genre.lower() in ENDNOTE_TYPE_NAMES:
        genre = ""
    genre = genre or THESIS_GENRES.get(bib_type, "")
    howpublished = f.text("howpublished")
    if howpublished and not _URL.search(howpublished):
        item["medium"] = howpublished
    if genre:
        item["genre"] = genre
    doi = _doi(f.raw("doi"))
    if doi:
        item["DOI"] = doi
    if url:
        item["URL"] = url
    for field, variable in TEXT_FIELDS.items():
        value = f.text(field)
        if value:
            item[variable] = value

    f.used |= CONSUMED & set(f.values)
    ignored = f.ignored()
    if ignored:
        notes.append("not imported: " + ", ".join(ignored))
    return item, notes


def _concatenate(value: str, strings: dict[str, str]) -> str:
    """BibTeX concatenation (`dec # "~6"`, `pre # {text}`), which bibtexparser leaves as
    written: split at # outside braces and quotes, then resolve each part."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(value + "#"):
        if char == '"' and depth == 0:
            quoted = not quoted
        elif char in "{}" and not quoted:
            depth += 1 if char == "{" else -1
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:index].strip())
            start = index + 1
    text = []
    for part in parts:
        if len(part) > 1 and part[0] + part[-1] in ('""', "{}"):
            text.append(part[1:-1])
        elif part.lower() in strings:
            text.append(strings[part.lower()])
        elif (month := dates.month_number(part)) and not part.isdigit():
            text.append(MONTH_NAMES[month - 1])
        else:
            text.append(part)
    return "".join(text)


def _is_one_group(word: str) -> bool:
    """True for '{Council on Foreign Relations}', false for '{\\"O}zt{\\"u}rk'."""
    if not (word.startswith("{") and word.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(word):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index == len(word) - 1
    return False


def _name(parts: NameParts) -> dict[str, str]:
    """bibtexparser's name parts -> a CSL name. The von part stays in the family name, as
    Zotero keeps it ('van der Berg')."""
    if not (parts.first or parts.von or parts.jr) and len(parts.last) == 1:
        word = parts.last[0]
        if _is_one_group(word):
            return {"literal": decode(word[1:-1])}
    name = {"family": decode(" ".join(parts.von + parts.last))}
    given = decode(" ".join(parts.first))
    if given:
        name["given"] = given
    suffix = decode(" ".join(parts.jr))
    if suffix:
        name["suffix"] = suffix
    return name


def _unescape_verbatim(value: str) -> str:
    """A URL or DOI as exporters escape it: \\url{...}, {\\_}, \\%, \\&, braces."""
    value = re.sub(r"\\url\s*\{([^}]*)\}", r"\1", value)
    value = re.sub(r"\{?\\([_%&#$])\}?", r"\1", value)
    value = re.sub(r"\{?\\textasciitilde\}?(\{\})?|\\~\{\}|\$\\sim\$", "~", value)
    return value.replace("{", "").replace("}", "").strip()


def _url(f: _Fields) -> tuple[str, str]:
    """The first web address of url (or of howpublished), and a note if one was dropped."""
    note = ""
    for field in ("url", "howpublished"):
        value = f.raw(field)
        if not isinstance(value, str) or not value.strip():
            continue
        plain = _unescape_verbatim(value)
        match = _URL.search(plain)
        if match:
            return match.group(0).rstrip(".,;"), note
        if field == "url":
            note = f"url {plain!r} is not a web address: not imported"
    return "", note


def _doi(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return _DOI_PREFIX.sub("", _unescape_verbatim(value)).strip()

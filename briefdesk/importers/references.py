"""Reference import, the ORM-free half: bytes or text in, one CSL-JSON item (or an error) per
reference out. `briefdesk.importers.apply` turns the entries into Sources.

    text = decode(upload_bytes)               # size limit, UTF-8 / UTF-16
    result = parse_references(text)           # format detected, every entry checked
    result.entries -> [Entry(key, line, item, error, notes), ...]

Limits, checked before any per-reference work so that a huge input costs little: MAX_BYTES
of text and MAX_ENTRIES references per import. Whatever the text, these functions raise
nothing but ImportFailed (one line, for the editor); a bad reference is an Entry whose
`error` says why, in one line.
"""

from __future__ import annotations

import codecs
import re

from . import bibtex, csljson, ris
from .entries import FORMAT_LABELS, Entry, ImportFailed, ParseResult

__all__ = [
    "FORMAT_LABELS",
    "MAX_BYTES",
    "MAX_ENTRIES",
    "Entry",
    "ImportFailed",
    "ParseResult",
    "check_size",
    "decode",
    "detect_format",
    "parse_references",
]

MAX_BYTES = 5 * 1024 * 1024
# References per import. Every reference is checked and formatted in the preview and again
# on confirm, within one admin request: 5,000 keeps that under a minute or so (see
# benchmarks/import_references.py) and is more than any one brief's bibliography.
MAX_ENTRIES = 5_000

PARSERS = {"csl-json": csljson.parse, "bibtex": bibtex.parse, "ris": ris.parse}

_BIBTEX_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M)
_RIS_START = re.compile(r"^[ \t]*TY  -", re.M)
# Every entry-like "@word{" anywhere, for counting before parsing (special blocks excluded).
_BIBTEX_BLOCK = re.compile(r"@[ \t]*([A-Za-z]+)[ \t]*[{(]")
_BIBTEX_SPECIAL = frozenset({"string", "comment", "preamble"})


def megabytes(size: int) -> str:
    """A size in MB for help texts ("5 MB", "2.4 MB"); rounded, so never for comparing."""
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


def check_size(size: int, limit: int = MAX_BYTES) -> None:
    """Refuse input over the limit before reading or parsing it. The message gives both sizes
    in bytes: rounded to MB, 5 MB + 1 byte and the 5 MB limit would read the same."""
    if size > limit:
        raise ImportFailed(
            f"The input is {size:,} bytes; the limit is {limit:,} bytes ({megabytes(limit)}). "
            "Export fewer references at a time, or split the file."
        )


def check_count(count: int, limit: int = MAX_ENTRIES) -> None:
    """Refuse more than `limit` references."""
    if count > limit:
        raise ImportFailed(
            f"The input has {count:,} references; the limit is {limit:,} per import. "
            "Export fewer references at a time, or split the file."
        )


def count_references(text: str, fmt: str) -> int:
    """How many references the text holds, by a linear scan and without parsing them (for
    BibTeX and RIS; CSL-JSON is counted by its parser after loading the JSON)."""
    if fmt == "bibtex":
        return sum(m.group(1).lower() not in _BIBTEX_SPECIAL for m in _BIBTEX_BLOCK.finditer(text))
    if fmt == "ris":
        return len(_RIS_START.findall(text))
    return 0


def decode(data: bytes, limit: int = MAX_BYTES) -> str:
    """Uploaded bytes -> text: UTF-8 (with or without a byte-order mark) or UTF-16 with one.
    Exports in another encoding are refused rather than guessed at."""
    check_size(len(data), limit)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"The file is not UTF-8 text (byte {exc.start + 1}). Export it again with the "
            "encoding set to UTF-8 (Unicode)."
        ) from None


def detect_format(text: str) -> str:
    """'csl-json', 'bibtex' or 'ris' from how the text begins. Raises ImportFailed."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ImportFailed("Nothing to import: the text is empty.")
    if stripped[0] in "[{":
        return "csl-json"
    starts = {
        fmt: match.start()
        for fmt, pattern in (("bibtex", _BIBTEX_START), ("ris", _RIS_START))
        if (match := pattern.search(stripped))
    }
    if not starts:
        raise ImportFailed(
            "This is not CSL-JSON, BibTeX or RIS: CSL-JSON starts with [ or {, BibTeX entries "
            "with @type{key, and RIS references with a 'TY  - ' line."
        )
    return min(starts, key=starts.__getitem__)


def parse_references(
    text: str,
    fmt: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    max_entries: int = MAX_ENTRIES,
) -> ParseResult:
    """Every reference of `text` as an Entry, in input order.

    `fmt` is 'csl-json', 'bibtex' or 'ris'; None detects it. Raises ImportFailed when the
    input as a whole cannot be read (over `max_bytes` or `max_entries`, unknown format,
    broken or too deeply nested JSON, no references); a bad reference is an Entry with an
    error, so that every problem can be reported at once. The entry count is checked before
    any reference is read (benchmarks raise `max_entries`; editors cannot)."""
    check_size(len(text.encode("utf-8", "surrogatepass")), max_bytes)
    text = text.lstrip("\ufeff")
    fmt = fmt or detect_format(text)
    if fmt not in PARSERS:
        raise ImportFailed(f"Unknown format {fmt!r}: use csl-json, bibtex or ris.")
    check_count(count_references(text, fmt), max_entries)
    entries = PARSERS[fmt](text, max_entries=max_entries)
    if not entries:
        raise ImportFailed(f"No references found in the {FORMAT_LABELS[fmt]} text.")
    check_count(len(entries), max_entries)
    return ParseResult(format=fmt, entries=entries)

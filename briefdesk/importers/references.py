"""Reference import, the ORM-free half: bytes or text in, one CSL-JSON item (or an error) per
reference out. `briefdesk.importers.apply` turns the entries into Sources.

    text = decode(upload_bytes)               # size limit, UTF-8 / UTF-16
    result = parse_references(text)           # format detected, every entry checked
    result.entries -> [Entry(key, line, item, error, notes), ...]
"""

from __future__ import annotations

import codecs
import re

from . import bibtex, csljson, ris
from .entries import FORMAT_LABELS, Entry, ImportFailed, ParseResult

__all__ = [
    "FORMAT_LABELS",
    "MAX_BYTES",
    "Entry",
    "ImportFailed",
    "ParseResult",
    "check_size",
    "decode",
    "detect_format",
    "parse_references",
]

MAX_BYTES = 5 * 1024 * 1024

PARSERS = {"csl-json": csljson.parse, "bibtex": bibtex.parse, "ris": ris.parse}

_BIBTEX_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M)
_RIS_START = re.compile(r"^[ \t]*TY  -", re.M)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


def check_size(size: int, limit: int = MAX_BYTES) -> None:
    """Refuse input over the limit before reading or parsing it."""
    if size > limit:
        raise ImportFailed(
            f"The input is {megabytes(size)}; the limit is {megabytes(limit)}. "
            "Export fewer references at a time, or split the file."
        )


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


def parse_references(text: str, fmt: str | None = None) -> ParseResult:
    """Every reference of `text` as an Entry, in input order.

    `fmt` is 'csl-json', 'bibtex' or 'ris'; None detects it. Raises ImportFailed when the
    input as a whole cannot be read (over MAX_BYTES, unknown format, broken JSON, no
    references); a bad reference is an Entry with an error, so that every problem can be
    reported at once."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
    text = text.lstrip("\ufeff")
    fmt = fmt or detect_format(text)
    if fmt not in PARSERS:
        raise ImportFailed(f"Unknown format {fmt!r}: use csl-json, bibtex or ris.")
    entries = PARSERS[fmt](text)
    if not entries:
        raise ImportFailed(f"No references found in the {FORMAT_LABELS[fmt]} text.")
    return ParseResult(format=fmt, entries=entries)

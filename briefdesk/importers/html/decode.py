"""A saved page's bytes as text. No ORM here.

    text, note = decode_page(data)   # note: "" or what was assumed, for the operator

The encoding is, in this order: a byte-order mark; the charset a `<meta>` in the first
4,096 bytes declares (ISO-8859-1 and ASCII read as Windows-1252, as browsers do); UTF-8 when
the bytes are valid UTF-8; else Windows-1252, with a note saying so. Bytes the declared
encoding cannot read become U+FFFD, with a note: a page is never refused for one bad byte.
"""

from __future__ import annotations

import codecs
import re

# A page bigger than this is refused before it is parsed. Saved pages with their images
# inlined (data: URLs) reach tens of megabytes; the images are dropped before parsing.
MAX_BYTES = 64 * 1024 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What browsers read these labels as (WHATWG Encoding): the Windows superset.
_WINDOWS = {"iso-8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "iso8859-1", "cp819"}


class PageTooBig(ValueError):
    pass


def check_size(size: int, limit: int = MAX_BYTES) -> None:
    if size > limit:
        raise PageTooBig(f"the page is {size:,} bytes; the limit is {limit:,} bytes")


def declared_charset(data: bytes) -> str:
    """The charset a <meta> near the top declares, normalised ("" when none or unknown)."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return ""
    label = match.group(1).decode("ascii", "replace").strip().lower()
    if label in _WINDOWS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def decode_page(data: bytes) -> tuple[str, str]:
    """The page as text, and a note ("" when nothing was assumed or replaced)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), ""
    declared = declared_charset(data)
    if declared:
        try:
            return data.decode(declared), ""
        except UnicodeDecodeError:
            return data.decode(declared, "replace"), (
                f"some bytes are not valid {declared}: replaced with U+FFFD"
            )
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace"), (
            "no charset declared and not UTF-8: read as Windows-1252"
        )

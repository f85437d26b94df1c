"""COinS (ContextObjects in Spans): one CSL-JSON item as an OpenURL 1.0 KEV ContextObject,
the `title` of a `<span class="Z3988">` on a listing page.

    title = context_object(brief.to_csl())   # "ctx_ver=Z39.88-2004&rft_val_fmt=…"

A page with two or more such spans makes Zotero's COinS translator offer its "select items"
picker, and saves each chosen item from its span alone (title and creators are enough for it
not to look anything up). Keys follow what Zotero's reader (zotero/utilities openurl.js,
`parseContextObject`) takes, which is also what it writes for the same item type:

- `report` → the KEV book format with `rft.genre=report` (Zotero: Report); the title goes in
  `rft.btitle` (Zotero reads `rft.atitle` only for articles, chapters and papers), the
  publisher in `rft.pub`, the series (CSL collection-title) in `rft.series`.
- any other type → the Dublin Core format (Zotero: Web Page): `rft.title`, the container in
  `rft.source`, the publisher in `rft.publisher`.
- all: the first author as `rft.aulast`/`rft.aufirst` (`rft.aucorp` for an organisation) and
  every author as `rft.au` ("Family, Given", so a family name of several words survives
  Zotero's name splitting) except a first author with no given name, whom Zotero would
  otherwise save twice; the issued date as ISO 8601;
  the URL and the DOI (`info:doi/…`) each as `rft_id`; the abstract as `rft.description`
  and the language as `rft.language`, which Zotero reads for every type.

Zotero reads a "+" (even encoded, %2B) as a space, so a plus sign in a title reaches it as a
space; other readers decode it. Not carried: a report's genre and number (the KEV book
format has no key for them; Zotero reads `rft.number` only for patents). Reference managers
that want them read the brief's page or a download. Plain data in, plain data out; no ORM.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

CTX_VER = "Z39.88-2004"
BOOK_FORMAT = "info:ofi/fmt:kev:mtx:book"
DC_FORMAT = "info:ofi/fmt:kev:mtx:dc"


def context_object(item: Mapping[str, Any]) -> str:
    """The KEV ContextObject for one CSL-JSON item, percent-encoded (`&` and `=` only as
    separators), ready for a Z3988 span's `title` once HTML-escaped."""
    return urlencode(coins_pairs(item), quote_via=quote, safe="")


def coins_pairs(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ContextObject's (key, value) pairs in order, empty values left out."""
    pairs: list[tuple[str, str]] = [("ctx_ver", CTX_VER)]
    title = _text(item.get("title"))
    if item.get("type") == "report":
        pairs += [("rft_val_fmt", BOOK_FORMAT), ("rft.genre", "report"), ("rft.btitle", title)]
        pairs += [
            ("rft.pub", _text(item.get("publisher"))),
            ("rft.place", _text(item.get("publisher-place"))),
            ("rft.series", _text(item.get("collection-title"))),
        ]
    else:
        pairs += [("rft_val_fmt", DC_FORMAT), ("rft.title", title)]
        pairs += [
            ("rft.source", _text(item.get("container-title"))),
            ("rft.publisher", _text(item.get("publisher"))),
        ]
    pairs += _author_pairs(item.get("author"))
    pairs += [
        ("rft.date", _iso_date(item.get("issued"))),
        *(("rft_id", identifier) for identifier in _identifiers(item)),
        ("rft.description", _text(item.get("abstract"))),
        ("rft.language", _text(item.get("language"))),
    ]
    return [(key, value) for key, value in pairs if value]


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, str | int) else ""


def _author_pairs(names: Any) -> list[tuple[str, str]]:
    if not isinstance(names, list):
        return []
    people = [name for name in names if isinstance(name, Mapping)]
    pairs: list[tuple[str, str]] = []
    for position, name in enumerate(people):
        family, given, literal = _name_parts(name)
        if position == 0:
            if literal:
                pairs.append(("rft.aucorp", literal))
            else:
                pairs += [("rft.aulast", family), ("rft.aufirst", given)]
            # Zotero merges the first author's two forms only when there is a given name;
            # otherwise it would list an organisation or a one-word name twice.
            if literal or not given:
                continue
        pairs.append(("rft.au", literal or (f"{family}, {given}" if given else family)))
    return pairs


def _name_parts(name: Mapping[str, Any]) -> tuple[str, str, str]:
    """(family with its particle, given, literal) of a CSL name."""
    literal = _text(name.get("literal"))
    family = " ".join(
        p for p in (_text(name.get("non-dropping-particle")), _text(name.get("family"))) if p
    )
    given = " ".join(
        p for p in (_text(name.get("given")), _text(name.get("dropping-particle"))) if p
    )
    if not family and not literal:
        literal = given  # a name with only a given part ("Madonna") is printed whole
        given = ""
    return family, given, literal


def _iso_date(date: Any) -> str:
    """The first date of a CSL date as YYYY, YYYY-MM or YYYY-MM-DD (seasons give the year);
    a date given only as text is passed as it is."""
    if not isinstance(date, Mapping):
        return ""
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(p) for p in parts[0][:3]]
        except (TypeError, ValueError):
            return ""
        year, rest = numbers[0], numbers[1:]
        if rest and not 1 <= rest[0] <= 12:  # 13–24: seasons
            rest = []
        if len(rest) == 2 and not 1 <= rest[1] <= 31:
            rest = rest[:1]
        return "-".join([f"{year:04d}", *(f"{n:02d}" for n in rest)])
    return _text(date.get("raw") or date.get("literal"))


def _identifiers(item: Mapping[str, Any]) -> list[str]:
    """The URL (http or https only) and the DOI, each an `rft_id`."""
    url, doi = _text(item.get("URL")), _text(item.get("DOI"))
    found = [url] if url.startswith(("http://", "https://")) else []
    return [*found, f"info:doi/{doi}"] if doi else found

"""When two references are the same work. No ORM here.

A reference is the same work as another when they share, in this order of trust:

1. the citation key (a reference manager's id for its record);
2. the DOI, compared case-insensitively, with or without its https://doi.org/ prefix;
3. the URL, ignoring http/https, a leading "www.", the host's case, a trailing slash and a
   #fragment;
4. the title (ignoring case and spacing) together with the same publication date. Undated
   references are never matched by title alone: "Home" and "About" pages are too common.

Two references whose citation keys both exist and differ are not the same work by URL or by
title and date: the reference manager keeps them apart, so import does too (a web page and
its print edition often share a URL and a title). A DOI names one work, so it matches
whatever the keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def normalise_doi(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return _DOI_PREFIX.sub("", value.strip()).strip().lower()


def normalise_url(value: Any) -> str:
    """A URL as a comparison key: scheme, 'www.', host case, trailing slash and fragment
    do not tell two pages apart."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return value.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, parts.query, "")).lstrip("/")


def url_variants(normalised: str) -> list[str]:
    """The spellings of a URL that normalise to `normalised` (scheme, "www.", trailing
    slash), to find stored ones by exact lookup."""
    cut = min((i for i in (normalised.find("/"), normalised.find("?")) if i >= 0), default=-1)
    host, rest = (normalised, "") if cut < 0 else (normalised[:cut], normalised[cut:])
    path, mark, query = rest.partition("?")
    return sorted(
        f"{scheme}://{www}{host}{path}{slash}{mark}{query}"
        for scheme in ("http", "https")
        for www in ("", "www.")
        for slash in ("", "/")
    )


def normalise_title(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Identity:
    """What a reference is recognised by."""

    key: str = ""
    doi: str = ""
    url: str = ""
    title: str = ""
    issued: str = ""

    @property
    def title_date(self) -> str:
        return f"{self.title}\n{self.issued}" if self.title and self.issued else ""

    def evidence(self) -> list[tuple[str, str]]:
        """(rule, value) pairs to look this reference up by, strongest first."""
        pairs = [("DOI", self.doi), ("URL", self.url), ("title and date", self.title_date)]
        return [(rule, value) for rule, value in pairs if value]


def identity(item: dict[str, Any], issued: str) -> Identity:
    """The identity of a CSL-JSON item; `issued` is the date as the Source column holds it
    (YYYY[-MM[-DD]], or "" when it has none or it is not a calendar date)."""
    return Identity(
        key=str(item.get("id") or ""),
        doi=normalise_doi(item.get("DOI")),
        url=normalise_url(item.get("URL")),
        title=normalise_title(item.get("title")),
        issued=issued,
    )


def keys_conflict(a: str, b: str) -> bool:
    """Both references carry a citation key and the keys differ: not the same work, unless
    their DOI says so."""
    return bool(a and b and a != b)

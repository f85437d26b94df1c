"""What an editor types into a source search, and how well a source answers it. No ORM here.

    query = parse_query("https://doi.org/10.1080/0163660X.2010.516616")  # query.doi is set
    rank(record, query)  # Rank.IDENTIFIER: this source has that DOI

Editors search the way they cite: by outlet ("Reuters", "NYT"), an author's family name, a
word of the title, or by pasting the URL or DOI in front of them. A query is one of:

- a DOI (bare, "doi:…" or a doi.org link): matches sources with that DOI, or that URL;
- a URL (with or without http(s)://, "www."): matches sources with that URL, compared as the
  importer compares them (importers.matching.normalise_url: scheme, "www.", host case, a
  trailing slash and a #fragment do not count);
- words: every word must appear in the title, the outlet's name or short label, an author's
  name, the URL, the DOI or the number.

Results are ranked (`Rank`): the source with the pasted URL or DOI first, then sources whose
outlet or label is exactly what was typed, then titles that start a word with it, then
sources by that author (family name, or an organisation's name), then the rest; newest first
within a rank. `source_search.search_sources` runs the same ranking as one ORM query; `rank`
here is the plain-data statement of it, for tests and for code that holds records already.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any
from urllib.parse import urlsplit

from briefdesk.importers.matching import normalise_doi, normalise_url

from .doi import InvalidDoi
from .doi import doi as parse_doi

# A pasted address without its scheme: "nytimes.com/2010/…", "www.dawn.com".
_BARE_HOST = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$")
_WORD = re.compile(r"\S+")

MAX_QUERY_LENGTH = 2000  # the longest URL a source can hold
MAX_WORDS = 8  # each word is one more condition on every row


class Rank(IntEnum):
    """How well a source answers a query; lower is better."""

    IDENTIFIER = 0  # has the pasted URL or DOI
    LABEL = 1  # its outlet's name or short label, or its own label, is what was typed
    TITLE = 2  # its title starts with the query, or has a word that does
    AUTHOR = 3  # an author's family name (or an organisation's name) is what was typed
    OTHER = 4  # matches somewhere else (a given name, the URL, a word inside the title)


@dataclass(frozen=True)
class Query:
    """A parsed search: the text as typed (trimmed) and what it was recognised as."""

    text: str
    url: str = ""  # the URL as a comparison key (normalise_url), when the query is a URL
    doi: str = ""  # the DOI, lower case, when the query is a DOI or a doi.org link
    words: tuple[str, ...] = field(default=())

    @property
    def is_identifier(self) -> bool:
        """A pasted URL or DOI: the chooser offers to create a source from it if none has it."""
        return bool(self.url or self.doi)

    @property
    def pasted(self) -> str:
        """The URL to store for a new source made from this query ("" for a bare DOI)."""
        if not self.url:
            return ""
        return self.text if "://" in self.text else f"https://{self.text}"


def parse_query(text: str) -> Query:
    """Recognise a DOI, a URL, or words in what an editor typed.

    Empty or blank text gives a Query with no words (no search). Text longer than any stored
    URL is cut, and only the first MAX_WORDS words count: a search never becomes an
    unbounded query."""
    text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    if not text:
        return Query(text="")
    doi = _doi_in(text)
    if doi:
        return Query(text=text, doi=doi, url=_doi_link_key(text))
    if " " not in text and _looks_like_url(text):
        with_scheme = text if "://" in text else f"https://{text}"
        return Query(text=text, url=normalise_url(with_scheme))
    words = tuple(dict.fromkeys(w.casefold() for w in _WORD.findall(text)))[:MAX_WORDS]
    return Query(text=text, words=words)


def _doi_in(text: str) -> str:
    if " " in text:
        return ""
    try:
        return normalise_doi(parse_doi(text))
    except InvalidDoi:
        return ""


def _doi_link_key(text: str) -> str:
    """A doi.org link is also a URL a source may hold."""
    return normalise_url(text) if text.lower().startswith(("http://", "https://")) else ""


def _looks_like_url(text: str) -> bool:
    if text.lower().startswith(("http://", "https://")):
        try:
            return bool(urlsplit(text).hostname)
        except ValueError:
            return False
    return bool(_BARE_HOST.match(text.lower()))


def domain(url: str) -> str:
    """The host of a URL without "www.", lower case; "" when there is none.

    >>> domain("https://www.Dawn.com/news/1")
    'dawn.com'
    """
    key = normalise_url(url if "://" in (url or "") else f"https://{url or ''}")
    return re.split(r"[/?]", key, maxsplit=1)[0].split(":")[0] if key else ""


def is_pdf_url(url: str) -> bool:
    """The URL's path names a PDF file."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path.lower().endswith(".pdf")


def rank(record: Mapping[str, Any], query: Query) -> Rank | None:
    """How well a source, as plain data, answers `query`; None when it does not match.

    `record` holds a source's `title`, `url`, `number`, `label`, `doi`, `authors` (CSL names),
    `outlet_name` and `outlet_label` (the outlet's short label). Matching ignores case."""
    title = _text(record.get("title"))
    outlet = [_text(record.get("outlet_name")), _text(record.get("outlet_label"))]
    doi = normalise_doi(record.get("doi"))
    url = normalise_url(record.get("url"))
    if (query.doi and doi == query.doi) or (query.url and url == query.url):
        return Rank.IDENTIFIER
    if query.is_identifier:
        in_url = any(v and v.casefold() in url.casefold() for v in (query.doi, query.url))
        return Rank.OTHER if in_url or (query.doi and query.doi in doi) else None
    if not query.words:
        return None
    authors = [n for n in record.get("authors") or [] if isinstance(n, Mapping)]
    fields = [
        title,
        *outlet,
        url,
        doi,
        _text(record.get("number")),
        _text(record.get("label")),
        *(_text(part) for name in authors for part in name_parts(name)),
    ]
    if not all(any(word in f for f in fields) for word in query.words):
        return None
    typed = query.text.casefold()
    labels = {*outlet, _text(record.get("label")), _text(record.get("number"))}
    if typed in labels or f"the {typed}" in labels:
        return Rank.LABEL
    if title.startswith(typed) or f" {typed}" in title:
        return Rank.TITLE
    if any(typed in (_text(n.get("family")), _text(n.get("literal"))) for n in authors):
        return Rank.AUTHOR
    return Rank.OTHER


def name_parts(name: Mapping[str, Any]) -> Sequence[str]:
    """The searchable parts of a CSL name (family, given, literal)."""
    return [str(name[k]) for k in ("family", "given", "literal") if name.get(k)]


def _text(value: Any) -> str:
    return str(value or "").casefold()

"""A brief as an importer reads it, before it is a page. No ORM here.

Both brief importers (html/ and markdown/) turn their input into a `ParsedBrief`;
`briefdesk.importers.briefs` turns that into a BriefPage. Rich text is kept as the small,
safe HTML the importer wrote itself (every text escaped, only the tags of a brief's rich
text), with two placeholders the writer resolves once it knows the records:

    cite_placeholder(0)                -> <a data-cite="0">(0)</a>      sources[0], cited
    internal_placeholder(url, "text")  -> <a data-internal="URL">text</a>  a link to a page
                                                                        of the old site

A citation becomes the source entity `<a linktype="source" id="12">LABEL</a>`; an internal
link becomes a link to the brief imported from that URL, or its text alone when none was.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

CITE = re.compile(r'<a data-cite="(?P<n>\d+)">[^<]*</a>')
INTERNAL = re.compile(r'<a data-internal="(?P<url>[^"]*)">(?P<text>.*?)</a>', re.S)


class BriefInputError(ValueError):
    """This input cannot become a brief. The message is one line, naming the problem (and
    the line, when the input has lines)."""


@dataclass(frozen=True)
class AuthorName:
    given: str
    family: str

    @property
    def full(self) -> str:
        return f"{self.given} {self.family}".strip()

    @classmethod
    def from_text(cls, text: str) -> AuthorName:
        """'Jayshree Bajoria' -> given 'Jayshree', family 'Bajoria'; 'Bajoria, Jayshree' too.
        A single word is a family name."""
        text = " ".join(text.split()).strip(" ,")
        if "," in text:
            family, _, given = text.partition(",")
            return cls(given.strip(), family.strip())
        given, _, family = text.rpartition(" ")
        return cls(given.strip(), family.strip())


@dataclass(frozen=True)
class SourceRef:
    """An outside work the brief cites.

    `item` is a CSL-JSON item (id, type, title, URL, author, issued, container-title,
    publisher, medium...); `outlet` names the outlet to link (found or created by name);
    `label` is a label override for the parenthetical ("" = the outlet's label)."""

    item: dict[str, Any]
    outlet: str = ""
    label: str = ""

    @property
    def url(self) -> str:
        return str(self.item.get("URL") or "")


@dataclass(frozen=True)
class Block:
    """One block of the body: `paragraph` (rich text `html`), `heading` (`text`) or
    `quote` (`text` and `attribution`)."""

    kind: str
    html: str = ""
    text: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class GuideRef:
    """A topic guide the brief features: found by URL (a guide imported from it) or title,
    else created."""

    title: str
    label: str = "Crisis Guide"
    url: str = ""


@dataclass
class ParsedBrief:
    """Everything a brief importer read from one input. `origin` names the input in
    messages; `imported_from` is the key a re-import is matched on (a canonical URL)."""

    origin: str
    imported_from: str
    title: str
    brief_type: str
    date: dt.date
    authors: list[AuthorName] = field(default_factory=list)
    summary: str = ""
    body: list[Block] = field(default_factory=list)
    additional_analysis: list[str] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)
    guide: GuideRef | None = None
    topics: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # URLs of "More on This Topic" briefs
    slug_hint: str = ""
    notes: list[str] = field(default_factory=list)
    # Other names links of the same run may use for this brief (a Markdown file's path when
    # its front matter gives a `url`).
    aliases: list[str] = field(default_factory=list)

    def rich_texts(self) -> list[str]:
        return [b.html for b in self.body if b.kind == "paragraph"] + self.additional_analysis

    def internal_links(self) -> list[str]:
        """URLs of the old site that the brief's text links to."""
        return [m.group("url") for value in self.rich_texts() for m in INTERNAL.finditer(value)]


def cite_placeholder(index: int) -> str:
    return f'<a data-cite="{index}">({index})</a>'


def internal_placeholder(url: str, text_html: str) -> str:
    return f'<a data-internal="{html.escape(url, quote=True)}">{text_html}</a>'


def link(url: str, text_html: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{text_html}</a>'


def plain_text(value: str) -> str:
    """Collapse runs of white space (what a reader sees of the text)."""
    return " ".join(value.split())

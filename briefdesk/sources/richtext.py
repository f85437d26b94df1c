"""Source citations inside rich text. No ORM here.

Authors insert a source citation as a Draftail entity; Wagtail stores it in the database HTML
as `<a linktype="source" id="12">Reuters</a>`. Rendering replaces each with the source's current
label in parentheses, linked to the source: "(<a href="…">Reuters</a>)" — its web URL, else its
page on the site (/sources/12/). The label and link are looked up at render time, so editing a
Source updates every brief that cites it. Two sources with the same label in one brief are told
apart by date (`distinct_labels`): "(Cable, Feb. 2009)".

A citation is a token: its stored text only stands in for the label. Older content could hold
cited words inside the anchor (they never reached readers); `split_cited_text` moves them out:

    split_cited_text('<a linktype="source" id="7">the words</a>', {7: ["WQ", "PDF"]})
    # -> 'the words <a linktype="source" id="7">WQ</a>'
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import nh3

_ANCHOR = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<text>.*?)</a>", re.S | re.I)
_ATTR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
_TAG = re.compile(r"<[^>]*>")

ALLOWED_TAGS = {
    "p", "br", "b", "i", "strong", "em", "a", "ul", "ol", "li", "h2", "h3", "h4",
    "blockquote", "sup", "sub", "code",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "linktype", "id"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class CitedSource:
    """What a rendered citation needs to know about a source."""

    id: int
    label: str
    url: str
    # Position in the brief's Sources list (1-based); print shows it as an endnote number.
    number: int = 0
    # The source's public page (/sources/12/), when readers of this brief can open it.
    page_url: str = ""
    # Robust Links: the latest archived copy of the URL (its view on this site) and the day
    # it was captured (YYYY-MM-DD); "" when there is none.
    version_url: str = ""
    version_date: str = ""
    # The link is gone, unreachable, a soft 404 or drifted (latest check): readers get the
    # archived copy.
    archived: bool = False

    @property
    def href(self) -> str:
        # A source with no web URL (a cable, a print article) links to its page, else to its
        # entry in the list; anything but http(s) (a javascript: URL that came in by import)
        # never becomes a link.
        if is_web_url(self.url):
            if self.archived and self.version_url:
                return self.version_url
            return self.url
        return self.page_url or f"#source-{self.id}"

    # The day the source was linked (its `accessed` date, else the day it was recorded):
    # Robust Links' version date when there is no archived copy.
    linked_date: str = ""

    @property
    def robust_attributes(self) -> str:
        """The Robust Links attributes (robustlinks.mementoweb.org) for the citation's
        anchor, with a leading space: every web link names its original URL and a version
        date — the day of its archived copy, else the day it was linked — and, when there is
        an archived copy, that copy's URL. "" for a source with no web URL."""
        if not is_web_url(self.url):
            return ""
        attributes = [("data-originalurl", self.url)]
        if self.version_url:
            attributes.append(("data-versionurl", self.version_url))
        if self.version_date or self.linked_date:
            attributes.append(("data-versiondate", self.version_date or self.linked_date))
        return "".join(f' {name}="{html.escape(value)}"' for name, value in attributes)


def _day(iso_date: str) -> str:
    """'2010-11-30' as readers write it, '30 November 2010' (the text itself if not a date)."""
    try:
        day = dt.date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day.day} {day:%B %Y}"


def is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def sanitize(db_html: str) -> str:
    """Strip anything rich text may not hold (scripts, styles, event handlers, javascript:
    URLs), keeping Wagtail's link attributes. Applied to stored HTML on every render."""
    return nh3.clean(
        db_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
        attribute_filter=_numeric_link_ids,
    )


def _numeric_link_ids(element: str, attribute: str, value: str) -> str | None:
    # Wagtail's stored links name their page, document or source by a numeric `id`; any other
    # id would reach readers as an element id and could clobber the page's own (#cite-dialog).
    if attribute == "id" and not (value.isascii() and value.isdigit() and len(value) <= 18):
        return None
    return value


def _source_id(attrs: str) -> int | None:
    values = dict(_ATTR.findall(attrs))
    if values.get("linktype") != "source":
        return None
    value = values.get("id", "")
    # A long digit string is no row id (and SQLite cannot bind it): treat it as a bad one.
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return -1


def cited_source_ids(db_htmls: Iterable[str]) -> list[int]:
    """Ids of the sources cited in these rich-text values, in order of first citation."""
    seen: dict[int, None] = {}
    for value in db_htmls:
        for match in _ANCHOR.finditer(value):
            source_id = _source_id(match.group("attrs"))
            if source_id is not None and source_id > 0:
                seen.setdefault(source_id, None)
    return list(seen)


def render_source_citations(db_html: str, sources: Mapping[int, CitedSource]) -> str:
    """Replace source entities with "(LABEL)" linked to the source. A citation whose source
    no longer exists becomes its stored text in parentheses, unlinked.

    A web link carries Robust Links attributes (data-originalurl, data-versiondate, and
    data-versionurl when the source has an archived copy); a link whose latest check found
    it gone, unreachable or drifted points at the archived copy instead and reads
    "(LABEL, archived)". Runs after `sanitize`, so its attributes need no allow-list entry.
    """

    def replace(match: re.Match[str]) -> str:
        source_id = _source_id(match.group("attrs"))
        if source_id is None:
            return match.group(0)
        source = sources.get(source_id)
        if source is None:
            text = match.group("text").strip()
            return f'<span class="cite cite--missing">({text})</span>' if text else ""
        note = (
            f'<sup class="cite-note" aria-hidden="true">{source.number}</sup>'
            if source.number
            else ""
        )
        archived = source.archived and source.version_url and is_web_url(source.url)
        marker = ', <span class="cite-archived">archived</span>' if archived else ""
        title = (
            f' title="The original link is broken or changed: a copy archived on'
            f' {html.escape(_day(source.version_date))}"'
            if archived
            else ""
        )
        return (
            f'<span class="cite">(<a href="{html.escape(source.href)}" '
            f'data-source="{source.id}"{source.robust_attributes}{title}>'
            f"{html.escape(source.label)}</a>{marker}){note}</span>"
        )

    return _ANCHOR.sub(replace, db_html)


def split_cited_text(db_html: str, labels: Mapping[int, Sequence[str]]) -> str:
    """Move words out of source citations, leaving each citation a token holding its label.

    `labels` maps a source id to every label that source could show now, the one it shows
    first (label override, "PDF", outlet label and name, publisher, container title, kind).
    A citation whose text is one of them — compared stripped, case-insensitively, with or
    without surrounding parentheses — or is empty is a token already and is left as it is.
    Any other text is kept, with its inline markup, just before the citation, whose text
    becomes the first label: `<a linktype="source" id="7">the words</a>` ->
    `the words <a linktype="source" id="7">WQ</a>`. Whitespace that ended the citation's text
    stays after the token.

    Caveats: a citation of a source missing from `labels` (deleted, or a bad id) is left
    untouched, so nothing is dropped; other links are never changed. Running it on its own
    output changes nothing.
    """

    def replace(match: re.Match[str]) -> str:
        source_id = _source_id(match.group("attrs"))
        if source_id is None or source_id not in labels or not labels[source_id]:
            return match.group(0)
        text = match.group("text")
        placeholders = {_label_key(label) for label in labels[source_id]}
        if _label_key(_TAG.sub("", text)) in placeholders | {""}:
            return match.group(0)
        words = text.rstrip()
        trailing = text[len(words) :]
        token = f"<a{match.group('attrs')}>{html.escape(labels[source_id][0], quote=False)}</a>"
        return f"{words} {token}{trailing}"

    return _ANCHOR.sub(replace, db_html)


def _label_key(text: str) -> str:
    key = html.unescape(text).strip()
    if key.startswith("(") and key.endswith(")"):
        key = key[1:-1].strip()
    return key.casefold()


def linkify_url(entry_html: str, url: str) -> str:
    """Make the URL that citeproc-js printed as text in an entry a link (http/https only;
    the entry HTML is citeproc-js output, already escaped)."""
    if not is_web_url(url):
        return entry_html
    escaped = html.escape(url, quote=False)
    if escaped not in entry_html:
        return entry_html
    anchor = f'<a href="{html.escape(url)}">{escaped}</a>'
    return entry_html.replace(escaped, anchor, 1)


# Months as a reader sees them in a short date: "Feb. 2009", "June 2009", "Sept. 2009".
SHORT_MONTHS = (
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip


@dataclass(frozen=True)
class LabelledSource:
    """What `distinct_labels` needs: a source's id, its label and its issued date (a partial
    ISO date, YYYY, YYYY-MM or YYYY-MM-DD, or "")."""

    id: int
    label: str
    issued: str = ""


def distinct_labels(sources: Sequence[LabelledSource]) -> dict[int, str]:
    """Each source's label, made distinct within one brief.

    A label no other source in `sources` shows (compared case-insensitively) is kept as it
    is. Sources that share one get their issued date after it, as short as tells them apart:
    month and year ("Cable, Feb. 2009"), then the full date ("Cable, Feb. 3, 2009"); an
    undated one reads "n.d.". Sources still alike after that get a letter after the date, in
    the order given (the order of first citation): "Cable, Feb. 2009a", "Cable, Feb. 2009b".
    """
    groups: dict[str, list[LabelledSource]] = {}
    for source in sources:
        groups.setdefault(source.label.strip().casefold(), []).append(source)
    labels: dict[int, str] = {}
    for group in groups.values():
        if len(group) == 1:
            labels[group[0].id] = group[0].label
            continue
        months = [short_date(s.issued, day=False) for s in group]
        days = [short_date(s.issued, day=True) for s in group]
        dates = [
            month if months.count(month) == 1 else day
            for month, day in zip(months, days, strict=True)
        ]
        seen: dict[str, int] = {}
        for source, date in zip(group, dates, strict=True):
            suffix = ""
            if dates.count(date) > 1:
                suffix = chr(ord("a") + seen.get(date, 0) % 26)
                seen[date] = seen.get(date, 0) + 1
            labels[source.id] = f"{source.label}, {date}{suffix}"
    return labels


def short_date(issued: str, *, day: bool) -> str:
    """A partial ISO date as a short reader's date: "2009", "Feb. 2009", or with `day`
    "Feb. 3, 2009"; "n.d." when empty or not a date."""
    parts = issued.strip().split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4:
        return "n.d."
    year = parts[0]
    if len(parts) < 2 or not parts[1].isdigit() or not 1 <= int(parts[1]) <= 12:
        return year
    month = SHORT_MONTHS[int(parts[1]) - 1]
    if day and len(parts) > 2 and parts[2].isdigit() and 1 <= int(parts[2]) <= 31:
        return f"{month} {int(parts[2])}, {year}"
    return f"{month} {year}"


# --- quoted passages (quote checks) ---------------------------------------------------------
#
# A citation can carry the passage it supports, for editors only:
# `<a linktype="source" id="12" data-quote="the quoted passage">Reuters</a>` (Draftail entity
# data: `quote`). `sanitize` drops the attribute before anything reaches readers.

QUOTE_ATTRIBUTE = "data-quote"


@dataclass(frozen=True)
class QuotedCitation:
    """A citation in rich text that quotes its source: the source's id and the passage."""

    source_id: int
    quote: str


def quoted_citations(db_htmls: Iterable[str]) -> list[QuotedCitation]:
    """Every citation carrying a non-blank quote, in order of the values and of the text
    (a source quoted twice appears twice). Citations of a bad id are skipped."""
    found: list[QuotedCitation] = []
    for value in db_htmls:
        for match in _ANCHOR.finditer(value):
            attrs = match.group("attrs")
            source_id = _source_id(attrs)
            if source_id is None or source_id <= 0:
                continue
            quote = " ".join(
                html.unescape(dict(_ATTR.findall(attrs)).get(QUOTE_ATTRIBUTE, "")).split()
            )
            if quote:
                found.append(QuotedCitation(source_id, quote))
    return found

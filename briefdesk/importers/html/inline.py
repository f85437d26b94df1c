"""Inline HTML of a saved page -> a brief's rich text, with links sorted into citations,
internal links and plain links. No ORM here.

    citer = Citer(page_url, site_host)
    value = citer.inline(paragraph_element)    # safe rich text with placeholders
    citer.sources                              # the SourceRefs cited, in order

How a link is read:
- `(<a href=…>Reuters</a>)` — a link standing alone in parentheses (or with others:
  `(<a>Reuters</a>, <a>AP</a>)`) is a citation of a news source whose outlet is the link's
  text; `(<a href=…>PDF</a>)` is a citation of a document (medium PDF, label "PDF");
- any other link to another site is kept as text followed by a citation of that page (a web
  page, or a document when the URL names a PDF), so every outside work becomes a Source;
- a link to the same site (same host, or a relative link) is an internal link, resolved by
  the writer to the imported brief, else left as its text;
- mailto: links stay links; anything else (javascript:, data:, #fragments) becomes text.
A source's title is the link's `title` attribute when it has one, else words of the URL's
path ("pakistan-condemns-strike" -> "Pakistan condemns strike"), else the host.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml import html as lxml_html

from briefdesk.importers.matching import normalise_url
from briefdesk.importers.parsed import (
    SourceRef,
    cite_placeholder,
    internal_placeholder,
    link,
    plain_text,
)

_KEEP = {"b": "b", "strong": "b", "i": "i", "em": "i", "sup": "sup", "sub": "sub", "code": "code"}
_MARKER = re.compile(r"\x00(\d+)\x00")
_GROUP = re.compile(r"\(\s*(\x00\d+\x00(?:\s*[,;]\s*(?:and\s+)?\x00\d+\x00)*)\s*\)")
_SLUG_NOISE = re.compile(r"(?:^|[-_])(?:id[A-Z0-9]{6,}|\d{5,})(?=$|[-_])")
_TITLE_WORD = re.compile(r"[A-Za-z]")


def _text(value: str | None) -> str:
    """Text as rich text: escaped, without the NUL this module uses as a marker."""
    return html.escape((value or "").replace("\x00", ""), quote=False)


def is_pdf(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(".pdf") or "/pdf/" in path


def title_from_url(url: str) -> str:
    """A readable title from the words of the URL's last path segment, else the URL."""
    parts = urlsplit(url)
    for segment in [s for s in parts.path.split("/") if s][-1:]:
        words = unquote(segment).rsplit(".", 1)[0] if "." in segment else unquote(segment)
        words = _SLUG_NOISE.sub("", words)
        tokens = [w for w in re.split(r"[-_+\s]+", words) if w]
        if sum(w.isalpha() for w in tokens) >= 2:
            words = " ".join(tokens)
            return words[0].upper() + words[1:]
    # No words to read: the address itself (without its scheme) tells the work apart.
    return url.split("://", 1)[-1][:1000]


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


class Citer:
    """Reads inline content for one page, collecting the sources it cites (one SourceRef
    per URL, shared by the body and the Additional Analysis)."""

    def __init__(self, page_url: str, site_host: str) -> None:
        self.page_url = page_url
        self.site_host = site_host
        self.sources: list[SourceRef] = []
        self._by_url: dict[str, int] = {}
        self._links: list[tuple[str, str, str, str]] = []  # url, text html, text, title

    def inline(self, element: lxml_html.HtmlElement, *, skip_head: bool = False) -> str:
        """The element's content as rich text (not wrapped in <p>). `skip_head` leaves out
        its own text before the first child (used for list items already numbered)."""
        self._links = []
        pieces: list[str] = []
        if element.text and not skip_head:
            pieces.append(_text(element.text))
        for child in element:
            self._walk(child, pieces)
        value = " ".join("".join(pieces).split())
        value = _GROUP.sub(self._group, value)
        return _MARKER.sub(self._loose, value).strip()

    def _walk(self, element: lxml_html.HtmlElement, pieces: list[str]) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            pieces.append("<br/>")
        elif tag == "a":
            pieces.append(self._anchor(element))
        elif tag in _KEEP:
            inner: list[str] = []
            if element.text:
                inner.append(_text(element.text))
            for child in element:
                self._walk(child, inner)
            content = "".join(inner)
            if content.strip():
                name = _KEEP[tag]
                pieces.append(f"<{name}>{content}</{name}>")
            else:
                pieces.append(content)
        elif tag and tag not in {"script", "style", "img", "svg", "button", "input"}:
            if element.text:
                pieces.append(_text(element.text))
            for child in element:
                self._walk(child, pieces)
        if element.tail:
            pieces.append(_text(element.tail))

    def _anchor(self, element: lxml_html.HtmlElement) -> str:
        text = plain_text(element.text_content().replace("\x00", ""))
        text_html = _text(text)
        href = (element.get("href") or "").strip()
        if not text:
            return ""
        try:
            url = urljoin(self.page_url, href) if self.page_url else href
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return text_html
        if not href or href.startswith("#"):
            return text_html
        if scheme == "mailto":
            return link(url, text_html)
        if scheme not in ("http", "https", ""):
            return text_html
        host = host_of(url)
        if not host or (self.site_host and host == self.site_host):
            if not host and not url.startswith("/"):
                return text_html  # a relative link with no page URL to resolve it against
            return internal_placeholder(url.split("#", 1)[0], text_html)
        title = plain_text(element.get("title") or "")
        self._links.append((url.split("#", 1)[0], text_html, text, title))
        return f"\x00{len(self._links) - 1}\x00"

    def _group(self, match: re.Match[str]) -> str:
        """Links in parentheses: each a citation, the link text its outlet (or PDF)."""
        cites = []
        for number in _MARKER.findall(match.group(1)):
            url, _, text, title = self._links[int(number)]
            if text.strip("() ").upper() == "PDF":
                cites.append(self._cite(url, self._document(url, title)))
            else:
                cites.append(self._cite(url, self._news(url, text.strip("() "), title)))
        return " ".join(cites)

    def _loose(self, match: re.Match[str]) -> str:
        """A link in the prose: its words stay, followed by a citation of the page."""
        url, text_html, text, title = self._links[int(match.group(1))]
        if is_pdf(url):
            ref = self._document(url, title or text)
        else:
            site = host_of(url)
            item = {"type": "webpage", "title": title or text, "URL": url}
            ref = SourceRef(item=item, outlet=site)
        return f"{text_html} {self._cite(url, ref)}"

    def _news(self, url: str, outlet: str, title: str) -> SourceRef:
        item = {"type": "article-newspaper", "title": title or title_from_url(url), "URL": url}
        return SourceRef(item=item, outlet=outlet)

    def _document(self, url: str, title: str) -> SourceRef:
        item = {"type": "report", "title": title or title_from_url(url), "URL": url}
        item["medium"] = "PDF"
        return SourceRef(item=item, outlet=host_of(url))

    def _cite(self, url: str, ref: SourceRef) -> str:
        key = normalise_url(url)
        if key not in self._by_url:
            self._by_url[key] = len(self.sources)
            self.sources.append(ref)
        return cite_placeholder(self._by_url[key])

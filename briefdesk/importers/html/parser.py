"""A saved brief page (the usual think-tank or newsroom article page) -> a ParsedBrief.
No ORM here.

    brief = parse_html(data, "old/pakistan.html", base_url="https://old.example.org/")

What is read, in this order of trust (lxml, with trafilatura and htmldate for what markup
rules miss):
- the page's address: <link rel=canonical>, og:url, else `fallback_url` (the command passes
  the base URL plus the file's path, or the file's own file:// URL): re-imports match on it;
- title: the article's <h1>, citation_title, og:title, else <title> without " | Site";
- type label: an element before the body whose class says type/label/eyebrow/kicker/
  category and whose text is a brief type ("Expert Brief"), else "Analysis Brief" (noted);
- authors: citation_author metas, rel=author / itemprop=author / .author-name elements, the
  author meta, the byline ("By A, B and C"), else JSON-LD (trafilatura);
- date: article:published_time, citation_publication_date, datePublished, <time datetime>,
  else htmldate on the markup (no guessing from running text);
- body: the article region (articleBody, .article-body, .entry-content, <article>, <main>,
  <body>) as paragraphs, sub-headings, block quotes and list items, inline links as in
  `inline.Citer`;
- "Additional Analysis" (a heading and what follows it, up to the next heading) -> items;
- "More on This Topic" -> the URLs of related briefs; a "Crisis Guide: X" / "Topic Guide: X"
  link -> the featured guide;
- site chrome is dropped first: <nav>, <header>/<footer> of the site, forms, scripts,
  styles, iframes, ARIA banners and navigation, hidden elements, and anything whose class
  or id says share/print/cite/tools/social/newsletter/ad/promo/related/menu/search/comments.
Raises BriefInputError with one line when the page has no title, no date or no body.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from briefdesk.briefs.models import BRIEF_TYPES
from briefdesk.importers.parsed import (
    AuthorName,
    Block,
    BriefInputError,
    GuideRef,
    ParsedBrief,
    plain_text,
)

from .decode import PageTooBig, check_size, decode_page
from .inline import Citer, host_of

DEFAULT_TYPE = "Analysis Brief"
_DATA_URL = re.compile(r"""data:[^"'\s)>]{512,}""")
_CHROME_WORDS = {
    "share", "sharing", "social", "print", "cite", "tools", "toolbar", "newsletter",
    "subscribe", "signup", "advert", "advertisement", "ad", "ads", "promo", "sponsor",
    "sponsored", "breadcrumb", "breadcrumbs", "menu", "navbar", "nav", "navigation",
    "masthead", "search", "comments", "comment", "related", "recommended", "popular",
    "trending", "sidebar", "cookie", "cookies", "banner", "skip", "byline", "dateline",
    "eyebrow", "kicker", "rubric", "meta", "tags", "footer", "pagination", "date",
    "timestamp", "author", "authors",
}  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "blockquote", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "aside", "table", "figure", "header", "footer", "main", "pre", "hr", "dl",
    "picture", "img", "center",
}  # fmt: skip
_CHROME_TAGS = {
    "script", "style", "noscript", "template", "iframe", "form", "nav", "svg", "button",
    "input", "select", "textarea", "object", "embed", "canvas", "video", "audio", "dialog",
}  # fmt: skip
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog"}
_LABEL_WORDS = {"type", "label", "eyebrow", "kicker", "category", "rubric"}
_TYPES = {t.casefold(): t for t in BRIEF_TYPES}
_TYPES.update({"op-ed": "Op-Ed", "oped": "Op-Ed", "expert brief": "Expert Brief"})
_GUIDE = re.compile(r"^\s*((?:crisis|topic|conflict|country)\s+guide)\s*:\s*(.+)$", re.I | re.S)
_AA = re.compile(r"^\s*additional\s+analysis\s*:?\s*$", re.I)
_MORE = re.compile(r"^\s*more\s+on\s+this\s+topic\s*:?\s*$", re.I)
_BY = re.compile(r"^\s*(?:by|authors?|written by)\s*:?\s+", re.I)
_SPLIT_NAMES = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.I)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BODY_SELECTORS = (
    '//*[@itemprop="articleBody"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " article-body ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " body-content ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " entry-content ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " post-content ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " story-body ")]',
    "//article",
    "//main",
    '//*[@id="content"]',
    "//body",
)
_DATE_METAS = (
    "article:published_time",
    "citation_publication_date",
    "citation_date",
    "dc.date",
    "dc.date.issued",
    "date",
    "pubdate",
    "publish-date",
    "og:published_time",
)


def parse_html(
    data: bytes,
    origin: str,
    *,
    base_url: str = "",
    fallback_url: str = "",
    max_bytes: int | None = None,
) -> ParsedBrief:
    """Read one saved page (see the module docstring). `origin` names it in messages;
    `base_url` is the old site's address (its host tells internal links from outside ones,
    and it resolves relative links when the page has no canonical URL)."""
    try:
        check_size(len(data)) if max_bytes is None else check_size(len(data), max_bytes)
    except PageTooBig as exc:
        raise BriefInputError(str(exc)) from None
    text, note = decode_page(data)
    # Inlined images (a page saved "complete" in one file) are dropped before parsing: they
    # are most of a big page's bytes, and briefs do not import images.
    text = _DATA_URL.sub("data:,", text)
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise BriefInputError(f"not an HTML page ({exc})") from None
    return _Page(root, origin, base_url, fallback_url, [note] if note else []).parse()


class _Page:
    def __init__(
        self,
        root: lxml_html.HtmlElement,
        origin: str,
        base_url: str,
        fallback_url: str,
        notes: list[str],
    ) -> None:
        self.root = root
        self.origin = origin
        self.notes = notes
        base = root.find(".//base[@href]")
        canonical = self._canonical(base_url)
        self.imported_from = canonical or fallback_url or origin
        self.page_url = canonical or (base.get("href") if base is not None else "") or fallback_url
        if not self.page_url.startswith(("http://", "https://")) and base_url:
            self.page_url = base_url
        self.site_host = host_of(base_url) or host_of(canonical)
        self.citer = Citer(self.page_url, self.site_host)

    # --- metadata ----------------------------------------------------------------------

    def meta(self, *names: str) -> list[str]:
        wanted = {n.casefold() for n in names}
        values = []
        for element in self.root.iter("meta"):
            key = element.get("property") or element.get("name") or element.get("itemprop") or ""
            if key.casefold() in wanted and (element.get("content") or "").strip():
                values.append(plain_text(element.get("content") or ""))
        return values

    def _canonical(self, base_url: str) -> str:
        for element in self.root.iter("link"):
            if "canonical" in (element.get("rel") or "").lower().split() and element.get("href"):
                return urljoin(base_url, element.get("href", "").strip())
        og = self.meta("og:url")
        if og:
            return urljoin(base_url, og[0])
        return ""

    def title(self, region: lxml_html.HtmlElement) -> str:
        for scope in (region, self.root):
            h1 = scope.find(".//h1")
            if h1 is not None and plain_text(h1.text_content()):
                return plain_text(h1.text_content())
        for value in self.meta("citation_title", "og:title", "twitter:title"):
            return value
        title = self.root.find(".//title")
        if title is not None and title.text:
            return re.split(r"\s+[|–—]\s+|\s+-\s+", plain_text(title.text))[0]
        return ""

    def brief_type(self, region: lxml_html.HtmlElement) -> str:
        for element in self.root.iter():
            if not isinstance(element.tag, str) or element.tag in ("meta", "html", "body"):
                continue
            if _words(element) & _LABEL_WORDS:
                found = _brief_type(plain_text(element.text_content()))
                if found:
                    _remove(element)
                    return found
        for value in self.meta("article:section", "article:type"):
            found = _brief_type(value)
            if found:
                return found
        self.notes.append(f"no type label: imported as {DEFAULT_TYPE}")
        return DEFAULT_TYPE

    def authors(self) -> list[AuthorName]:
        names = self.meta("citation_author")
        if not names:
            names = [
                plain_text(e.text_content())
                for e in self.root.xpath(
                    '//a[@rel="author"] | //*[@itemprop="author"] | '
                    '//*[contains(concat(" ", normalize-space(@class), " "), " author-name ")]'
                )
            ]
        if not names:
            names = [n for value in self.meta("author", "dc.creator") for n in _split(value)]
        if not names:
            for element in self.root.xpath(
                '//*[contains(concat(" ", normalize-space(@class), " "), " byline ")]'
            ):
                names = _split(_BY.sub("", plain_text(element.text_content())))
                if names:
                    break
        if not names:
            names = self._trafilatura_authors()
        authors: list[AuthorName] = []
        for name in names:
            name = _BY.sub("", name).strip()
            if name and not any(ch.isdigit() for ch in name) and len(name) < 120:
                authors.append(AuthorName.from_text(name))
        return authors

    def _trafilatura_authors(self) -> list[str]:
        from trafilatura.metadata import extract_metadata

        try:
            metadata = extract_metadata(self.root)
        except Exception:  # trafilatura is a fallback: its failure is no author found
            return []
        return _split(str(metadata.author or "").replace(";", ","))

    def date(self) -> dt.date:
        candidates = self.meta(*_DATE_METAS) + self.meta("datePublished")
        candidates += [
            e.get("datetime") or e.get("content") or ""
            for e in self.root.xpath(
                '//*[@itemprop="datePublished"] | //time[@datetime and '
                '(@pubdate or contains(@class, "publish") or contains(@class, "date"))] '
                "| //time[@datetime]"
            )
        ]
        for value in candidates:
            day = _iso_day(value)
            if day:
                return day
        from htmldate import find_date

        try:
            # Always a tree, never a string: htmldate fetches a string that looks like a URL.
            found = find_date(
                self.root, extensive_search=False, original_date=True, url=self.page_url or None
            )
        except Exception:  # htmldate is a fallback: its failure is no date found
            found = None
        day = _iso_day(found or "")
        if day is None:
            raise BriefInputError(
                "no publication date found (no article:published_time, <time datetime> or "
                "dated byline)"
            )
        return day

    # --- structure ---------------------------------------------------------------------

    def parse(self) -> ParsedBrief:
        region = self._region()
        title = self.title(region)
        if not title:
            raise BriefInputError("no title found (no <h1>, og:title or <title>)")
        brief_type = self.brief_type(region)
        authors = self.authors()
        if not authors:
            self.notes.append("no byline: imported without authors")
        date = self.date()
        summary = next(iter(self.meta("description", "og:description")), "")
        guide = self._guide()
        related = [
            urljoin(self.page_url, a.get("href", ""))
            for item in self._section("more on this topic", _MORE)
            for a in item.iter("a")
            if a.get("href")
        ]
        analysis_elements = [
            e for item in self._section("additional analysis", _AA) for e in _items(item)
        ]
        self._drop_chrome()
        region = self._region()
        body = self._blocks(region, title)
        if not any(b.kind == "paragraph" for b in body):
            raise BriefInputError("no body text found")
        analysis = [v for v in (self.citer.inline(e) for e in analysis_elements) if v]
        return ParsedBrief(
            origin=self.origin,
            imported_from=self.imported_from,
            title=title[:255],
            brief_type=brief_type,
            date=date,
            authors=authors,
            summary=summary,
            body=body,
            additional_analysis=analysis,
            sources=self.citer.sources,
            guide=guide,
            related=related,
            slug_hint=_slug_hint(self.imported_from),
            notes=self.notes,
        )

    def _region(self) -> lxml_html.HtmlElement:
        for selector in _BODY_SELECTORS:
            for element in self.root.xpath(selector):
                if element.find(".//p") is not None or selector == "//body":
                    return element
        return self.root

    def _guide(self) -> GuideRef | None:
        for anchor in self.root.iter("a"):
            parent = anchor.getparent()
            # The link's own text, or a small box around it ("Crisis Guide" + "Pakistan").
            scopes = [anchor] + ([parent] if parent is not None and len(parent) <= 4 else [])
            for scope in scopes:
                match = _GUIDE.match(plain_text(scope.text_content()))
                if match:
                    label = " ".join(w.capitalize() for w in match.group(1).split())
                    url = urljoin(self.page_url, anchor.get("href") or "")
                    _remove(_box(scope))
                    return GuideRef(title=match.group(2).strip()[:255], label=label, url=url)
        return None

    def _section(self, words: str, heading: re.Pattern[str]) -> list[lxml_html.HtmlElement]:
        """What follows a heading matching `heading` (whose text contains `words`), up to
        the next heading; removed from the page with the heading, so that the body does
        not repeat it. Found from text nodes, so a big page costs one pass."""
        upper = words.upper()
        query = f"//text()[contains(translate(., '{upper}', '{words}'), '{words}')]"
        for node in self.root.xpath(query):
            element = node.getparent()
            if element is None or node.is_tail or not heading.match(str(node)):
                continue
            own = plain_text(element.text_content())
            if not heading.match(own):
                continue
            head = element
            # A heading inside <p><strong>…</strong></p>: the paragraph is the heading.
            while (
                (parent := head.getparent()) is not None
                and parent.tag not in ("body", "article", "main", "section", "aside")
                and plain_text(parent.text_content()) == own
            ):
                head = parent
            following = _following(head)
            if not following and head.getparent() is not None:
                following = [head.getparent()]
            for item in [head, *following]:
                _remove(item)
            return following
        return []

    def _drop_chrome(self) -> None:
        doomed = [e for e in self.root.iter() if _is_chrome(e)]
        for element in doomed:
            _remove(element)

    def _blocks(self, region: lxml_html.HtmlElement, title: str) -> list[Block]:
        blocks: list[Block] = []
        self._walk(region, blocks, title)
        return blocks

    def _walk(self, element: lxml_html.HtmlElement, blocks: list[Block], title: str) -> None:
        if not any(_is_block(c) for c in element):
            # A <div> used as a paragraph.
            value = self.citer.inline(element)
            if value:
                blocks.append(Block("paragraph", html=value))
            return
        _wrap_runs(element)
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == "h1":
                continue
            if tag in _HEADINGS:
                text = plain_text(child.text_content())
                if text and text != title:
                    blocks.append(Block("heading", text=text))
            elif tag == "p":
                value = self.citer.inline(child)
                if value:
                    blocks.append(Block("paragraph", html=value))
            elif tag == "blockquote":
                quote = _quote(child)
                if quote.text:
                    blocks.append(quote)
            elif tag in ("ul", "ol", "dl"):
                for item in child:
                    value = self.citer.inline(item) if isinstance(item.tag, str) else ""
                    if value:
                        blocks.append(Block("paragraph", html=value))
            elif tag in ("figure", "img", "table", "picture", "pre", "hr"):
                if tag != "hr":
                    self.notes.append(f"a <{tag}> was not imported")
            else:
                self._walk(child, blocks, title)


def _is_block(element: lxml_html.HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag in _BLOCK_TAGS


def _wrap_runs(element: lxml_html.HtmlElement) -> None:
    """Wrap the text and inline elements that sit directly in a container, between its
    blocks, in <p>: "text <a>link</a> text <p>…</p>" reads as two paragraphs."""
    new: list[lxml_html.HtmlElement] = []
    current = lxml_html.Element("p")
    current.text, element.text = element.text, None
    for child in list(element):
        element.remove(child)  # an lxml element moves with its tail
        if _is_block(child):
            if _has_content(current):
                new.append(current)
            current = lxml_html.Element("p")
            current.text, child.tail = child.tail, None
            new.append(child)
        else:
            current.append(child)
    if _has_content(current):
        new.append(current)
    element.extend(new)


def _has_content(element: lxml_html.HtmlElement) -> bool:
    return bool((element.text or "").strip()) or len(element) > 0


def _is_chrome(element: lxml_html.HtmlElement) -> bool:
    """Site chrome: navigation, tools, ads and the site's header and footer (an article's
    own header or footer with paragraphs is kept)."""
    if not isinstance(element.tag, str):
        return True  # comments, processing instructions
    tag = element.tag
    if tag in ("html", "body"):
        return False
    if tag in _CHROME_TAGS:
        return True
    if tag in ("footer", "cite") and element.xpath("ancestor::blockquote"):
        return False  # a quotation's attribution
    if tag in ("header", "footer", "aside") and (
        element.find(".//p") is None or not element.xpath("ancestor::article")
    ):
        return True
    if (element.get("role") or "").lower() in _CHROME_ROLES:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return bool(_words(element) & _CHROME_WORDS)


def _escape(text: str) -> str:
    import html

    return html.escape(plain_text(text.replace("\x00", "")), quote=False)


def _quote(element: lxml_html.HtmlElement) -> Block:
    attribution = ""
    for cite in element.xpath(".//cite | .//footer"):
        attribution = plain_text(cite.text_content()).lstrip("—–- ")
        _remove(cite)
    paragraphs = [plain_text(p.text_content()) for p in element.iter("p")]
    text = "\n\n".join(p for p in paragraphs if p) or plain_text(element.text_content())
    match = re.search(r"\s+[—–]\s*([^—–]{2,80})$", text)
    if match and not attribution:
        attribution, text = match.group(1).strip(), text[: match.start()].rstrip()
    return Block("quote", text=text.strip('“”" '), attribution=attribution[:255])


def _following(head: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The siblings after a heading, up to the next heading."""
    out = []
    sibling = head.getnext()
    while sibling is not None:
        if isinstance(sibling.tag, str) and (
            sibling.tag in _HEADINGS
            or (
                sibling.find(".//h2") is not None
                or (
                    sibling.find(".//h3") is not None and sibling.tag in ("section", "aside", "div")
                )
            )
        ):
            break
        out.append(sibling)
        sibling = sibling.getnext()
    return out


def _items(element: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    if not isinstance(element.tag, str):
        return []
    if element.tag in ("p", "li"):
        return [element]
    found = [e for e in element.iter("p", "li") if not e.xpath(".//p | .//li")]
    return found or ([element] if plain_text(element.text_content()) else [])


def _box(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The box a guide link sits in: its nearest block container with no other text."""
    own = plain_text(element.text_content())
    while element.getparent() is not None and element.getparent().tag not in (
        "body",
        "article",
        "main",
    ):
        parent = element.getparent()
        if len(plain_text(parent.text_content())) > len(own) + 40:
            break
        element = parent
    return element


def _remove(element: lxml_html.HtmlElement) -> None:
    """Remove an element but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _words(element: lxml_html.HtmlElement) -> set[str]:
    value = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if not value.strip():
        return set()
    return set(re.split(r"[\s_-]+", value)) - {""}


def _brief_type(text: str) -> str:
    text = plain_text(text).casefold()
    for label, brief_type in _TYPES.items():
        if text == label or (text.startswith(label + " no.") and len(text) < 60):
            return brief_type
    return ""


def _split(value: str) -> list[str]:
    return [n for n in _SPLIT_NAMES.split(value) if n.strip()]


def _iso_day(value: str) -> dt.date | None:
    match = re.match(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value or "")
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _slug_hint(url: str) -> str:
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    name = PurePosixPath(path.rstrip("/")).name
    return name.rsplit(".", 1)[0] if name.endswith((".html", ".htm", ".php", ".aspx")) else name

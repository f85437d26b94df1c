"""The main text and title of a captured page or document, for the archived view and for drift.

    found = extract_text(content, "text/html", charset="utf-8", url=url)
    found.title, found.text, found.method     # "trafilatura", "lxml", "pypdf", "plain", "none"

HTML goes through trafilatura (the article without navigation, footers and comments); when it
finds nothing (a short page, a listing) the plain lxml fallback keeps every visible text of the
body, without scripts, styles, templates and navigation. PDFs are read with pypdf, page by page.
Plain text is kept as it is. Anything else has no text.

Never raises on bad input: a broken PDF or undecodable HTML gives empty text (the capture is
still a faithful record of what the server answered). Text is whitespace-normalised: one
paragraph per line, no blank runs. ORM-free: bytes in, an Extracted out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

logger = logging.getLogger(__name__)

# Bound the work on a hostile document: the archived view shows no more than this anyway.
MAX_TEXT_CHARS = 1_000_000
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_PDF_TYPES = {"application/pdf", "application/x-pdf"}
_DROPPED_TAGS = ("script", "style", "noscript", "template", "nav", "svg", "iframe", "object")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


@dataclass(frozen=True)
class Extracted:
    """A document's title (may be empty), its main text, and which reader found it."""

    title: str
    text: str
    method: str


def extract_text(
    content: bytes, content_type: str, *, charset: str | None = None, url: str = ""
) -> Extracted:
    """The title and main text of `content` of media type `content_type` (see module doc)."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind in _HTML_TYPES or (not kind and content.lstrip()[:1] == b"<"):
            return _html(content, charset, url)
        if kind in _PDF_TYPES or content[:5] == b"%PDF-":
            return _pdf(content)
        if kind.startswith("text/"):
            return Extracted("", _tidy(_decode(content, charset)), "plain")
    except Exception as exc:  # a reader library's bug on odd input must not fail a capture
        logger.warning("No text extracted from %s (%s): %s", url or "content", kind, exc)
    return Extracted("", "", "none")


def _decode(content: bytes, charset: str | None) -> str:
    for encoding in (charset, "utf-8"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("cp1252", errors="replace")


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text[:MAX_TEXT_CHARS].splitlines())
    return "\n".join(line for line in lines if line)


def _html(content: bytes, charset: str | None, url: str) -> Extracted:
    import lxml.html
    import trafilatura

    markup = _decode(content, charset)
    if not markup.strip():
        return Extracted("", "", "none")
    try:
        tree = lxml.html.document_fromstring(markup)
    except Exception:  # lxml refuses some inputs (only a comment, a bare XML declaration)
        return Extracted("", "", "none")
    title = _tidy(" ".join(tree.xpath("//title//text()"))).replace("\n", " ")
    if not title:
        title = _tidy(" ".join(tree.xpath("//h1[1]//text()"))).replace("\n", " ")

    found = trafilatura.extract(
        markup, url=url or None, include_comments=False, include_tables=True, favor_recall=True
    )
    if found and found.strip():
        return Extracted(title[:1000], _tidy(found), "trafilatura")

    for element in tree.xpath("|".join(f"//{tag}" for tag in _DROPPED_TAGS)):
        element.drop_tree()
    for block in tree.xpath("//p|//div|//li|//h1|//h2|//h3|//h4|//h5|//h6|//tr|//br"):
        block.tail = "\n" + (block.tail or "")
    bodies = tree.xpath("//body")
    text = (bodies[0] if bodies else tree).text_content()
    return Extracted(title[:1000], _tidy(text), "lxml")


def _pdf(content: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(content))
    title = ""
    try:
        info: Mapping[str, Any] = reader.metadata or {}
        title = str(info.get("/Title") or "").strip()
    except Exception:
        title = ""
    pages: list[str] = []
    total = 0
    for page in reader.pages:
        page_text = page.extract_text() or ""
        pages.append(page_text)
        total += len(page_text)
        if total > MAX_TEXT_CHARS:
            break
    return Extracted(title[:1000], _tidy("\n".join(pages)), "pypdf")

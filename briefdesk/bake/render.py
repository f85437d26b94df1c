"""Rendering one URL for the bake: Django's test client asks the site (every middleware, as a
reader's request would), the answer is made static (links rewritten, controls that need a
server removed, the search index's region marked) and written when its bytes changed.

    renderer = Renderer(outdir, plan, old_hashes, with_pdfs=True)
    result = renderer.bake("/briefs/x/", kind="brief")

What is removed from HTML pages, because a static host cannot answer it:
- the Sources list's style switcher (`?style=`, and its in-place reload);
- the source index's outlet/kind filter form;
- the "Download PDF" link, when the bake runs without PDFs.
The header's search form stays: it sends ?q= to the static search page (/search/).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.test import Client

from .links import SEARCH_PATH, LinkPlan, rewrite_html, rewrite_text
from .manifest import digest, write_file
from .targets import INDEXED_KINDS, is_pdf

_REMOVED = [
    re.compile(r'<nav class="source-styles".*?</nav>', re.DOTALL),
    re.compile(r'<form class="source-filters".*?</form>', re.DOTALL),
]
_PDF_LINKS = [
    re.compile(r'<a [^>]*data-action="pdf"[^>]*>.*?</a>', re.DOTALL),
    re.compile(r'<meta name="citation_pdf_url"[^>]*>'),
]
_MAIN = re.compile(r'<main id="main"')
# Inside an indexed page, what is not its text: the print-only masthead and address, the
# Print / PDF / Cite buttons. Pagefind leaves elements marked data-pagefind-ignore out of the
# index and out of result excerpts.
_NOT_TEXT = re.compile(r'<(p|div) class="(print-only[^"]*|brief-actions)"')
# What Pagefind reads of a page (search_digest): the indexed region, and these anywhere.
_BODY = '<main id="main" data-pagefind-body'
_PAGEFIND_ANYWHERE = re.compile(r"data-pagefind-(?!ignore|body)")
_HTML_TAG = re.compile(r"<html[^>]*>", re.IGNORECASE)
_FIRST_H1 = re.compile(r"<h1[^>]*>.*?</h1>", re.IGNORECASE | re.DOTALL)
_FIRST_IMG = re.compile(r"<img[^>]*>", re.IGNORECASE)
_TEXT_TYPES = ("xml", "json", "text/plain", "bibtex", "research-info-systems", "javascript")
# Archived pages are someone else's markup: the live site sends this policy as a header
# (sources/archive_views.py RAW_POLICY); a static host may not, so the page carries it.
_RAW_POLICY = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"\s*<!doctype[^>]*>", re.IGNORECASE)
_RAW_PATH = re.compile(r"^/sources/\d+/archive/\d+/raw/$")
# The site's 404 page, as static hosts look for it (nginx: error_page 404 /404.html).
NOT_FOUND_PAGE = "/404.html"
NOT_FOUND_PROBE = "/this-page-does-not-exist-briefdesk-bake/"
# Served from the copied static files and Pagefind's bundle, never rendered.
PROVIDED_PREFIXES = ("/static/", "/pagefind/")


@dataclass
class Result:
    url: str
    status: int
    file: str = ""
    sha256: str = ""
    written: bool = False
    links: set[str] = field(default_factory=set)
    html: bool = False
    ms: int = 0  # how long it took (the next bake starts the slowest first)
    search: str = ""  # an indexed page's search_digest: its shard is re-indexed when it changes


class Renderer:
    """Renders URLs into `outdir`; `old_hashes` maps a file to the hash it was written with
    (its bytes are not written again when they hash the same)."""

    def __init__(
        self, outdir: Path, plan: LinkPlan, old_hashes: dict[str, str], with_pdfs: bool = True
    ) -> None:
        self.outdir = outdir
        self.plan = plan
        self.old_hashes = old_hashes
        self.with_pdfs = with_pdfs
        self.secure = urlsplit(plan.site_base).scheme == "https"
        self.client = self.new_client()

    def new_client(self) -> Client:
        host = urlsplit(self.plan.site_base).netloc or "localhost"
        return Client(HTTP_HOST=host, raise_request_exception=False)

    def bake(self, url: str, kind: str = "other") -> Result:
        started = time.perf_counter()
        result = self._bake(url, kind)
        result.ms = round((time.perf_counter() - started) * 1000)
        return result

    def _bake(self, url: str, kind: str) -> Result:
        address = self.plan.address(url)
        if address is None or url.startswith(PROVIDED_PREFIXES):
            return Result(url, 0)
        if not self.with_pdfs and is_pdf(address.request):
            return Result(url, 0)
        file = self.plan.file_for(address.link)
        if url == SEARCH_PATH:
            status, content_type, body, location = 200, "text/html", self._search_page(), ""
        else:
            asked = NOT_FOUND_PROBE if url == NOT_FOUND_PAGE else address.request
            response = self.client.get(asked, secure=self.secure)
            status = response.status_code
            if url == NOT_FOUND_PAGE and status == 404:
                status = 200  # the site's own "not found" page, for the host to serve
            content_type = response.get("Content-Type", "")
            location = response.get("Location", "")
            if status != 200:
                body = b""
            elif getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            else:
                body = response.content
        result = Result(url, status, file)
        if status in (301, 302, 307, 308) and location:
            target = self.plan.local_path(location, address.request)
            target_address = self.plan.address(target) if target else None
            if target_address is None:
                return result
            result.links.add(target_address.request)
            link = self.plan.public(target_address.link)
            body = (
                f'<!doctype html><meta charset="utf-8"><link rel="canonical" href="{link}">'
                f'<meta http-equiv="refresh" content="0; url={link}">'
                f'<p><a href="{link}">{link}</a></p>'
            ).encode()
            status = result.status = 200
            content_type = "text/html"
        if status != 200:
            return result
        if content_type.startswith("text/html"):
            text = body.decode(response_charset(content_type))
            if _RAW_PATH.match(address.request):
                body = with_raw_policy(text).encode("utf-8")
            else:
                rewritten = rewrite_html(self._static_page(text, kind), address.request, self.plan)
                result.links = rewritten.found | result.links
                result.html = True
                body = rewritten.text.encode("utf-8")
                if kind in INDEXED_KINDS:
                    result.search = search_digest(rewritten.text)
        elif any(marker in content_type for marker in _TEXT_TYPES):
            rewritten_text = rewrite_text(body.decode(response_charset(content_type)), self.plan)
            result.links = rewritten_text.found
            body = rewritten_text.text.encode("utf-8")
        result.sha256 = digest(body)
        if self.old_hashes.get(file) != result.sha256 or not (self.outdir / file).exists():
            write_file(self.outdir, file, body)
            result.written = True
        return result

    def _static_page(self, html: str, kind: str) -> str:
        for pattern in _REMOVED:
            html = pattern.sub("", html)
        if not self.with_pdfs:
            for pattern in _PDF_LINKS:
                html = pattern.sub("", html)
        if kind in INDEXED_KINDS:
            html = _MAIN.sub('<main id="main" data-pagefind-body', html, count=1)
            html = _NOT_TEXT.sub(r'<\1 data-pagefind-ignore class="\2"', html)
        return html

    def _search_page(self) -> bytes:
        from django.contrib.auth.models import AnonymousUser
        from django.template.loader import render_to_string
        from django.test import RequestFactory

        host = urlsplit(self.plan.site_base).netloc or "localhost"
        request = RequestFactory(HTTP_HOST=host).get(SEARCH_PATH, secure=self.secure)
        request.user = AnonymousUser()
        return render_to_string("bake/search.html", {}, request=request).encode("utf-8")


def search_digest(html: str) -> str:
    """A hash of everything Pagefind may read of a baked page, so a re-run re-indexes a
    shard only when one of its pages reads differently to the search, not whenever the page
    changed (a brief's <main> is the brief alone: its More on This Topic, beside it, shows a
    renamed brief without changing what the search reads). Conservative: the whole indexed
    region (`<main data-pagefind-body>` to the last `</main>`), the <html> tag (language) and
    the page's first <h1> and <img> (Pagefind's default title and image); the whole page when
    it has no indexed region or a Pagefind attribute it reads from anywhere (meta, filter,
    sort) is outside it."""
    start = html.find(_BODY)
    end = html.rfind("</main>")
    if start < 0 or end < start:
        return digest(html.encode("utf-8"))
    if _PAGEFIND_ANYWHERE.search(html, 0, start) or _PAGEFIND_ANYWHERE.search(html, end):
        return digest(html.encode("utf-8"))
    parts = [html[start:end]]
    for pattern in (_HTML_TAG, _FIRST_H1, _FIRST_IMG):
        found = pattern.search(html)
        parts.append(found[0] if found else "")
    return digest("\x00".join(parts).encode("utf-8"))


def with_raw_policy(html: str) -> str:
    """Archived HTML carrying the no-script policy first thing in its head (after the doctype,
    so the page keeps its rendering mode)."""
    found = _HEAD.search(html) or _DOCTYPE.match(html)
    at = found.end() if found else 0
    return html[:at] + _RAW_POLICY + html[at:]


def response_charset(content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type)
    return match[1] if match else "utf-8"

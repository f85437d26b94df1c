"""The demo's local copies of the pages its sources cite, and what becomes of them. No ORM here.

    site = DemoSite.from_content(data)          # content.json, parsed
    site.page(url)                              # a Page: content type and bytes, as first read
    site.later(url)                             # what the URL answers when the link check runs

Every demo source names an invented URL on a real site (https://www.reuters.com/article/...).
The demo never reaches those sites: it serves a copy of each page from this machine
(localcopies.py) and captures it through the real fetcher. The copies are written for the demo:
a page's title, outlet, authors and date come from its source record, its paragraphs from
pages/articles.json (the pages the demo's quotes and drifted sources need, written by hand) or,
for the rest, from a few paragraphs of stock text chosen by the source's key, so the same
content always gives the same bytes. Each page carries the metadata real pages do (Highwire
`citation_*`, OpenGraph, a canonical link), and says in its last line that it is a demo copy.
Sources of a report or document kind whose URL names a PDF are served as PDFs (WeasyPrint,
made once per process).

LATER says what the demo's link check finds, so Source health shows every state: a few pages
gone (404, 410), two drifted (the address now carries other text), two moved (301 to the
same text elsewhere), one soft-404 (a "page not found" page answered with 200); the rest are
unchanged. EXPECTED_STATES is that table as link-health states, for the tests.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ARTICLES = Path(__file__).with_name("pages") / "articles.json"
PDF = "application/pdf"
HTML = "text/html; charset=utf-8"
DEMO_NOTE = (
    "Demo copy: this page was written for the briefdesk demo and is served from the machine "
    "that loaded it. It is not the publisher's text."
)


@dataclass(frozen=True)
class Page:
    """One local copy: a status, a content type and the bytes, or a redirect."""

    status: int = 200
    content_type: str = HTML
    body: bytes = b""
    location: str = ""  # a redirect's target, absolute


@dataclass(frozen=True)
class Later:
    """What a URL does by the time of the demo's link check."""

    state: str  # the link-health state it should be found in
    status: int = 200
    moved_to: str = ""  # 301 to this URL, which serves the same page


# Source key -> what its URL does when the link check runs. Everything else is unchanged.
LATER: dict[str, Later] = {
    # Gone: a wire agency's old article address, a retired blog, a deleted post.
    "reuters-pak-condemns": Later("gone", 404),
    "afpak-cables-post": Later("gone", 410),
    "whitlock-post-paperwork": Later("gone", 404),
    # Drifted: the address now carries other text.
    "bbc-pakistan-reaction": Later("drifted"),
    "whitehouse-review-summary": Later("drifted"),
    # Moved for good, the same text at a new address.
    "afpak-torkham-post": Later(
        "redirected",
        moved_to="https://foreignpolicy.com/2010/10/04/torkham-is-about-signals-not-supplies/",
    ),
    "state-vienna-briefing": Later(
        "redirected", moved_to="https://2009-2017.state.gov/r/pa/prs/dpb/2011/02/156592.htm"
    ),
    # A database record that answers 200 with a "not found" page.
    "iaea-reactor-database": Later("soft-404"),
}
EXPECTED_STATES = {key: later.state for key, later in LATER.items()}

_STOCK: dict[str, list[str]] = {
    "news": [
        "Officials in Islamabad and Washington were careful in public to play down any sign "
        "of strain, though several acknowledged privately that the week had been difficult.",
        "Diplomats said the coming months would test whether the two governments could keep "
        "their cooperation on Afghanistan separate from disputes over aid and sovereignty.",
        "A spokesman for the Pakistani military declined to comment, saying the army's "
        "position had been set out in earlier statements.",
        "Analysts in Lahore said public opinion had hardened, with television debates "
        "returning again and again to the question of how far the country's leaders could "
        "rely on American promises.",
        "Western officials said the immediate priority was to keep supply routes open and "
        "to avoid steps that could be read in Pakistan as a public rebuke.",
        "The episode adds to a long list of irritants in a relationship that both sides "
        "describe as essential and neither describes as easy.",
        "Aid groups working in the region said delays in funding had already forced them to "
        "scale back programmes, and warned that the effects would be felt for months.",
        "Members of Congress from both parties called for closer scrutiny of the assistance "
        "programme, while the administration urged patience.",
    ],
    "document": [
        "This document sets out the background to the matter, the main findings and the "
        "steps recommended to the agencies concerned.",
        "The findings rest on a review of program records, interviews with officials in "
        "Washington and in the field, and site visits where security permitted.",
        "Officials told reviewers that reporting requirements had improved, but that "
        "information on the final use of funds remained incomplete.",
        "The department concurred with the recommendations and described steps already "
        "under way to address them.",
        "Figures are given in current U.S. dollars for the fiscal years shown, and may not "
        "add to totals because of rounding.",
        "Further detail is provided in the appendices, which list the programs reviewed and "
        "the officials consulted.",
    ],
    "talk": [
        "The conversation turned first to what had changed over the past year, and what the "
        "guests expected in the months ahead.",
        "Asked whether the policy was working, one guest said the honest answer was that it "
        "was too early to tell, and that the signs pointed in both directions.",
        "The discussion closed on the question of trust, which every participant described "
        "as the scarcest resource in the relationship.",
    ],
}
_FAMILY = {
    "news_article": "news",
    "op_ed": "news",
    "magazine_article": "news",
    "blog_post": "news",
    "web_page": "document",
    "report": "document",
    "government_document": "document",
    "diplomatic_cable": "document",
    "journal_article": "document",
    "speech": "talk",
    "interview": "talk",
    "broadcast": "talk",
}


def is_pdf_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(".pdf") or "/pdf/" in path


def _names(authors: Sequence[Mapping[str, str]]) -> list[tuple[str, str]]:
    """(display name, "Family, Given" for Highwire) of each author."""
    out = []
    for author in authors:
        if author.get("literal"):
            out.append((author["literal"], author["literal"]))
        else:
            given, family = author.get("given", ""), author.get("family", "")
            out.append((f"{given} {family}".strip(), f"{family}, {given}".strip(", ")))
    return out


def _pick(key: str, pool: Sequence[str], n: int) -> list[str]:
    """n paragraphs of `pool`, always the same ones for the same key."""
    seed = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    start = seed % len(pool)
    return [pool[(start + i) % len(pool)] for i in range(min(n, len(pool)))]


def _lede(row: Mapping[str, Any], outlet: str) -> str:
    title = (row.get("title_apa") or row["title"]).rstrip(".")
    kind = row.get("kind", "")
    if kind == "social_media_post":
        return row["title"]
    if kind in ("interview", "broadcast", "speech"):
        return f"A transcript of “{row['title']}”, as published by {outlet or 'its publisher'}."
    if _FAMILY.get(kind) == "document":
        return f"{row['title']}: summary."
    return f"{title[0].upper()}{title[1:]}."


def _date_parts(issued: str) -> tuple[str, str]:
    """(Highwire date "2010/11/29", ISO date) of a CSL-ish issued value (may be partial)."""
    parts = [p for p in (issued or "").split("-") if p]
    return "/".join(parts), "-".join(parts)


class DemoSite:
    """Every demo page by URL, built from content.json's sources and outlets."""

    def __init__(
        self,
        sources: Sequence[Mapping[str, Any]],
        outlets: Mapping[str, Mapping[str, Any]],
        articles: Mapping[str, Any],
    ) -> None:
        self.rows = {row["url"]: row for row in sources if row.get("url")}
        self.by_key = {row["key"]: row for row in self.rows.values()}
        self.outlets = outlets
        self.articles = articles
        # Where a moved page now lives: the same page at the new URL.
        self.moved = {later.moved_to: key for key, later in LATER.items() if later.moved_to}

    @classmethod
    def from_content(cls, data: Mapping[str, Any], articles: Path = ARTICLES) -> DemoSite:
        outlets = {row["key"]: row for row in data["outlets"]}
        return cls(data["sources"], outlets, json.loads(articles.read_text(encoding="utf-8")))

    def urls(self) -> list[str]:
        return sorted(self.rows)

    def hosts(self) -> list[str]:
        """Every host name a demo page is served under (the certificate must name each)."""
        urls = list(self.rows) + list(self.moved)
        return sorted({urlsplit(url).hostname or "" for url in urls} - {""})

    # -- what is served ----------------------------------------------------------------

    def page(self, url: str) -> Page | None:
        """The page at `url` as first read (the capture), or None: not a demo page."""
        row = self.rows.get(url)
        if row is None:
            key = self.moved.get(url)
            return self.page(self.by_key[key]["url"]) if key else None
        if is_pdf_url(url) and row.get("kind") in ("report", "government_document"):
            return Page(content_type=PDF, body=_pdf(self.html(row, for_pdf=True)))
        return Page(body=self.html(row).encode("utf-8"))

    def later(self, url: str) -> Page | None:
        """The page at `url` when the link check runs (None: not a demo page)."""
        row = self.rows.get(url)
        later = LATER.get(row["key"]) if row else None
        if row is None or later is None:
            return self.page(url)
        if later.state == "gone":
            body = f"<!doctype html><title>{later.status}</title><h1>Not here</h1>"
            return Page(status=later.status, body=body.encode())
        if later.moved_to:
            return Page(status=301, location=later.moved_to)
        if later.state == "soft-404":
            return Page(body=self._not_found(row).encode("utf-8"))
        now = self.articles[row["key"]]["now"]
        return Page(body=self.html(row, text=now).encode("utf-8"))

    # -- HTML ------------------------------------------------------------------------------

    def html(
        self,
        row: Mapping[str, Any],
        *,
        text: Mapping[str, Any] | None = None,
        for_pdf: bool = False,
    ) -> str:
        """The page of a source: its own text, or `text` (title and paragraphs) instead."""
        outlet_row = self.outlets.get(row.get("outlet") or "") or {}
        outlet = outlet_row.get("name") or row.get("publisher") or ""
        written = text or self.articles.get(row["key"])
        title = (text or {}).get("title") or row["title"]
        if written:
            paragraphs = list(written["paragraphs"])
            dateline = written.get("dateline", "")
            if dateline and paragraphs:
                paragraphs[0] = f"{dateline} — {paragraphs[0]}"
        else:
            family = _FAMILY.get(row.get("kind", ""), "news")
            paragraphs = [_lede(row, outlet), *_pick(row["key"], _STOCK[family], 3)]
        names = _names(row.get("authors") or [])
        highwire, iso = _date_parts(row.get("issued") or "")
        e = functools.partial(html.escape, quote=True)
        meta = [
            ("name", "citation_title", row["title"]),
            *(("name", "citation_author", hw) for _, hw in names),
            ("name", "citation_publication_date", highwire),
            ("name", "citation_publisher", row.get("publisher") or outlet),
            ("name", "description", paragraphs[0][:200]),
            ("name", "author", ", ".join(n for n, _ in names)),
            ("property", "og:title", row["title"]),
            ("property", "og:site_name", outlet),
            ("property", "og:type", "article"),
            ("property", "og:url", row["url"]),
            ("property", "og:description", paragraphs[0][:200]),
            ("property", "article:published_time", iso),
        ]
        if row.get("kind") in ("journal_article", "magazine_article"):
            meta.append(("name", "citation_journal_title", outlet))
        if row.get("number"):
            meta.append(("name", "citation_technical_report_number", row["number"]))
        if urlsplit(row["url"]).hostname == "doi.org":
            meta.append(("name", "citation_doi", urlsplit(row["url"]).path.lstrip("/")))
        if is_pdf_url(row["url"]):
            meta.append(("name", "citation_pdf_url", row["url"]))
        head = "\n".join(
            f'<meta {attr}="{e(name)}" content="{e(value)}">' for attr, name, value in meta if value
        )
        byline = ", ".join(n for n, _ in names)
        when = row.get("issued") or ""
        shown = " · ".join(p for p in (byline and f"By {byline}", when) if p)
        body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
        style = (
            "body{font-family:serif;max-width:40em;margin:2em auto;line-height:1.5}"
            ".site{font:bold 1.2em sans-serif;border-bottom:2px solid #333}"
            ".note{font-size:.8em;color:#555}"
        )
        if for_pdf:
            style += "@page{size:A4;margin:2.5cm}"
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{e(title)}{' | ' + e(outlet) if outlet and not text else ''}</title>\n"
            f'<link rel="canonical" href="{e(row["url"])}">\n{head}\n<style>{style}</style>\n'
            f'</head><body><header><p class="site">{e(outlet)}</p></header>\n'
            f"<main><article><h1>{e(title)}</h1>\n"
            f'<p class="byline">{e(shown)}</p>\n{body}\n'
            f'<p class="note">{e(DEMO_NOTE)}</p></article></main></body></html>\n'
        )

    def _not_found(self, row: Mapping[str, Any]) -> str:
        outlet = (self.outlets.get(row.get("outlet") or "") or {}).get("name", "")
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Page Not Found | {html.escape(outlet)}</title></head><body>"
            "<h1>Page not found</h1><p>The record you asked for is no longer available. "
            "It may have been moved or deleted.</p></body></html>\n"
        )


@functools.cache
def _pdf(page_html: str) -> bytes:
    """The page as a PDF (WeasyPrint; title, author and description go to its document
    information). Made once per process for the same HTML."""
    from weasyprint import HTML as WeasyHTML

    return WeasyHTML(string=page_html).write_pdf()

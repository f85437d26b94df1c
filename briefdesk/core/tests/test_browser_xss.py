"""The XSS corpus (tests/xss_vectors.py) in every field an author, an editor or an import can
fill, with every rendered surface opened in real Chromium: public pages, the Cite dialog and
the Sources style switch, search, and — logged in as an editor — the admin listings, edit
forms, previews, the choosers, the history and the import preview. On every surface: no
`__xss` call, no dialog, no Content-Security-Policy violation, no injected element carrying a
marker, no injected handler or script URL, no evaluated template, and the JSON-LD parses.

The corpus is dealt out by field *kind* (tests.xss_vectors.Feed): every vector goes through
each kind — plain text, StreamField text, rich text, citeproc-js formatting, each importer, a
URL, a search query — at least once, though not through every field of that kind; that
keeps the site to a few records and the module well under a minute and a half.

Each stored value starts with a tag (`zz<code>zz`); the tags found on each surface give the
measured (field x surface) coverage, printed with the vector count (`pytest -s`) and
asserted. All requests are sequential: the in-memory SQLite of `live_server` shares one
connection between the server's threads, so a background admin request still running when
the next page loads fails with "database table is locked"."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Frame, Page, Request, Route, expect

from tests.xss_vectors import (
    EVALUATED_TEMPLATE,
    MARKER_SELECTOR,
    Feed,
    Vector,
    generate_vectors,
    pack,
    without_whitespace,
)

VECTORS = generate_vectors()
_TAG = re.compile(r"zz([a-z0-9]+)zz", re.I)
# BibTeX reads braces, backslashes, %, @ and # as syntax; RIS reads a line break as a new tag.
ONE_LINE = [v for v in VECTORS if not re.search(r"[\n\r\u2028\u2029]", v.text)]
BIBTEX_SAFE = [v for v in ONE_LINE if not re.search(r"[{}\\%@#]", v.text)]
# Raw javascript:/data:/vbscript: URLs (the "bare" URL vectors), for rich-text links.
SCRIPT_URLS = [v for v in VECTORS if v.recipe.endswith("/bare")]

# Collected in every frame: marker elements, injected handlers or script URLs, evaluated
# templates, unparsable JSON-LD, CSP violations; and the field tags the frame shows.
# An <a> whose only mark is an author-chosen `id="xss-N"` is reported apart ("clobber"): rich
# text kept ids on links (see test_stored_rich_text_links_cannot_carry_ids_that_clobber_the_page).
INSPECT = """
([selector, evaluated]) => {
  const found = [], clobber = [];
  // The element, and the field it came from: the tag (zz<code>zz) nearest above it.
  const cut = (el) => {
    let up = el, field = null;
    for (let i = 0; up && i < 5 && !field; i++, up = up.parentElement) {
      field = (up.textContent || '').match(/zz([a-z0-9]+)zz/i);
    }
    return el.outerHTML.slice(0, 160) + (field ? ' [field ' + field[1] + ']' : '');
  };
  for (const el of document.querySelectorAll(selector)) {
    const onlyId = el.tagName === 'A' && !el.hasAttribute('data-xss')
      && !el.classList.contains('xssmark') && ![...el.attributes].some(
        (a) => a.name !== 'id' && /xss/i.test(a.value));
    (onlyId ? clobber : found).push('marker: ' + cut(el));
  }
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'background', 'poster',
                    'xlink:href'];
  // A value the browser would follow to anything but http(s), mailto or this page's own
  // scheme; `&#106;avascript:` kept as text is a harmless relative URL.
  const scheme = (value) => {
    try { return new URL(value, document.baseURI).protocol; } catch (e) { return 'invalid:'; }
  };
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (!/xss/i.test(a.value)) continue;
      if (name.startsWith('on')) found.push('handler: ' + cut(el));
      else if (urlAttrs.includes(name) && !['http:', 'https:', 'mailto:', 'about:', 'invalid:']
        .includes(scheme(a.value))) found.push('url: ' + cut(el));
    }
  }
  const text = document.body ? document.body.innerText : '';
  const m = text.match(new RegExp(evaluated));
  if (m) found.push('evaluated template: ' + m[0]);
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { JSON.parse(s.textContent); } catch (e) { found.push('JSON-LD: ' + e.message); }
  }
  for (const v of (window.__cspViolations || [])) found.push('CSP violation: ' + v);
  window.__cspViolations = [];
  const html = document.documentElement ? document.documentElement.outerHTML : '';
  const tags = [...new Set((html + ' ' + document.title).match(/zz[a-z0-9]+zz/gi) || [])];
  return {found, clobber, tags};
}
"""
# A script the page cannot see being blocked is still markup that got through: record it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  if (/script/.test(e.effectiveDirective)) {
    window.__cspViolations.push(e.effectiveDirective + ' ' + (e.sample || e.blockedURI));
  }
});
"""
# One frame and one task later; a page that never paints (a vector broke it) still settles.
SETTLE = """() => new Promise((r) => {
  setTimeout(r, 500);
  requestAnimationFrame(() => setTimeout(r, 0));
})"""


def vector_ids(text: str) -> set[int]:
    """The vector numbers a problem line names (`__xss(N)`, `data-xss="N"`, `xss-N`)."""
    return {int(n) for n in re.findall(r"(?:xss\(|data-xss=\"?|xss-)(\d+)", text)}


def describe(problem: str) -> str:
    """A problem line with the vectors it names, so a failure says what got through."""
    by_id = {v.id: v for v in VECTORS}
    named = [by_id[n] for n in sorted(vector_ids(problem)) if n in by_id]
    return problem + "".join(f"\n      vector {v.id} ({v.context}: {v.recipe})" for v in named)


# --- the corpus -------------------------------------------------------------------------


def test_the_corpus_has_at_least_300_distinct_numbered_vectors_in_every_context() -> None:
    texts = [v.text for v in VECTORS]
    assert len(VECTORS) >= 300
    assert len(set(texts)) == len(texts)
    assert [v.id for v in VECTORS] == list(range(1, len(VECTORS) + 1))
    contexts = {v.context for v in VECTORS}
    assert contexts >= {
        "html", "attribute", "url", "css", "script-data", "citeproc", "template", "polyglot",
        "encoded",
    }  # fmt: skip
    for v in VECTORS:  # each names its own number, as a call or as a marker (or in base64)
        assert str(v.id) in v.text or "base64" in v.recipe, v
    # A feed deals every vector once before repeating, whatever the field sizes.
    feed = Feed("test", VECTORS)
    chunks = [feed.take(limit, tag="zzxzz") for limit in (255, 1000, 40, 500) * 20]
    assert not feed.missing
    assert all(len(c) <= limit for c, limit in zip(chunks, (255, 1000, 40, 500) * 20, strict=True))
    assert len(SCRIPT_URLS) == 16 and len(BIBTEX_SAFE) >= 250
    print(f"\nXSS corpus: {len(VECTORS)} vectors")


# --- watching a page --------------------------------------------------------------------


@dataclass
class Watch:
    """Records `__xss` calls, dialogs and CSP violations on a page, keeps its requests
    sequential, and inspects its frames."""

    page: Page
    calls: list[Any] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clobbered: list[str] = field(default_factory=list)
    coverage: dict[str, set[str]] = field(default_factory=dict)
    inflight: dict[Request, str] = field(default_factory=dict)
    timings: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        page = self.page
        page.set_default_timeout(15_000)  # a page a vector broke fails, rather than hangs
        page.expose_function("__xss", lambda n=None: self.calls.append(n))
        page.add_init_script(CSP_LISTENER)

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("request", lambda r: self.inflight.__setitem__(r, r.url))

        def on_request_done(request: Request) -> None:
            self.inflight.pop(request, None)

        page.on("requestfinished", on_request_done)
        page.on("requestfailed", on_request_done)
        # No network: the admin's Gravatar images, and anything a vector points outside.
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"), _abort)

    def idle(self, timeout: float = 20.0) -> None:
        """Wait until no request of this page is open (the server finished answering)."""
        deadline = time.monotonic() + timeout
        while self.inflight:
            assert time.monotonic() < deadline, (
                f"requests still open: {list(self.inflight.values())}"
            )
            self.page.wait_for_timeout(15)

    def settle(self) -> None:
        """Let load handlers, failed images, autofocus and timers of this turn run."""
        self.page.wait_for_load_state("load")
        self.idle()
        self.page.evaluate(SETTLE)
        self.idle()

    def check(self, surface: str) -> None:
        """Inspect every frame; record problems and which field tags the surface shows."""
        self.settle()
        tags: set[str] = set()
        for frame in self.page.frames:
            result = self._inspect(frame)
            self.problems += [f"{surface}: {p}" for p in result["found"]]
            self.clobbered += [f"{surface}: {p}" for p in result["clobber"]]
            tags |= {t.lower()[2:-2] for t in result["tags"]}
        self.coverage.setdefault(surface, set()).update(tags)
        self.problems += [f"{surface}: __xss({n}) ran" for n in self.calls]
        self.problems += [f"{surface}: dialog {d}" for d in self.dialogs]
        self.calls.clear()
        self.dialogs.clear()

    @staticmethod
    def _inspect(frame: Frame) -> dict[str, list[str]]:
        try:
            if frame.parent_frame is not None:
                # A frame whose javascript: or data: URL was refused never gets a document
                # (evaluate would wait forever); its element is inspected in the parent.
                frame.wait_for_load_state("domcontentloaded", timeout=3000)
            return frame.evaluate(INSPECT, [MARKER_SELECTOR, EVALUATED_TEMPLATE.pattern])
        except Exception as exc:  # a detached frame is gone, and so is whatever it held
            if re.search(r"detached|destroyed|Timeout", str(exc)):
                return {"found": [], "clobber": [], "tags": []}
            raise

    def visit(self, url: str, surface: str) -> None:
        """Open `url` once every earlier request has been answered, and check it."""
        self.idle()
        start = time.monotonic()
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (
            f"{surface}: HTTP {response and response.status} for {url}"
        )
        self.check(surface)
        self.timings.append((time.monotonic() - start, surface))


def _abort(route: Route) -> None:
    route.abort()


def assert_clean(*watches: Watch) -> None:
    problems = [p for w in watches for p in w.problems]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(
        describe(p) for p in problems[:30]
    )


# --- the sanity check: the detectors see a real injection ------------------------------


@pytest.mark.browser
def test_the_detectors_see_a_script_run_a_dialog_open_and_an_injected_element(
    page: Page,
) -> None:
    watch = Watch(page)
    by_recipe = {v.recipe: v for v in VECTORS}
    live = [by_recipe[r] for r in ("element[0]", "element[1]", "element[3]", "element[11]")]
    escaped = [v.text.replace("&", "&amp;").replace("<", "&lt;") for v in VECTORS]
    page.set_content(
        "<!doctype html><title>t</title><body><p>"
        + "".join(escaped)  # every vector as escaped text: nothing may fire
        + "</p></body>"
    )
    watch.check("escaped corpus")
    assert watch.problems == []

    page.set_content("<!doctype html><title>t</title><body>" + "".join(v.text for v in live))
    page.evaluate("() => { alert('boom'); }")
    watch.check("raw vectors")
    ran = {int(p.split("__xss(")[1].split(")")[0]) for p in watch.problems if "__xss(" in p}
    assert ran >= {v.id for v in live}, watch.problems
    assert any("dialog alert: boom" in p for p in watch.problems)
    assert any("marker:" in p for p in watch.problems)
    assert any("handler:" in p for p in watch.problems)
    assert "vector 2 (html: element[1])" in describe(watch.problems[0] + " __xss(2)")

    # Inside a frame too, and a script URL on a link; an id-only link is a clobber.
    watch.problems.clear()
    page.set_content(
        '<iframe srcdoc="<p class=xssmark>x</p><a href=javascript:__xss(1)>y</a>"></iframe>'
        '<a id="xss-9">z</a>'
    )
    page.frames[-1].wait_for_load_state()
    watch.check("frame")
    assert any("marker:" in p for p in watch.problems)
    assert any("url:" in p for p in watch.problems)
    assert watch.clobbered == ['frame: marker: <a id="xss-9">z</a>']

    # A template a server evaluated, broken JSON-LD, and an inline script a CSP blocked.
    watch.problems.clear()
    page.set_content("<p>xss-eval-7:49</p><script type='application/ld+json'>{\"a\": </script>")
    watch.check("template")
    assert any("evaluated template" in p for p in watch.problems)
    assert any("JSON-LD" in p for p in watch.problems)
    watch.problems.clear()
    page.route("http://csp.test/", lambda r: r.fulfill(
        body="<img src=x onerror=__xss(5)>",
        headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
    ))  # fmt: skip
    page.goto("http://csp.test/")
    watch.check("csp")
    assert any("CSP violation: script-src" in p for p in watch.problems), watch.problems


# --- the site, with the corpus in every field -------------------------------------------


@dataclass
class CorpusSite:
    tree: Any
    brief: Any
    related: Any
    authors: list[Any]
    topics: list[Any]
    sources: list[Any]
    imported: dict[str, list[Any]]
    outlets: list[Any]
    fields: set[str]
    feeds: dict[str, Feed]


class Feeds(dict[str, Feed]):
    """One Feed per field kind, and the field codes handed out."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: set[str] = set()

    def take(self, kind: str, code: str, limit: int | None = None, **kwargs: Any) -> str:
        if kind not in self:
            self[kind] = Feed(kind, KIND_VECTORS.get(kind, VECTORS))
        self.fields.add(code)
        return self[kind].take(limit, tag=f"zz{code}zz", **kwargs)


KIND_VECTORS: dict[str, list[Vector]] = {
    "url path": without_whitespace(VECTORS),
    "ris import": ONE_LINE,
    "bibtex import": BIBTEX_SAFE,
    "rich-text link": SCRIPT_URLS,
}


def _contentstate(texts: list[str], urls: list[str]) -> str:
    """Rich text as the admin's editor stores it: every text a paragraph, the first one plain
    (it holds the field's tag), the others bold at the start and linked to `urls` in turn
    (Wagtail's converter decides what a link may point to)."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    blocks, entities = [], {}
    for i, text in enumerate(texts):
        styles, ranges = [], []
        if i:
            styles = [{"offset": 0, "length": 4, "style": "BOLD"}]
        if 0 < i <= len(urls):
            entities[str(i)] = {
                "type": "LINK",
                "mutability": "MUTABLE",
                "data": {"url": urls[i - 1]},
            }
            ranges = [{"offset": 0, "length": min(len(text), 10), "key": i}]
        blocks.append(
            {
                "key": f"k{i}",
                "type": "unstyled",
                "depth": 0,
                "text": text,
                "inlineStyleRanges": styles,
                "entityRanges": ranges,
            }
        )
    state = json.dumps({"blocks": blocks, "entityMap": entities})
    return ContentstateConverter(features=["bold", "italic", "link"]).to_database_format(state)


def _rich_text(feeds: Feeds, code: str) -> str:
    """Every vector as authored text, and every script URL as a link."""
    text = feeds.take("rich text", code)
    urls = [v.text for v in KIND_VECTORS["rich-text link"]]
    feeds.take("rich-text link", code)
    return _contentstate([f"zz{code}zz", *_split(text.removeprefix(f"zz{code}zz"))], urls)


def _each(feeds: Feeds, kind: str) -> list[Vector]:
    """Every vector of `kind`, each on its own (recorded as given)."""
    feed = feeds.setdefault(kind, Feed(kind, KIND_VECTORS.get(kind, VECTORS)))
    feed.given |= {v.id for v in feed.vectors}
    return feed.vectors


def _split(text: str, size: int = 1500) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _web_url(feeds: Feeds, code: str, limit: int) -> str:
    """An http(s) URL the validator accepts, with whitespace-free vectors as its path."""
    base = f"https://xss.example/zz{code}zz/"
    feeds.fields.add(code)
    if "url path" not in feeds:
        feeds["url path"] = Feed("url path", KIND_VECTORS["url path"])
    return base + feeds["url path"].take(limit - len(base), sep="/")


def _import(text: str) -> list[Any]:
    """Through the real parser and the all-or-nothing apply step."""
    from briefdesk.importers.apply import import_entries
    from briefdesk.importers.references import parse_references
    from briefdesk.sources.models import Source

    report = import_entries(parse_references(text).entries)
    assert report.ok, [r.as_line() for r in report.results]
    ids = [r.source_id for r in report.results if r.source_id]
    return list(Source.objects.filter(pk__in=ids).order_by("pk"))


def csl_json(feeds: Feeds, kind: str, prefix: str, *, url: bool = True) -> str:
    """CSL-JSON entries until every vector went in (and whitespace-free ones in URLs)."""
    items: list[dict[str, Any]] = []
    while not items or feeds[kind].missing:
        i = len(items)
        items.append(
            {
                "id": feeds.take(kind, f"{prefix}id", 100),
                "type": "report",
                "title": feeds.take(kind, f"{prefix}ti", 1000),
                "container-title": feeds.take(kind, f"{prefix}ct", 1000),
                # The publisher becomes the outlet's name (255 characters).
                "publisher": feeds.take(kind, f"{prefix}pb", 255),
                "publisher-place": feeds.take(kind, f"{prefix}pl", 255),
                "genre": feeds.take(kind, f"{prefix}ge", 255),
                "note": feeds.take(kind, f"{prefix}no", 1000),
                "collection-title": feeds.take(kind, f"{prefix}co", 1000),
                "original-title": feeds.take(kind, f"{prefix}or", 1000),
                "archive": feeds.take(kind, f"{prefix}ar", 500),
                "event-place": feeds.take(kind, f"{prefix}ev", 255),
                "edition": feeds.take(kind, f"{prefix}ed", 255),
                "volume": feeds.take(kind, f"{prefix}vo", 255),
                "medium": feeds.take(kind, f"{prefix}me", 255),
                "number": feeds.take(kind, f"{prefix}nu", 255),
                "author": [
                    {"family": feeds.take(kind, f"{prefix}fa", 255), "given": "A"},
                    {"literal": feeds.take(kind, f"{prefix}li", 255)},
                ],
                "editor": [{"family": feeds.take(kind, f"{prefix}ef", 255), "given": "E"}],
                **({"URL": _web_url(feeds, f"{prefix}url", 2000)} if url else {}),
                "issued": {"date-parts": [[2000 + i, 1]]},
            }
        )
    return json.dumps(items)


def ris(feeds: Feeds) -> str:
    lines: list[str] = []
    while "ris import" not in feeds or feeds["ris import"].missing:
        lines += [
            "TY  - RPRT",
            f"TI  - {feeds.take('ris import', 'risti', 1000)}",
            f"AU  - {feeds.take('ris import', 'risau', 200)}, Given",
            f"PB  - {feeds.take('ris import', 'rispb', 255)}",
            f"CY  - {feeds.take('ris import', 'riscy', 255)}",
            f"T3  - {feeds.take('ris import', 'rist3', 1000)}",
            f"ST  - {feeds.take('ris import', 'risst', 255)}",
            f"VL  - {feeds.take('ris import', 'risvl', 255)}",
            f"A2  - {feeds.take('ris import', 'risa2', 200)}, Editor",
            f"PY  - {2011 + len(lines)}",
            "ER  - ",
            # A report's T2 is its series; an article's is its journal (shown as the outlet).
            "TY  - JOUR",
            f"TI  - {feeds.take('ris import', 'risjt', 1000)}",
            f"T2  - {feeds.take('ris import', 'rist2', 255)}",
            f"PY  - {2011 + len(lines)}",
            "ER  - ",
        ]
    return "\n".join(lines) + "\n"


def bibtex(feeds: Feeds) -> str:
    entries: list[str] = []
    while "bibtex import" not in feeds or feeds["bibtex import"].missing:
        n = len(entries)
        entries.append(
            f"@techreport{{bib-xss-{n},\n"
            f"  title = {{{feeds.take('bibtex import', 'bibti', 1000)}}},\n"
            f"  institution = {{{feeds.take('bibtex import', 'bibin', 255)}}},\n"
            f"  address = {{{feeds.take('bibtex import', 'bibad', 255)}}},\n"
            f"  note = {{{feeds.take('bibtex import', 'bibno', 1000)}}},\n"
            f"  series = {{{feeds.take('bibtex import', 'bibse', 1000)}}},\n"
            f"  type = {{{feeds.take('bibtex import', 'bibty', 255)}}},\n"
            f"  number = {{{feeds.take('bibtex import', 'bibnu', 255)}}},\n"
            f"  edition = {{{feeds.take('bibtex import', 'bibed', 255)}}},\n"
            f"  author = {{{feeds.take('bibtex import', 'bibau', 200)} and Other, Given}},\n"
            f"  year = {{{2012 + n}}}\n}}\n"
        )
    return "\n".join(entries)


@contextmanager
def timed(label: str, times: dict[str, float]) -> Iterator[None]:
    start = time.monotonic()
    yield
    times[label] = time.monotonic() - start
    print(f"\n{label}: {times[label]:.1f}s", end="")


def build_corpus_site() -> CorpusSite:
    """A few records carrying the corpus: every vector through every field kind (plain
    text, StreamField text, rich text and its links, citeproc-js, each importer, URLs), and
    a slice of it through every other field. One live brief cites every source."""
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from briefdesk.briefs.models import AuthorPage
    from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
    from briefdesk.sources.models import Outlet, Source
    from briefdesk.topics.models import TopicGuidePage
    from tests.factories import cite, make_brief, make_site_tree

    ensure_migrated_data()
    feeds = Feeds()
    text = feeds.take

    tree = make_site_tree()
    tree.home.tagline = text("text", "tagline", 255)
    tree.home.save_revision().publish()

    topics = []
    for i in range(2):
        topic = TopicGuidePage(
            title=text("text", "toptitle", 255),
            slug=f"xss-topic-{i}",
            label=text("text", "toplabel", 60),
            introduction=_rich_text(feeds, "topintro"),
            show_in_menus=True,
        )
        tree.topics.add_child(instance=topic)
        topic.save_revision().publish()
        topics.append(topic)

    authors = []
    for i in range(2):
        author = AuthorPage(
            title=text("text", "authtitle", 255),
            slug=f"xss-author-{i}",
            given_name=text("text", "given", 255),
            family_name=text("text", "family", 255),
            role=text("text", "role", 255),
            bio=_rich_text(feeds, "bio"),
        )
        tree.authors.add_child(instance=author)
        author.save_revision().publish()
        authors.append(author)

    outlets = []
    for _ in range(2):
        outlet = Outlet(
            name=text("text", "outname", 255),
            short_label=text("text", "outlabel", 40),
            home_url=_web_url(feeds, "outurl", 500),
        )
        outlet.full_clean()
        outlet.save()
        outlets.append(outlet)

    # Every source field citeproc-js formats (and those it does not), until every vector
    # went through the engine.
    sources: list[Any] = []
    while "citeproc" not in feeds or feeds["citeproc"].missing or len(sources) < 2:
        c = "citeproc"
        source = Source(
            kind=("news_article", "report")[len(sources) % 2],
            outlet=outlets[len(sources) % 2],
            title=text(c, "srctitle", 1000),
            title_apa=text(c, "srcapa", 1000),
            container_title=text(c, "srccont", 1000),
            publisher=text(c, "srcpub", 500),
            publisher_place=text(c, "srcplace", 255),
            genre=text(c, "srcgenre", 255),
            medium=text(c, "srcmedium", 255),
            number=text(c, "srcnumber", 255),
            citation_key=text(c, "srckey", 255),
            label=text(c, "srclabel", 40),
            url=_web_url(feeds, "srcurl", 2000),
            issued="2010-11-29",
            authors=[
                {"family": text(c, "srcfam", 255), "given": text(c, "srcgiven", 255)},
                {"literal": text(c, "srclit", 255)},
            ],
            csl_extra={
                "note": text(c, "xnote", 1000),
                "abstract": text(c, "xabstract", 1000),
                "collection-title": text(c, "xcoll", 1000),
                "archive": text(c, "xarchive", 500),
                "event-place": text(c, "xevent", 255),
                "volume": text(c, "xvolume", 255),
                "edition": text(c, "xedition", 255),
                "original-title": text(c, "xorig", 1000),
                "editor": [{"family": text(c, "xedfam", 255), "given": "E"}],
            },
        )
        source.full_clean()  # what the admin form and the importers would accept
        source.save()
        sources.append(source)

    imported = {
        "CSL-JSON": _import(csl_json(feeds, "csl-json import", "csl")),
        "RIS": _import(ris(feeds)),
        "BibTeX": _import(bibtex(feeds)),
    }

    image = Image.objects.create(
        title=text("text", "imgtitle", 255),
        file=get_test_image_file(),
        description=text("text", "imgdesc", 255),
    )

    related = make_brief(
        tree,
        title=text("text", "reltitle", 255),
        slug="xss-related",
        authors=[authors[1]],
        topics=[topics[0]],
        summary=text("text", "relsummary", 1000),
        date=dt.date(2011, 1, 1),
        body=[("paragraph", f"<p>{text('text', 'relbody', 1000)}</p>")],
    )

    all_sources = [*sources, *(s for group in imported.values() for s in group)]
    b = "block text"
    body: list[tuple[str, Any]] = [
        # Stored rich text as it is, not as the editor would write it: the renderer's
        # sanitiser is what stands between it and the reader.
        # One block per vector: an unclosed <style> or <xmp> would swallow the next ones.
        *(("paragraph", f"<p>zzbodyzz {v.text}</p>") for v in _each(feeds, "stored rich text")),
        ("paragraph", f"<p>Cited: {' '.join(cite(s, 'cited') for s in all_sources)}</p>"),
        ("heading", text(b, "heading", 3000)),
        ("quote", {"quote": text(b, "quote", 6000), "attribution": text(b, "quoteby", 1000)}),
        (
            "figure",
            {
                "image": image,
                "alt": text(b, "figalt", 2000),
                "caption": text(b, "figcaption", 2000),
                "credit": text(b, "figcredit", 2000),
            },
        ),
        ("topic_box", {"topic": topics[1], "text": text(b, "box", 3000)}),
    ]
    feeds.fields |= {"body", "analysis"}
    while feeds[b].missing:
        body.append(("heading", text(b, "heading", 3000)))
    brief = make_brief(
        tree,
        title=text("text", "brieftitle", 255),
        slug="xss-corpus-brief",
        authors=authors,
        topics=topics,
        summary=text("text", "summary"),  # the rest of the corpus: the kind gets it all
        title_apa=text("text", "briefapa", 255),
        date=dt.date(2012, 1, 1),
        body=body,
        additional_analysis=[
            f"<p>zzanalysiszz {v.text} {cite(sources[0], 'cited')}</p>"
            for v in _each(feeds, "stored rich text")
        ],
    )
    # A second revision, so the history lists a change, and a draft on top for view_draft.
    brief.title = text("text", "brieftitle", 255)
    brief.save_revision(log_action=True).publish()
    brief.refresh_from_db()
    # The draft holds rich text as the admin's editor stores it: Wagtail's editor cannot load
    # arbitrary stored HTML (html_to_contentstate fails on `<video><source>`: "Unmatched
    # tags"), and only the editor writes a brief's rich text.
    brief.title = text("text", "drafttitle", 255)
    drafted = _contentstate(["zzdraftbodyzz", *_split(text("stored rich text", "draftbody"))], [])
    raw = [b for b in brief.body if b.block_type == "paragraph" and "zzbodyzz" in b.value.source]
    brief.body = [
        ("paragraph", drafted),
        *((b.block_type, b.value) for b in brief.body if b not in raw),
    ]
    brief.additional_analysis = [("item", f"{drafted}<p>{cite(sources[0], 'cited')}</p>")]
    brief.save_revision(log_action=True)
    return CorpusSite(
        tree=tree,
        brief=brief,
        related=related,
        authors=authors,
        topics=topics,
        sources=sources,
        imported=imported,
        outlets=outlets,
        fields=feeds.fields,
        feeds=dict(feeds),
    )


# --- the surfaces -----------------------------------------------------------------------


def check_public_pages(watch: Watch, base: str, site: CorpusSite) -> None:
    """The brief (its Cite dialog in every style, its Sources list switched in place), its
    cite page, the listings, an author, a topic and sources of every origin."""
    page = watch.page
    brief_url = f"{base}{site.brief.url}"
    watch.visit(brief_url, "brief")
    page.locator('a[data-action="cite"]').click()
    expect(page.locator("#cite-dialog")).to_be_visible()
    for radio in page.locator('input[name="cite-style"]').all():
        radio.check()
        watch.check("brief: Cite dialog")
    page.locator('[data-cite="close"]').click()
    # The Sources list is fetched and inserted by the page's script.
    for link in page.locator("[data-source-style]").all():
        with page.expect_response(lambda r: "partial=sources" in r.url):
            link.click()
        watch.check("brief: Sources style")
    watch.visit(f"{brief_url}cite/", "cite page")
    watch.visit(f"{base}{site.related.url}", "related brief")
    for url in ("/", "/briefs/", "/authors/", "/topics/"):
        watch.visit(base + url, url)
    watch.visit(f"{base}{site.authors[0].url}", "author page")
    watch.visit(f"{base}{site.topics[0].url}", "topic page")
    watch.visit(f"{base}/sources/{site.sources[0].pk}/", "source page")
    for origin, group in site.imported.items():
        watch.visit(f"{base}/sources/{group[0].pk}/", f"source page ({origin} import)")


def check_search(watch: Watch, base: str, site: CorpusSite) -> int:
    """Every vector in a query (queries are cut at 200 characters): each answer rendered by
    Django's test client (in this thread, while the live server is idle) and checked for the
    query's markup left unescaped, a spread of them opened in Chromium; and searches whose
    results show titles and summaries carrying vectors. Returns the number of queries."""
    from django.test import Client

    client = Client()
    queries = pack(VECTORS, 200, tag="zzqueryzz")
    unescaped: list[str] = []
    watch.idle()
    for q in queries:
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200, f"search: HTTP {response.status_code} for {q[:80]!r}"
        body = response.content.decode()
        assert "zzqueryzz" in body, f"search does not show the query {q[:80]!r}"
        for v in VECTORS:
            shown = " ".join(v.text.split())
            if v.text in q and re.search(r"[<>\"']", shown) and shown in body:
                unescaped.append(f"search: query shown unescaped: __xss({v.id})")
    watch.problems += unescaped
    for q in queries[:: len(queries) // 3]:
        watch.visit(f"{base}/search/?q={quote(q)}", "search")
    for tag in ("zzsummaryzz", "zzauthtitlezz", "zztoptitlezz"):
        watch.visit(f"{base}/search/?q={tag}", "search results")
    return len(queries)


def check_downloads(site: CorpusSite) -> dict[str, set[str]]:
    """The citation downloads and text entries carry fields no page shows (notes, citation
    keys): they must never be something a browser renders as HTML. Fetched with Django's
    test client; returns the field tags each kind of download holds."""
    from django.test import Client

    client = Client()
    coverage: dict[str, set[str]] = {}
    urls = [(f"{site.brief.url}cite.{fmt}?with=sources", f"brief cite.{fmt}") for fmt in
            ("json", "bib", "ris")]  # fmt: skip
    for source in [site.sources[0], *(group[0] for group in site.imported.values())]:
        urls += [(f"/sources/{source.pk}/cite.{fmt}", f"source cite.{fmt}")
                 for fmt in ("json", "bib", "ris", "txt")]  # fmt: skip
    for url, surface in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{surface}: HTTP {response.status_code} for {url}"
        kind = response["Content-Type"]
        assert not re.search(r"html|xml", kind), f"{surface}: served as {kind}"
        assert response["X-Content-Type-Options"] == "nosniff", f"{surface}: sniffable"
        body = response.content.decode()
        coverage.setdefault(surface, set()).update(t.lower() for t in _TAG.findall(body))
    return coverage


def editor_page(browser: Browser, base: str) -> Page:
    """A page logged in as an editor (the session cookie of a test client)."""
    from django.conf import settings
    from django.test import Client

    from tests.factories import make_users

    client = Client()
    client.force_login(make_users().editor)
    context = browser.new_context()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context.new_page()


def _background_writes(route: Route) -> None:
    """The edit views' autosave and the editing-session pings write in the background on a
    timer; they answer JSON nobody reads here, and would race the next page for the
    database. Everything else goes through."""
    request = route.request
    if request.method == "POST" and urlsplit(request.url).path.endswith("/edit/"):
        route.abort()
    else:
        route.continue_()


def check_admin(watch: Watch, base: str, site: CorpusSite) -> None:
    """Listings, edit forms, history, the draft, the preview panel, the choosers, the images
    and the import preview."""
    from django.urls import reverse

    page = watch.page
    page.route("**/admin/editing-sessions/**", _abort)
    page.route(re.compile(r"/edit/(\?.*)?$"), _background_writes)
    brief, source = site.brief, site.sources[0]

    def admin(name: str, *args: Any) -> str:
        return base + reverse(name, args=args)

    sources_list = admin("wagtailsnippets_sources_source:list")
    watch.visit(sources_list, "admin: Sources listing")
    watch.visit(admin("wagtailsnippets_sources_outlet:list"), "admin: Outlets listing")
    watch.visit(admin("wagtailsnippets_sources_source:edit", source.pk), "admin: source edit")
    watch.visit(admin("wagtailsnippets_sources_source:history", source.pk), "admin: source history")
    watch.visit(
        admin("wagtailsnippets_sources_outlet:edit", site.outlets[0].pk), "admin: outlet edit"
    )
    watch.visit(admin("wagtailadmin_explore", site.tree.briefs.pk), "admin: page explorer")
    watch.visit(admin("wagtailadmin_pages:history", brief.pk), "admin: page history")
    watch.visit(admin("wagtailadmin_pages:view_draft", brief.pk), "admin: view draft")
    watch.visit(admin("wagtailadmin_pages:edit", site.authors[0].pk), "admin: author edit")

    watch.visit(admin("wagtailadmin_pages:edit", brief.pk), "admin: brief edit")
    # The preview panel renders the form as it stands, in an iframe.
    page.locator('[data-side-panel-toggle="preview"]').first.click()
    frame = page.frame_locator("iframe[id*=preview], iframe[class*=preview]").first
    expect(frame.locator("#brief-title")).to_be_visible(timeout=20_000)
    watch.check("admin: preview panel")
    # The choosers' HTML, inserted as Wagtail's modal workflow does (jQuery runs scripts).
    chooser = admin("wagtailsnippetchoosers_sources_source:choose")
    for url, surface in (
        (chooser, "admin: source chooser"),
        (f"{chooser}?q={quote('zzsrctitlezz')}", "admin: source chooser"),
        (admin("wagtailadmin_choose_page_child", site.tree.briefs.pk), "admin: page chooser"),
        (admin("wagtailimages_chooser:choose"), "admin: image chooser"),
    ):
        watch.idle()
        page.evaluate(
            """async (url) => {
                 const r = await fetch(url, {headers: {'X-Requested-With': 'XMLHttpRequest'}});
                 const data = await r.json();
                 const holder = document.createElement('div');
                 document.body.appendChild(holder);
                 if (window.jQuery) window.jQuery(holder).html(data.html);
                 else holder.innerHTML = data.html;
               }""",
            url,
        )
        watch.check(surface)

    # The import preview: new references (and one the validation refuses), never written.
    feeds = Feeds()
    text = csl_json(feeds, "import preview", "prev", url=False)
    items = [*json.loads(text), {"id": feeds.take("import preview", "preverr", 255), "type": 7}]
    watch.visit(admin("import_references"), "admin: import")
    page.locator("textarea[name=text]").fill(json.dumps(items))
    page.locator("button[value=preview]").click()
    expect(page.locator("#import-preview")).to_be_visible()
    watch.check("admin: import preview")
    site.fields |= feeds.fields
    site.feeds["import preview"] = feeds["import preview"]


def coverage_report(coverage: dict[str, set[str]], site: CorpusSite, queries: int) -> str:
    pairs = sum(len(tags & site.fields) for tags in coverage.values())
    seen = set().union(*coverage.values()) & site.fields
    kinds = ", ".join(
        f"{kind} {len(f.given)}/{len(f.vectors)}" for kind, f in sorted(site.feeds.items())
    )
    return (
        f"XSS corpus: {len(VECTORS)} vectors; {len(site.fields)} fields, {len(coverage)} "
        f"surfaces, {pairs} (field x surface) combinations seen, {queries} search queries.\n"
        f"Vectors per field kind: {kinds}.\n"
        f"Fields never seen: {sorted(site.fields - seen)}"
    )


# --- the test ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_vector_runs_or_injects_markup_on_any_public_page_search_or_admin_screen(
    browser: Browser, page: Page, live_server: Any
) -> None:
    times: dict[str, float] = {}
    with timed("data", times):
        site = build_corpus_site()
    base = live_server.url
    public = Watch(page)
    with timed("public", times):
        check_public_pages(public, base, site)
    with timed("search", times):
        queries = check_search(public, base, site)
    with timed("downloads", times):
        downloads = check_downloads(site)
    editor = Watch(editor_page(browser, base))
    try:
        with timed("admin", times):
            check_admin(editor, base, site)
        editor.idle()
    finally:
        editor.page.context.close()

    assert_clean(public, editor)
    coverage = {**public.coverage, **editor.coverage, **downloads}
    report = coverage_report(coverage, site, queries)
    slow = sorted(public.timings + editor.timings, reverse=True)[:12]
    print("\n" + ", ".join(f"{s}: {t:.1f}" for t, s in slow))
    print(f"\n{report}\nPhases: " + ", ".join(f"{k} {v:.1f}s" for k, v in times.items()))
    if public.clobbered or editor.clobbered:
        print(f"Author-chosen ids on links: {(public.clobbered + editor.clobbered)[:3]}")
    # Every kind received every vector it can hold.
    assert {k: f.missing for k, f in site.feeds.items() if f.missing} == {}, report
    assert len(coverage) >= 30, report
    # Every field reaches at least one surface (notes and citation keys only the downloads).
    assert site.fields - set().union(*coverage.values()) == set(), report
    assert sum(len(tags & site.fields) for tags in coverage.values()) >= 400, report


# --- ids in rich text (DOM clobbering) ---------------------------------------------------

CLOBBER = '<a id="cite-dialog" href="https://example.org/">a</a> <a id="xss-clobber">b</a>'


def test_the_rich_text_editor_cannot_store_a_link_id_that_reaches_readers(
    client: Any, site_tree: Any
) -> None:
    """What the admin's editor posts is contentstate JSON, which the author controls: a
    link entity carrying an `id` is stored as a page link, which rendering must replace
    (an id that is no page's: a link without href), never a 500."""
    from tests.factories import make_brief

    state = {
        "blocks": [
            {
                "key": "k",
                "type": "unstyled",
                "depth": 0,
                "text": "link other",
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 0, "length": 4, "key": 0}],
            }
        ],
        "entityMap": {
            "0": {
                "type": "LINK",
                "mutability": "MUTABLE",
                "data": {"url": "https://example.org/", "id": "cite-dialog"},
            }
        },
    }
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    stored = ContentstateConverter(features=["bold", "italic", "link"]).to_database_format(
        json.dumps(state)
    )
    brief = make_brief(site_tree, body=[("paragraph", stored)], slug="clobber-editor")
    response = client.get(brief.url)
    assert response.status_code == 200
    assert response.content.decode().count('id="cite-dialog"') == 1, stored


def test_stored_rich_text_links_cannot_carry_ids_that_clobber_the_page(
    client: Any, site_tree: Any
) -> None:
    from tests.factories import make_brief

    brief = make_brief(
        site_tree,
        slug="clobber-stored",
        body=[("paragraph", f"<p>{CLOBBER}</p>")],
        additional_analysis=[f"<p>{CLOBBER}</p>"],
    )
    html = client.get(brief.url).content.decode()
    # The Cite dialog (after the body in the page) must be the only #cite-dialog.
    assert html.count('id="cite-dialog"') == 1
    assert 'id="xss-clobber"' not in html

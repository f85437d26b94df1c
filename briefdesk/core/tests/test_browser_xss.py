"""The XSS corpus (tests/xss_vectors.py) in every field an author, an editor or an import can
fill, with every rendered surface opened in real Chromium: public pages, the Cite dialog and
the Sources style switch, search, and — logged in as an editor — the admin listings, edit
forms, previews, the source chooser and the history. On every surface: no `__xss` call, no
dialog, no injected element carrying a marker, no injected handler or script URL, no
evaluated template, and the JSON-LD parses.

Each stored field value starts with a tag (`zz<code>zz`); the tags found on each surface give
the measured (field x surface) coverage, printed with the vector count (`pytest -s`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect

from tests.xss_vectors import (
    EVALUATED_TEMPLATE,
    MARKER_SELECTOR,
    Vector,
    generate_vectors,
    pack,
    rotate,
    without_whitespace,
)

VECTORS = generate_vectors()
SOURCES = 8  # each field of each source holds a different slice of the corpus
_TAG = re.compile(r"zz([a-z0-9]+)zz", re.I)

# What a page must not contain, checked in every frame: marker elements, injected handlers
# or script URLs, server-side template evaluation; and the JSON-LD blocks must parse.
INSPECT = """
([selector, evaluated]) => {
  const found = [];
  const cut = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll(selector)) found.push('marker: ' + cut(el));
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'background', 'poster',
                    'xlink:href', 'srcdoc'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (!/xss/i.test(a.value)) continue;
      if (name.startsWith('on')) found.push('handler: ' + cut(el));
      else if (urlAttrs.includes(name)) {
        const squeezed = a.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
        if (!/^(https?:|#|\\/|\\?)/.test(squeezed)) found.push('url: ' + cut(el));
      }
    }
  }
  const text = document.body ? document.body.innerText : '';
  const m = text.match(new RegExp(evaluated));
  if (m) found.push('evaluated template: ' + m[0]);
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { JSON.parse(s.textContent); } catch (e) { found.push('JSON-LD: ' + e.message); }
  }
  return found;
}
"""


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
    # Every vector fits the 1,000-character fields, so packing drops none there.
    assert sum(chunk.count("xss") > 0 for chunk in pack(VECTORS, 1000)) == len(pack(VECTORS, 1000))
    print(f"\nXSS corpus: {len(VECTORS)} vectors")


# --- watching a page --------------------------------------------------------------------


@dataclass
class Watch:
    """Records `__xss` calls and dialogs on a page, and inspects its frames."""

    page: Page
    calls: list[Any] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    coverage: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.page.expose_function("__xss", lambda n=None: self.calls.append(n))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

    def settle(self) -> None:
        """Let load handlers, failed images, autofocus and timers run."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)

    def check(self, surface: str) -> None:
        """Inspect every frame; record problems and which field tags the surface shows."""
        self.settle()
        tags: set[str] = set()
        for frame in self.page.frames:
            for problem in self._inspect(frame):
                self.problems.append(f"{surface}: {problem}")
            # A frame that navigated away meanwhile has nothing left to read.
            with contextlib.suppress(Exception):
                tags |= {t.lower() for t in _TAG.findall(frame.content())}
        tags |= {t.lower() for t in _TAG.findall(self.page.title())}
        self.coverage.setdefault(surface, set()).update(tags)
        for n in self.calls:
            self.problems.append(f"{surface}: __xss({n}) ran")
        for d in self.dialogs:
            self.problems.append(f"{surface}: dialog {d}")
        self.calls.clear()
        self.dialogs.clear()

    @staticmethod
    def _inspect(frame: Frame) -> list[str]:
        try:
            return frame.evaluate(INSPECT, [MARKER_SELECTOR, EVALUATED_TEMPLATE.pattern])
        except Exception as exc:  # a detached frame is gone, and so is whatever it held
            if "detached" in str(exc) or "destroyed" in str(exc):
                return []
            raise

    def visit(self, url: str, surface: str | None = None) -> None:
        try:
            response = self.page.goto(url)
        except Exception as exc:
            if "ERR_ABORTED" not in str(exc):
                raise
            # The previous page navigated itself meanwhile (a script on the admin page).
            response = self.page.goto(url)
        if response is not None and response.status == 500:
            # The in-memory SQLite of live_server refuses a write ("table is locked") while a
            # request of the previous admin page is still running; a real 500 stays a 500.
            self.page.wait_for_timeout(1000)
            response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        self.check(surface or url)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems[:40])


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

    # Inside a frame too, and a script URL on a link.
    watch.problems.clear()
    page.set_content(
        '<iframe srcdoc="<p class=xssmark>x</p><a href=javascript:__xss(1)>y</a>"></iframe>'
    )
    page.wait_for_timeout(100)
    watch.check("frame")
    assert any("marker:" in p for p in watch.problems)
    assert any("url:" in p for p in watch.problems)

    # A template a server evaluated, and broken JSON-LD.
    watch.problems.clear()
    page.set_content("<p>xss-eval-7:49</p><script type='application/ld+json'>{\"a\": </script>")
    watch.check("template")
    assert any("evaluated template" in p for p in watch.problems)
    assert any("JSON-LD" in p for p in watch.problems)


# --- the site, with the corpus in every field -------------------------------------------


@dataclass
class CorpusSite:
    tree: Any
    brief: Any
    others: list[Any]
    authors: list[Any]
    topics: list[Any]
    sources: list[Any]
    imported: list[Any]
    outlets: list[Any]
    fields: set[str]


def _contentstate(texts: list[str], urls: list[str]) -> str:
    """Rich text as the admin's editor would store it: every text as a paragraph, every URL
    as a link (Wagtail's converter decides what a link may point to)."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    blocks, entities = [], {}
    for i, text in enumerate(texts):
        ranges = []
        if i < len(urls):
            entities[str(i)] = {"type": "LINK", "mutability": "MUTABLE", "data": {"url": urls[i]}}
            ranges = [{"offset": 0, "length": min(len(text), 10), "key": i}]
        blocks.append(
            {
                "key": f"k{i}",
                "type": "unstyled",
                "depth": 0,
                "text": text,
                "inlineStyleRanges": [{"offset": 0, "length": 4, "style": "BOLD"}],
                "entityRanges": ranges,
            }
        )
    state = json.dumps({"blocks": blocks, "entityMap": entities})
    return ContentstateConverter(features=["bold", "italic", "link"]).to_database_format(state)


def _chunk(vectors: list[Vector], limit: int, code: str, index: int, offset: int = 0) -> str:
    """Record `index`'s share of the corpus for a field of `limit` characters."""
    chunks = pack(rotate(vectors, offset), limit, tag=f"zz{code}zz")
    return chunks[index % len(chunks)]


def _web_url(vectors: list[Vector], code: str, index: int, limit: int = 500) -> str:
    """An http(s) URL the validator accepts, with whitespace-free vectors in its path."""
    base = f"https://xss.example/zz{code}zz/"
    bare = [v.text for v in rotate(without_whitespace(vectors), index * 5)]
    url = base
    for text in bare:
        if len(url) + len(text) + 1 > limit:
            break
        url += text + "/"
    return url


def _import_references(fields: set[str]) -> list[Any]:
    """CSL-JSON, RIS and BibTeX files carrying vectors, through the real importer."""
    from briefdesk.importers.apply import import_entries
    from briefdesk.importers.references import parse_references
    from briefdesk.sources.models import Source

    created: list[int] = []

    def run(text: str) -> None:
        result = parse_references(text)
        report = import_entries(result.entries)
        assert report.ok, [r.as_line() for r in report.results]
        created.extend(r.source_id for r in report.results if r.source_id)

    items = []
    for i in range(3):
        items.append(
            {
                "id": f"csl-xss-{i}",
                "type": "article-journal",
                "title": _chunk(VECTORS, 1000, "cslti", i, 7),
                "container-title": _chunk(VECTORS, 255, "cslct", i, 57),
                "publisher": _chunk(VECTORS, 500, "cslpb", i, 157),
                "note": _chunk(VECTORS, 1000, "cslnote", i, 207),
                "author": [
                    {"family": _chunk(VECTORS, 255, "cslfam", i, 11), "given": "A"},
                    {"literal": _chunk(VECTORS, 255, "csllit", i, 61)},
                ],
                "issued": {"date-parts": [[2010, 1 + i]]},
            }
        )
    run(json.dumps(items))
    fields.update({"cslti", "cslct", "cslpb", "cslnote", "cslfam", "csllit"})

    flat = [v for v in VECTORS if "\n" not in v.text and "\r" not in v.text]
    ris = []
    for i in range(2):
        ris += [
            "TY  - RPRT",
            f"TI  - {_chunk(flat, 1000, 'risti', i, 31)}",
            f"AU  - {_chunk(flat, 200, 'risau', i, 91)}, Given",
            f"PB  - {_chunk(flat, 255, 'rispb', i, 131)}",
            "PY  - 2011",
            "ER  - ",
        ]
    run("\n".join(ris) + "\n")
    fields.update({"risti", "risau", "rispb"})

    # BibTeX treats braces, backslashes, % and @ as syntax: the vectors without them.
    plain = [v for v in flat if not re.search(r"[{}\\%@#]", v.text)]
    bib = []
    for i in range(2):
        bib.append(
            f"@techreport{{bib-xss-{i},\n"
            f"  title = {{{_chunk(plain, 1000, 'bibti', i, 13)}}},\n"
            f"  institution = {{{_chunk(plain, 255, 'bibin', i, 113)}}},\n"
            f"  year = {{2012}}\n}}\n"
        )
    run("\n".join(bib))
    fields.update({"bibti", "bibin"})
    return list(Source.objects.filter(pk__in=created))


def build_corpus_site() -> CorpusSite:
    """Authors, topics, outlets, sources, imported sources and briefs, with the corpus
    spread over every field a person or an import fills. One brief cites every source."""
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from briefdesk.briefs.models import AuthorPage
    from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
    from briefdesk.sources.models import Outlet, Source
    from briefdesk.topics.models import TopicGuidePage
    from tests.factories import cite, make_brief, make_site_tree

    ensure_migrated_data()
    fields: set[str] = set()

    def f(code: str, limit: int, index: int, offset: int = 0) -> str:
        fields.add(code)
        return _chunk(VECTORS, limit, code, index, offset)

    every = [v.text for v in VECTORS]
    urls = [v.text for v in VECTORS if v.context == "url"]
    short = [v.text for v in VECTORS if len(v.text) <= 40]

    tree = make_site_tree()
    tree.home.tagline = f("tagline", 255, 0)
    tree.home.save_revision().publish()

    topics = []
    for i in range(2):
        topic = TopicGuidePage(
            title=f("toptitle", 255, i, 40),
            slug=f"xss-topic-{i}",
            label=short[i],
            introduction=_contentstate(["zztopintrozz", *every[i::2]], urls[i::2]),
            show_in_menus=True,
        )
        tree.topics.add_child(instance=topic)
        topic.save_revision().publish()
        topics.append(topic)
    fields.update({"topintro"})

    authors = []
    for i in range(2):
        author = AuthorPage(
            title=f("authtitle", 255, i, 60),
            slug=f"xss-author-{i}",
            given_name=f("given", 255, i, 80),
            family_name=f("family", 255, i, 100),
            role=f("role", 255, i, 120),
            bio=_contentstate(["zzbiozz", *every[i::2]], urls[i::2]),
        )
        tree.authors.add_child(instance=author)
        author.save_revision().publish()
        authors.append(author)
    fields.add("bio")

    outlets = [
        Outlet.objects.create(
            name=f("outname", 255, i, 140),
            short_label=short[(i + 5) % len(short)],
            home_url=_web_url(VECTORS, "outurl", i),
        )
        for i in range(6)
    ]
    fields.add("outurl")

    sources = []
    for i in range(SOURCES):
        sources.append(
            Source.objects.create(
                kind="news_article",
                outlet=outlets[i % len(outlets)],
                title=f("srctitle", 1000, i),
                title_apa=f("srcapa", 1000, i, 100),
                container_title=f("srccont", 1000, i, 200),
                publisher=f("srcpub", 500, i, 300),
                publisher_place=f("srcplace", 255, i, 20),
                genre=f("srcgenre", 255, i, 50),
                medium=f("srcmedium", 255, i, 250),
                number=f("srcnumber", 255, i, 330),
                citation_key=f("srckey", 255, i, 370),
                label=short[i % len(short)],
                url=_web_url(VECTORS, "srcurl", i, 2000),
                issued="2010-11-29",
                authors=[
                    {"family": f("srcfam", 255, i, 15), "given": f("srcgiven", 255, i, 45)},
                    {"literal": f("srclit", 255, i, 75)},
                ],
                csl_extra={
                    "note": f("xnote", 1000, i, 33),
                    "abstract": f("xabstract", 1000, i, 66),
                    "collection-title": f("xcoll", 1000, i, 99),
                    "archive": f("xarchive", 500, i, 133),
                    "event-place": f("xevent", 255, i, 166),
                    "volume": f("xvolume", 255, i, 199),
                    "edition": f("xedition", 255, i, 233),
                    "original-title": f("xorig", 1000, i, 266),
                    "editor": [{"family": f("xedfam", 255, i, 299), "given": "E"}],
                },
            )
        )
    fields.add("srcurl")
    imported = _import_references(fields)

    image = Image.objects.create(
        title=f("imgtitle", 255, 0), file=get_test_image_file(), description=f("imgdesc", 255, 1)
    )

    related = []
    for i in range(3):
        related.append(
            make_brief(
                tree,
                title=f("relatedtitle", 255, i, 180),
                slug=f"xss-related-{i}",
                authors=[authors[i % 2]],
                topics=[topics[i % 2]],
                summary=f("relsummary", 1000, i, 190),
                date=dt.date(2011, 1, 1 + i),
                body=[("paragraph", f"<p>{f('relbody', 1000, i, 230)}</p>")],
            )
        )

    paragraphs = pack(VECTORS, 1500, tag="zzbodyzz")
    citations = " ".join(cite(s) for s in [*sources, *imported])
    body: list[tuple[str, Any]] = [("paragraph", f"<p>{p}</p>") for p in paragraphs]
    body.append(("paragraph", f"<p>Cited: {citations}</p>"))
    body += [("heading", h) for h in pack(VECTORS, 3000, tag="zzheadingzz")]
    body += [
        ("quote", {"quote": q, "attribution": f("quoteby", 255, i, 17)})
        for i, q in enumerate(pack(VECTORS, 6000, tag="zzquotezz"))
    ]
    body += [
        (
            "figure",
            {
                "image": image,
                "alt": f("figalt", 1000, i, 0),
                "caption": f("figcaption", 1000, i, 111),
                "credit": f("figcredit", 1000, i, 222),
            },
        )
        for i in range(len(pack(VECTORS, 1000)))
    ]
    body += [
        ("topic_box", {"topic": topics[i % 2], "text": t})
        for i, t in enumerate(pack(VECTORS, 3000, tag="zzboxzz"))
    ]
    fields.update({"body", "heading", "quote", "box"})
    analysis = pack(VECTORS, 1500, tag="zzanalysiszz")
    fields.add("analysis")
    brief = make_brief(
        tree,
        title=f("brieftitle", 255, 0, 3),
        slug="xss-corpus-brief",
        authors=authors,
        topics=topics,
        summary="zzsummaryzz " + " ".join(every),
        title_apa=f("briefapa", 255, 0, 9),
        date=dt.date(2012, 1, 1),
        body=body,
        additional_analysis=[f"<p>{a} {cite(sources[0])}</p>" for a in analysis],
    )
    fields.add("summary")
    # A second revision, so the history lists a change, and a draft on top for view_draft.
    brief.title = f("brieftitle", 255, 1, 3)
    brief.save_revision(log_action=True).publish()
    brief.refresh_from_db()
    brief.save_revision(log_action=True)
    return CorpusSite(
        tree=tree,
        brief=brief,
        others=related,
        authors=authors,
        topics=topics,
        sources=sources,
        imported=imported,
        outlets=outlets,
        fields=fields,
    )


def _report(coverage: dict[str, set[str]], site: CorpusSite) -> str:
    pairs = sum(len(tags & site.fields) for tags in coverage.values())
    seen = set().union(*coverage.values()) & site.fields
    return (
        f"XSS corpus: {len(VECTORS)} vectors in {len(site.fields)} fields; "
        f"{len(coverage)} surfaces; {pairs} (field x surface) pairs seen; "
        f"fields never seen: {sorted(site.fields - seen)}"
    )


# --- the surfaces -----------------------------------------------------------------------


def check_public_pages(watch: Watch, base: str, site: CorpusSite) -> None:
    """The brief (its Cite dialog in every style, its Sources list switched in place), its
    cite page, the listings, author, topic and source pages."""
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
    watch.visit(f"{brief_url}?style=apa", "brief ?style=apa")
    watch.visit(f"{base}{site.others[0].url}", "related brief")
    for url in ("/", "/briefs/", "/authors/", "/topics/"):
        watch.visit(base + url, url)
    for author in site.authors:
        watch.visit(f"{base}{author.url}", "author page")
    for topic in site.topics:
        watch.visit(f"{base}{topic.url}", "topic page")
    for source in [*site.sources, *site.imported]:
        watch.visit(f"{base}/sources/{source.pk}/", "source page")


def editor_context(browser: Browser, base: str) -> BrowserContext:
    """A browser context logged in as an editor (the session cookie of a test client)."""
    from django.conf import settings
    from django.test import Client

    from tests.factories import make_users

    client = Client()
    client.force_login(make_users().editor)
    context = browser.new_context()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context


def check_admin(watch: Watch, base: str, site: CorpusSite) -> None:
    """Listings, edit forms, history, the draft, the preview panel and the source chooser."""
    from django.urls import reverse

    page = watch.page
    brief, source = site.brief, site.sources[0]

    def admin(name: str, *args: Any) -> str:
        return base + reverse(name, args=args)

    sources_list = admin("wagtailsnippets_sources_source:list")
    watch.visit(sources_list, "admin: Sources listing")
    watch.visit(f"{sources_list}?p=2", "admin: Sources listing")
    watch.visit(f"{sources_list}?q={quote('zzsrctitlezz')}", "admin: Sources search")
    watch.visit(admin("wagtailsnippets_sources_outlet:list"), "admin: Outlets listing")
    for s in (source, site.imported[0]):
        watch.visit(admin("wagtailsnippets_sources_source:edit", s.pk), "admin: source edit")
    watch.visit(admin("wagtailsnippets_sources_source:history", source.pk), "admin: source history")
    watch.visit(
        admin("wagtailsnippets_sources_outlet:edit", site.outlets[0].pk), "admin: outlet edit"
    )
    watch.visit(admin("wagtailadmin_explore", site.tree.briefs.pk), "admin: page explorer")
    watch.visit(admin("wagtailadmin_explore", site.tree.authors.pk), "admin: page explorer")
    watch.visit(admin("wagtailadmin_pages:history", brief.pk), "admin: page history")
    watch.visit(admin("wagtailadmin_pages:revisions_index", brief.pk), "admin: revisions")
    watch.visit(admin("wagtailadmin_pages:view_draft", brief.pk), "admin: view draft")
    watch.visit(admin("wagtailadmin_pages:edit", site.authors[0].pk), "admin: author edit")
    watch.visit(admin("wagtailadmin_pages:edit", site.topics[0].pk), "admin: topic edit")

    watch.visit(admin("wagtailadmin_pages:edit", brief.pk), "admin: brief edit")
    # The preview panel renders the form as it stands, in an iframe.
    page.locator('[data-side-panel-toggle="preview"]').first.click()
    frame = page.frame_locator("iframe[id*=preview], iframe[class*=preview]").first
    expect(frame.locator("#brief-title")).to_be_visible(timeout=20_000)
    watch.check("admin: preview panel")
    # The source chooser's HTML, inserted as Wagtail's modal workflow does (jQuery runs
    # scripts), listing every source and then a search.
    chooser = admin("wagtailsnippetchoosers_sources_source:choose")
    for url in (chooser, f"{chooser}?q={quote('zzsrctitlezz')}"):
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
        watch.check("admin: source chooser")


# --- the test ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_vector_runs_or_injects_markup_on_any_public_page_search_or_admin_screen(
    browser: Browser, page: Page, live_server: Any
) -> None:
    site = build_corpus_site()
    base = live_server.url
    public = Watch(page)
    check_public_pages(public, base, site)

    context = editor_context(browser, base)
    try:
        editor = Watch(context.new_page())
        check_admin(editor, base, site)
    finally:
        context.close()

    problems = public.problems + editor.problems
    assert not problems, "\n".join(problems[:40])
    coverage = {**public.coverage, **editor.coverage}
    report = _report(coverage, site)
    print("\n" + report)
    assert len(coverage) >= 25, report
    # Every field reaches at least one surface (the citation key only reaches exports).
    assert site.fields - set().union(*coverage.values()) <= {"srckey"}, report


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_vector_in_a_search_query_or_its_results_runs(page: Page, live_server: Any) -> None:
    """Queries are cut at 200 characters: the corpus in queries that fit, and queries that
    find briefs, authors and topics whose titles and summaries carry vectors."""
    from briefdesk.briefs.models import AuthorPage
    from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
    from briefdesk.topics.models import TopicGuidePage
    from tests.factories import make_brief, make_site_tree

    ensure_migrated_data()
    tree = make_site_tree()
    titles = pack(VECTORS, 255, tag="zzsearchzz")
    author = AuthorPage(
        title=titles[0], slug="xss-search", given_name=titles[0], family_name="zzsearchzz"
    )
    tree.authors.add_child(instance=author)
    author.save_revision().publish()
    topic = TopicGuidePage(title=titles[1], slug="xss-search-topic", label="Guide")
    tree.topics.add_child(instance=topic)
    topic.save_revision().publish()
    for n, title in enumerate(titles[2:6]):
        make_brief(
            tree,
            title=title,
            slug=f"xss-search-{n}",
            authors=[author],
            topics=[topic],
            summary=" ".join(v.text for v in VECTORS),
        )
    watch = Watch(page)
    queries = [*pack(VECTORS, 200)[::6], "zzsearchzz"]
    for q in queries:
        response = page.goto(f"{live_server.url}/search/?q={quote(q)}")
        assert response is not None
        if response.status != 200:
            watch.problems.append(f"search: HTTP {response.status} for q={q[:60]!r}")
            continue
        watch.check("search")
    assert not watch.problems, "\n".join(watch.problems[:20])
    assert watch.coverage["search"] >= {"search"}
    print(f"\nXSS search: {len(queries)} queries")

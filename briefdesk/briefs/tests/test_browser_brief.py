"""The brief page in a real browser: the Cite dialog, Print, the no-JavaScript fallback, the
print layout, layout stability and the narrow-screen layout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)

# live_server needs a transactional database, flushed after every test. The page tree's root,
# the default locale and the editorial roles come from migrations; serialized_rollback restores
# them, and ensure_migrated_data() puts them back when it could not (see there).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STYLE_LABELS = {"mla": "MLA", "apa": "APA", "chicago-nb": "Chicago"}


@dataclass
class Anatomy:
    """A brief with every part a brief can have, and the pages around it."""

    brief: Any
    related: Any
    topic: Any
    authors: list[Any]
    sources: list[Any]
    tree: Any

    @property
    def path(self) -> str:
        return f"/briefs/{self.brief.slug}/"

    def bibliography(self, style: str) -> str:
        return self.brief.citations[style]["bibliography"]


def ensure_migrated_data() -> None:
    """Recreate what migrations put in the database (root page and collection, default locale,
    the Authors/Editors roles) if a flush removed it and serialized_rollback did not restore it.

    That happens when a non-transactional test runs first in the session: the serialized
    migrated data is then held by a different Django connection object from the one these
    tests get once Playwright is running, so Django's restore step finds nothing to load."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    from briefdesk.core.roles import ensure_roles

    if Page.get_first_root_node() is not None:
        return
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    locale, _ = Locale.objects.get_or_create(language_code=language)
    Page.add_root(
        instance=Page(
            title="Root",
            slug="root",
            content_type=ContentType.objects.get_for_model(Page),
            locale=locale,
        )
    )
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    ensure_roles()


def build_anatomy_brief() -> Anatomy:
    """Two authors, a topic, every body block, Additional Analysis, cited sources (one with a
    long URL, one without a URL) and a related brief for "More on This Topic"."""
    ensure_migrated_data()
    tree = make_site_tree()
    jayshree = make_author(tree)
    daniel = make_author(tree, given="Daniel", family="Markey")
    topic = make_topic(tree)
    reuters = OutletFactory(name="Reuters", short_label="Reuters")
    dawn = OutletFactory(name="Dawn", short_label="Dawn")
    cable = SourceFactory(
        kind="news_article",
        outlet=reuters,
        title="U.S. diplomats fear Pakistan nuclear material could fall into wrong hands",
        issued="2010-11-30",
        url="https://www.reuters.com/article/us-wikileaks-pakistan-nuclear-idUSTRE6AT1RN20101130"
        "?feedType=RSS&feedName=worldNews&utm_source=a-very-long-query-string-that-must-wrap",
    )
    editorial = SourceFactory(outlet=dawn, title="WikiLeaks and Pakistan", url="")
    related = make_brief(
        tree,
        title="Pakistan’s Fragile Foundations",
        slug="pakistans-fragile-foundations",
        authors=[daniel],
        topics=[topic],
        date=dt.date(2010, 11, 12),
        body=[("paragraph", "<p>An earlier brief on the same topic.</p>")],
    )
    brief = make_brief(
        tree,
        authors=[jayshree, daniel],
        topics=[topic],
        summary="The latest WikiLeaks release complicates a difficult relationship.",
        updated=dt.date(2010, 12, 9),
        body=[
            (
                "paragraph",
                "<p>The release of classified U.S. diplomatic cables has exposed deep "
                f"mistrust between Washington and Islamabad {cite(cable)}.</p>",
            ),
            ("heading", "A strained alliance"),
            (
                "quote",
                {
                    "quote": "Pakistan's military is the most powerful institution.",
                    "attribution": "A U.S. diplomatic cable",
                },
            ),
            (
                "paragraph",
                f"<p>Pakistani newspapers reacted with <i>anger</i> {cite(editorial)}.</p>",
            ),
            ("topic_box", {"topic": topic, "text": "Background on the crisis."}),
        ],
        additional_analysis=[
            f"<p>An editorial calls the cables a wake-up call {cite(editorial)}.</p>"
        ],
    )
    return Anatomy(
        brief=brief,
        related=related,
        topic=topic,
        authors=[jayshree, daniel],
        sources=[cable, editorial],
        tree=tree,
    )


@pytest.fixture
def anatomy(live_server: Any) -> Anatomy:
    return build_anatomy_brief()


def open_brief(page: Page, live_server: Any, anatomy: Anatomy) -> None:
    page.goto(live_server.url + anatomy.path)
    # brief.js is deferred: once it has run, the Print button is no longer hidden.
    expect(page.locator('[data-action="print"]')).to_be_visible()


def open_cite_dialog(page: Page) -> Any:
    page.locator('a[data-action="cite"]').click()
    dialog = page.locator("#cite-dialog")
    expect(dialog).to_be_visible()
    return dialog


def visible_citation(page: Page) -> Any:
    return page.locator("#cite-dialog .cite-text:visible")


def dialog_is_open(page: Page) -> bool:
    return page.evaluate("document.getElementById('cite-dialog').open")


# --- script and Print ------------------------------------------------------------------


def test_print_button_appears_once_the_script_loads_and_prints_the_page(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    scripts: list[int] = []
    page.on(
        "response",
        lambda r: scripts.append(r.status) if r.url.endswith("/briefs/brief.js") else None,
    )
    page.goto(live_server.url + anatomy.path)
    print_button = page.locator('[data-action="print"]')
    expect(print_button).to_be_visible()
    expect(print_button).to_have_text("Print")
    assert scripts == [200]

    # Replace window.print so headless Chromium does not block; count the calls instead.
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    print_button.click()
    assert page.evaluate("window.__printed") == 1


# --- the Cite dialog -------------------------------------------------------------------


def test_cite_opens_a_modal_dialog_with_focus_inside_and_mla_first(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    assert not dialog_is_open(page)
    open_cite_dialog(page)

    assert dialog_is_open(page)
    assert page.evaluate("document.getElementById('cite-dialog').contains(document.activeElement)")
    expect(page.locator('input[name="cite-style"][value="mla"]')).to_be_focused()
    expect(page.locator('input[name="cite-style"][value="mla"]')).to_be_checked()
    expect(page.get_by_role("dialog", name="Cite this Analysis Brief")).to_be_visible()

    shown = visible_citation(page)
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-style", "mla")
    expect(shown).to_have_text(anatomy.bibliography("mla"))
    expect(shown).to_have_attribute("data-text", anatomy.bibliography("mla"))
    # The formatted HTML (italic container title) is what is shown, not the plain text.
    html = anatomy.brief.citations["mla"]["bibliography_html"]
    assert "<i>" in html
    expect(shown.locator("i")).to_have_count(html.count("<i>"))


def test_switching_styles_by_keyboard_and_by_click_shows_the_stored_citation(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    open_cite_dialog(page)

    # Arrow keys move through a radio group (focus starts on the checked MLA radio).
    page.keyboard.press("ArrowRight")
    expect(page.locator('input[name="cite-style"][value="apa"]')).to_be_checked()
    expect(visible_citation(page)).to_have_attribute("data-style", "apa")
    expect(visible_citation(page)).to_have_text(anatomy.bibliography("apa"))

    page.keyboard.press("ArrowRight")
    expect(visible_citation(page)).to_have_attribute("data-style", "chicago-nb")
    expect(visible_citation(page)).to_have_text(anatomy.bibliography("chicago-nb"))

    # Clicking the labels works too.
    dialog = page.locator("#cite-dialog")
    for style, label in (("mla", "MLA"), ("apa", "APA"), ("chicago-nb", "Chicago")):
        dialog.get_by_label(label, exact=True).check()
        expect(visible_citation(page)).to_have_count(1)
        expect(visible_citation(page)).to_have_attribute("data-style", style)
        expect(visible_citation(page)).to_have_text(anatomy.bibliography(style))

    # The three styles really differ, so the checks above could tell them apart.
    assert len({anatomy.bibliography(s) for s in STYLE_LABELS}) == 3


def test_copy_puts_the_selected_citation_on_the_clipboard(
    context: BrowserContext, page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    open_brief(page, live_server, anatomy)
    open_cite_dialog(page)
    page.locator("#cite-dialog").get_by_label("APA", exact=True).check()

    page.locator('[data-cite="copy"]').click()

    expect(page.locator(".cite-status")).to_have_text("Citation copied.")
    assert page.evaluate("navigator.clipboard.readText()") == anatomy.bibliography("apa")
    assert dialog_is_open(page)


def test_copy_without_clipboard_access_selects_the_citation_instead(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    # A browser that refuses clipboard writes: the script falls back to selecting the text.
    page.evaluate(
        "() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }"
    )
    open_cite_dialog(page)
    page.locator('[data-cite="copy"]').click()

    expect(page.locator(".cite-status")).to_contain_text("Press Ctrl+C")
    assert page.evaluate("window.getSelection().toString()") == anatomy.bibliography("mla")


def test_escape_closes_the_dialog_and_returns_focus_to_the_cite_link(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    open_cite_dialog(page)

    page.keyboard.press("Escape")

    expect(page.locator("#cite-dialog")).to_be_hidden()
    assert not dialog_is_open(page)
    expect(page.locator('a[data-action="cite"]')).to_be_focused()


def test_close_button_and_a_backdrop_click_close_the_dialog(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    dialog = open_cite_dialog(page)

    dialog.get_by_role("button", name="Close").click()

    expect(dialog).to_be_hidden()
    assert not dialog_is_open(page)
    expect(page.locator('a[data-action="cite"]')).to_be_focused()

    open_cite_dialog(page)
    # The dialog is centred; the top-left corner of the viewport is backdrop.
    page.mouse.click(5, 5)
    expect(dialog).to_be_hidden()
    assert not dialog_is_open(page)


def test_chosen_style_is_remembered_after_reload(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    open_cite_dialog(page)
    page.locator("#cite-dialog").get_by_label("Chicago", exact=True).check()
    assert page.evaluate("localStorage.getItem('briefdesk.citeStyle')") == "chicago-nb"

    page.reload()
    expect(page.locator('[data-action="print"]')).to_be_visible()
    open_cite_dialog(page)

    expect(page.locator('input[name="cite-style"][value="chicago-nb"]')).to_be_checked()
    expect(page.locator('input[name="cite-style"][value="chicago-nb"]')).to_be_focused()
    expect(visible_citation(page)).to_have_count(1)
    expect(visible_citation(page)).to_have_text(anatomy.bibliography("chicago-nb"))

    # A remembered style the page no longer offers falls back to the first.
    page.evaluate("localStorage.setItem('briefdesk.citeStyle', 'harvard')")
    page.reload()
    expect(page.locator('[data-action="print"]')).to_be_visible()
    open_cite_dialog(page)
    expect(page.locator('input[name="cite-style"][value="mla"]')).to_be_checked()
    expect(visible_citation(page)).to_have_count(1)
    expect(visible_citation(page)).to_have_text(anatomy.bibliography("mla"))


# --- without JavaScript ----------------------------------------------------------------


def test_without_javascript_cite_opens_a_page_listing_all_three_styles(
    browser: Browser, live_server: Any, anatomy: Anatomy
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + anatomy.path)
        expect(page.locator('[data-action="print"]')).to_be_hidden()

        page.locator('a[data-action="cite"]').click()

        page.wait_for_url(f"{live_server.url}{anatomy.path}cite/")
        expect(page.locator("h1")).to_have_text(anatomy.brief.title)
        # The three styles of the dialog, in its order (the page may offer more after them).
        styles = page.locator(".cite-all > dt")
        labels = [t.strip() for t in styles.all_text_contents()]
        assert labels[: len(STYLE_LABELS)] == list(STYLE_LABELS.values()), labels
        entries = page.locator(".cite-all > dd")
        for n, style in enumerate(STYLE_LABELS):
            expect(entries.nth(n)).to_contain_text(anatomy.bibliography(style))
        page.get_by_role("link", name="Back to the analysis brief").click()
        page.wait_for_url(live_server.url + anatomy.path)
    finally:
        context.close()


# --- print -----------------------------------------------------------------------------


def test_print_layout_hides_the_chrome_and_shows_cite_as(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    cite_as = page.locator(".cite-as")
    expect(cite_as).to_be_hidden()
    expect(page.locator(".more-on-topic")).to_be_visible()

    page.emulate_media(media="print")

    for selector in (
        ".site-header",
        ".site-footer",
        '[data-action="cite"]',
        '[data-action="print"]',
        ".more-on-topic",
        ".skip-link",
    ):
        expect(page.locator(selector)).to_be_hidden()
    expect(page.locator(".brief-title")).to_be_visible()
    expect(page.locator(".sources")).to_be_visible()
    expect(cite_as).to_be_visible()
    expect(cite_as).to_have_text(
        f"Cite as: {anatomy.bibliography('chicago-nb')}", use_inner_text=True
    )
    expect(page.locator(".brief-body")).to_be_visible()
    # The title block names the site and gives the brief's canonical URL.
    expect(page.locator(".print-masthead")).to_have_text("Briefdesk")
    expect(page.locator(".print-url")).to_have_text(
        f"http://127.0.0.1:8000/briefs/{anatomy.brief.slug}/"
    )
    expect(page.locator('[data-action="pdf"]')).to_be_hidden()
    expect(page.locator(".source-styles")).to_be_hidden()

    page.emulate_media(media="screen")
    expect(cite_as).to_be_hidden()
    expect(page.locator(".site-header")).to_be_visible()


# --- layout ----------------------------------------------------------------------------

CLS_OBSERVER = """
window.__cls = 0;
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) {
      window.__cls += entry.value;
      window.__shifts.push({
        value: entry.value,
        sources: (entry.sources || []).map((s) => s.node ? s.node.outerHTML.slice(0, 80) : ''),
      });
    }
  }
}).observe({ type: 'layout-shift', buffered: true });
"""

SETTLE = """
async () => {
  await document.fonts.ready;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await new Promise((r) => setTimeout(r, 300));
  return { cls: window.__cls, shifts: window.__shifts };
}
"""


def test_page_load_causes_no_layout_shift(
    context: BrowserContext, page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    page.add_init_script(CLS_OBSERVER)
    page.goto(live_server.url + anatomy.path, wait_until="load")
    expect(page.locator('[data-action="print"]')).to_be_visible()
    result = page.evaluate(SETTLE)
    assert result["cls"] < 0.1, result["shifts"]

    # Again with brief.js arriving late, so the page paints before the script un-hides Print.
    slow = context.new_page()
    slow.add_init_script(CLS_OBSERVER)

    def delay_script(route: Any) -> None:
        slow.wait_for_timeout(400)
        route.continue_()

    slow.route("**/briefs/brief.js", delay_script)
    slow.goto(live_server.url + anatomy.path, wait_until="load")
    expect(slow.locator('[data-action="print"]')).to_be_visible()
    result = slow.evaluate(SETTLE)
    assert result["cls"] < 0.1, result["shifts"]


PHONE: ViewportSize = {"width": 390, "height": 844}
PAGE_WIDTHS = """({
  document: document.documentElement.scrollWidth,
  body: document.body.scrollWidth,
})"""


def test_no_horizontal_scroll_on_a_390px_phone(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    page.set_viewport_size(PHONE)
    open_brief(page, live_server, anatomy)
    widths = page.evaluate(PAGE_WIDTHS)
    assert max(widths.values()) <= PHONE["width"], widths

    # The Cite dialog fits too, long URL and all.
    dialog = open_cite_dialog(page)
    for style in STYLE_LABELS.values():
        dialog.get_by_label(style, exact=True).check()
        box = dialog.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (style, box)
        text = dialog.locator(".cite-text:visible")
        assert text.evaluate("el => el.scrollWidth <= el.clientWidth"), style
    widths = page.evaluate(PAGE_WIDTHS)
    assert max(widths.values()) <= PHONE["width"], widths


def test_the_sources_list_switches_style_in_place_and_remembers_it(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    from briefdesk.sources.models import Source

    open_brief(page, live_server, anatomy)
    source = Source.objects.get(pk=anatomy.sources[0].pk)
    apa_start = source.formatted["apa"]["bibliography"][:25]
    entries = page.locator(".source-list li")
    expect(entries.first).not_to_contain_text(apa_start)

    page.click('[data-source-style="apa"]')

    expect(entries.first).to_contain_text(apa_start)
    expect(page.locator('[data-source-style="apa"]')).to_have_attribute("aria-current", "true")
    assert "style=apa" in page.url

    page.goto(live_server.url + anatomy.path)  # no ?style=: the remembered choice applies
    expect(page.locator(".source-list li").first).to_contain_text(apa_start)


def test_endnote_numbers_show_in_print_only(page: Page, live_server: Any, anatomy: Anatomy) -> None:
    open_brief(page, live_server, anatomy)
    notes = page.locator(".brief-body sup.cite-note")
    expect(notes.first).to_be_hidden()

    page.emulate_media(media="print")

    expect(notes.first).to_be_visible()
    expect(notes.first).to_have_text("1")


def test_download_pdf_saves_the_brief_as_a_dated_pdf(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value

    assert download.suggested_filename == f"{anatomy.brief.slug}-2010-12-06.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_pdf_link_and_cite_as_follow_the_sources_style(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    open_brief(page, live_server, anatomy)
    pdf_link = page.locator('[data-action="pdf"]')
    expect(pdf_link).to_have_attribute("href", f"/briefs/{anatomy.brief.slug}/pdf/")

    page.locator('[data-source-style="apa"]').click()

    expect(pdf_link).to_have_attribute(
        "href", f"{live_server.url}/briefs/{anatomy.brief.slug}/pdf/?style=apa"
    )
    page.emulate_media(media="print")
    expect(page.locator(".cite-as")).to_have_text(
        f"Cite as: {anatomy.bibliography('apa')}", use_inner_text=True
    )

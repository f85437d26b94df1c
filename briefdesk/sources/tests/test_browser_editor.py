"""The "Source citation" rich-text entity in Wagtail's editor, driven in a real browser. A
citation is a token: citing selected words keeps them as text and puts the citation after
them; citing at the cursor or from the "/" menu inserts it there. The editor shows it as the
page will, "(LABEL)", and stores `<a linktype="source" id="N">LABEL</a>`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from briefdesk.briefs.models import BriefPage
from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
from tests.factories import (
    PASSWORD,
    OutletFactory,
    SourceFactory,
    make_author,
    make_brief,
    make_site_tree,
    make_users,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PARAGRAPH = "Washington and Islamabad distrust each other."
CITED_WORD = "Islamabad"
# Typed typographic: saving would make a straight apostrophe curly (core/typography.py).
WRITTEN = "It marks a shift the IMF’s staff had warned against in its last review."
CITED_WORDS = "IMF’s staff had warned against in its last review"
LABEL = "Washington Quarterly"
# The text a token reads as, with the parentheses its style adds around it.
PAGE_TEXT = """el => [getComputedStyle(el, '::before').content, el.textContent,
    getComputedStyle(el, '::after').content].join('').replace(/"/g, '')"""


@dataclass
class Desk:
    brief: BriefPage
    source: Any
    other: Any
    users: Any


@pytest.fixture
def desk(live_server: Any) -> Desk:
    ensure_migrated_data()
    tree = make_site_tree()
    users = make_users()
    author = make_author(tree)
    source = SourceFactory(
        title="Cables show strain",
        outlet=OutletFactory(name="Reuters", short_label="Reuters"),
    )
    other = SourceFactory(
        title="Pakistan's fiscal turn", outlet=OutletFactory(name=LABEL, short_label="")
    )
    brief = make_brief(tree, authors=[author], body=[("paragraph", f"<p>{PARAGRAPH}</p>")])
    return Desk(brief=brief, source=source, other=other, users=users)


def log_in(page: Page, live_server: Any, username: str) -> None:
    # The admin shows Gravatar avatars; keep the test off the network.
    page.route("https://www.gravatar.com/**", lambda route: route.abort())
    page.goto(live_server.url + reverse("wagtailadmin_login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("wagtailadmin_home"))


def open_editor(page: Page, live_server: Any, brief: BriefPage, text: str = PARAGRAPH) -> Locator:
    """The edit view, returning the body paragraph's Draftail editor once it shows `text`."""
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[brief.id]))
    editor = page.locator("[data-contentpath='body'] .public-DraftEditor-content").first
    expect(editor).to_contain_text(text)
    editor.scroll_into_view_if_needed()
    return editor


def select_text(page: Page, editor: Locator, start: int, length: int) -> None:
    """Select characters [start, start+length) of the first line with the keyboard, which
    Draft.js always follows (a double-click lands wherever the word happens to be)."""
    editor.click()
    page.keyboard.press("Control+Home")
    for _ in range(start):
        page.keyboard.press("ArrowRight")
    for _ in range(length):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.getSelection().toString()") == PARAGRAPH[start : start + length]


def choose_source(page: Page, title: str) -> None:
    """In the open chooser modal: check it lists the sources, then pick one by its title."""
    modal = page.locator(".modal-dialog")
    expect(modal.get_by_role("heading", name="Choose source")).to_be_visible()
    choices = modal.locator("a[data-chooser-modal-choice]")
    expect(choices).to_have_count(2)
    modal.get_by_role("link", name=title).click()
    expect(modal).to_be_hidden()
    # Wagtail removes the modal, and hands the focus back, once it has faded out: a person
    # waits for that before typing on.
    expect(page.locator(".modal")).to_have_count(0)


def wait_for_editor_to_store(page: Page, source: Any) -> None:
    """Draftail writes its state to the hidden form field a moment after each change (its
    `stateSaveInterval`); wait for the citation to be in the field before saving."""
    field = page.locator("input[type=hidden][name='body-0-value']")
    expect(field).to_have_value(re.compile(rf'"type":\s*"SOURCE".*?"id":\s*{source.pk}\b'))


def latest_paragraphs(brief: BriefPage) -> list[str]:
    """The stored HTML of each body paragraph in the brief's latest revision."""
    revision = BriefPage.objects.get(pk=brief.pk).get_latest_revision()
    assert revision is not None
    body = revision.content["body"]
    blocks = json.loads(body) if isinstance(body, str) else body
    return [b["value"] for b in blocks if b["type"] == "paragraph"]


def live_paragraphs(brief: BriefPage) -> list[str]:
    """The stored HTML of each body paragraph of the published brief."""
    live = BriefPage.objects.get(pk=brief.pk)
    return [b.value.source for b in live.body if b.block_type == "paragraph"]


def publish(page: Page, brief: BriefPage) -> None:
    """Publish from the editor's action menu (Save draft's "More actions")."""
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Page '{brief.title}' has been published.")).to_be_visible()


def test_citing_selected_text_keeps_the_words_and_puts_the_citation_after_them(
    page: Page, live_server: Any, desk: Desk
) -> None:
    log_in(page, live_server, desk.users.editor.username)
    editor = open_editor(page, live_server, desk.brief)

    # The editor writes a new paragraph, then selects the words the source supports.
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(WRITTEN)
    page.keyboard.press("ArrowLeft")  # before the full stop
    for _ in range(len(CITED_WORDS)):
        page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("window.getSelection().toString()") == CITED_WORDS

    # The inline toolbar shown for a selection offers the source citation entity.
    source_button = page.locator('button[name="SOURCE"]')
    expect(source_button).to_be_visible()
    expect(source_button).to_have_attribute("aria-label", "Source citation")
    source_button.click()
    choose_source(page, desk.other.title)

    # The words stay text; the citation is a token after them, reading as on the page.
    cited = editor.locator(f'.draftail-source[data-source-id="{desk.other.pk}"]')
    expect(cited).to_have_count(1)
    expect(cited).to_have_text(LABEL)
    assert cited.evaluate(PAGE_TEXT) == f"({LABEL})"
    expect(editor).to_contain_text(f"{CITED_WORDS} {LABEL}.")
    wait_for_editor_to_store(page, desk.other)

    publish(page, desk.brief)

    lines = re.findall(r"<p[^>]*>(.*?)</p>", live_paragraphs(desk.brief)[0])
    token = f'<a linktype="source" id="{desk.other.pk}">{LABEL}</a>'
    assert lines == [PARAGRAPH, f"{WRITTEN[:-1]} {token}."]
    page.goto(live_server.url + f"/briefs/{desk.brief.slug}/")
    expect(page.locator("main")).to_contain_text(f"{CITED_WORDS} ({LABEL})")


def test_citing_at_the_cursor_inserts_one_token_that_typing_never_extends(
    page: Page, live_server: Any, desk: Desk
) -> None:
    log_in(page, live_server, desk.users.editor.username)
    editor = open_editor(page, live_server, desk.brief)
    after_word = PARAGRAPH.index(CITED_WORD) + len(CITED_WORD)
    select_text(page, editor, after_word, 0)

    # Nothing selected: the block toolbar's menu offers the citation at the cursor.
    page.locator(".Draftail-BlockToolbar__trigger").click()
    page.get_by_role("option", name="Source citation").click()
    choose_source(page, desk.source.title)

    cited = editor.locator(f'.draftail-source[data-source-id="{desk.source.pk}"]')
    expect(cited).to_have_text("Reuters")
    expect(editor).to_contain_text("Washington and Islamabad Reuters distrust each other.")
    # Typing right after the token writes text beside it, not inside it ... (the cursor put
    # there by hand: after the modal the focus is not reliably back in the text)
    editor.focus()
    cited.evaluate(
        """token => {
            const walker = document.createTreeWalker(token, NodeFilter.SHOW_TEXT);
            let last = null;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) last = node;
            const range = document.createRange();
            range.setStart(last, last.textContent.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    page.keyboard.type(" now")
    expect(cited).to_have_text("Reuters")
    expect(editor).to_contain_text("Islamabad Reuters now distrust")
    # ... and deleting into it removes it whole.
    for _ in range(len(" now") + 1):
        page.keyboard.press("Backspace")
    expect(cited).to_have_count(0)
    expect(editor).not_to_contain_text("Reuters")
    page.keyboard.press("Backspace")  # the space written before the token

    # Cite again, and store it.
    page.locator(".Draftail-BlockToolbar__trigger").click()
    page.get_by_role("option", name="Source citation").click()
    choose_source(page, desk.source.title)
    expect(cited).to_have_text("Reuters")
    wait_for_editor_to_store(page, desk.source)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(f"Page '{desk.brief.title}' has been updated.")).to_be_visible()

    token = f'<a linktype="source" id="{desk.source.pk}">Reuters</a>'
    (paragraph,) = latest_paragraphs(desk.brief)
    assert re.findall(r"<p[^>]*>(.*?)</p>", paragraph) == [
        f"Washington and Islamabad {token} distrust each other."
    ]

    # The saved citation loads back into the editor as a source citation.
    open_editor(page, live_server, desk.brief, "Islamabad Reuters distrust")
    cited_after_reload = page.locator(
        f"[data-contentpath='body'] .draftail-source[data-source-id=\"{desk.source.pk}\"]"
    )
    expect(cited_after_reload).to_have_text("Reuters")


def test_command_palette_inserts_the_chosen_sources_label(
    page: Page, live_server: Any, desk: Desk
) -> None:
    log_in(page, live_server, desk.users.editor.username)
    editor = open_editor(page, live_server, desk.brief)

    # "/" at the start of an empty line opens Draftail's command palette.
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("/")
    option = page.get_by_role("option", name="Source citation")
    expect(option).to_be_visible()
    option.click()

    choose_source(page, desk.other.title)

    # Nothing was selected, so the source's label is inserted as the citation's text.
    cited = editor.locator(f'.draftail-source[data-source-id="{desk.other.pk}"]')
    expect(cited).to_have_text(desk.other.parenthetical_label)
    wait_for_editor_to_store(page, desk.other)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(f"Page '{desk.brief.title}' has been updated.")).to_be_visible()
    paragraphs = latest_paragraphs(desk.brief)
    assert len(paragraphs) == 1, paragraphs
    # The original line is untouched; the new line holds just the citation.
    label = desk.other.parenthetical_label
    lines = re.findall(r"<p[^>]*>(.*?)</p>", paragraphs[0])
    assert lines == [PARAGRAPH, f'<a linktype="source" id="{desk.other.pk}">{label}</a>']

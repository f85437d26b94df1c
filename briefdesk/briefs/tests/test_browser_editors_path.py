"""The editors' desk end to end, in real Chromium, counted in steps.

An author writes a brief with three citations made three ways (the toolbar's chooser on
selected words, the "/" menu, and a new source from a pasted URL), adds an Additional
Analysis item and submits it for review. An editor requests a change with a comment; the
author sees the comment on the dashboard, fixes the brief and submits again; the editor
compares with the last submission, sees exactly the change, and approves (publishing).
Then the published page, its PDF and the revision diff are checked.

Every user action (a click, a typed text, a key) goes through `Steps`, so the count the test
prints and checks is the count of what it really did; docs/editing.md gives the same path.
"""

from __future__ import annotations

import html as html_module
import re
import subprocess
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Locator, Page, expect

from briefdesk.briefs.models import BriefPage
from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
from briefdesk.sources.models import Outlet, Source
from tests.factories import (
    OutletFactory,
    SourceFactory,
    make_author,
    make_site_tree,
    make_users,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Typographic, as saving makes it (core/typography.py).
TITLE = "Floods Test Pakistan’s Civilian Government"
CITED_WORDS = "IMF’s staff had warned against in its last review"
FIRST = f"Relief has slowed, a shift the {CITED_WORDS}."
SECOND = "Donors have pledged less than a third of the appeal"
THIRD = "Local officials describe villages still cut off"
ANALYSIS = "An outside economist argues the army’s role will grow"
PASTED_URL = "https://www.dawn.com/news/1234567/relief-effort-falters"
NEW_TITLE = "Relief Effort Falters in Sindh"
CHANGE_REQUEST = "Say whose appeal it is."
ADDED = "The appeal is the UN’s."

# What the issue asks of the everyday path: a brief with three citations in under 25 steps.
MAX_STEPS_THREE_CITATIONS = 24


@dataclass
class Steps:
    """The user's actions, in order, each named as docs/editing.md names it."""

    log: list[str] = field(default_factory=list)

    def __call__(self, what: str) -> None:
        self.log.append(what)

    def __len__(self) -> int:
        return len(self.log)


def log_in(context: BrowserContext, live_server: Any, user: Any) -> None:
    # Logging in is not part of writing a brief: a session cookie, as a returning user has.
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def page(page: Page) -> Any:
    """The browser page, left on about:blank at the end: the editor pings the server while it
    is open, and the database is flushed after the test."""
    yield page
    page.goto("about:blank")


@pytest.fixture
def newsroom(live_server: Any) -> Any:
    ensure_migrated_data()
    tree = make_site_tree()
    users = make_users()
    make_author(tree, given="Ayesha", family="Whitcombe")
    SourceFactory(
        title="Pakistan Seeks Faster Flood Aid",
        outlet=OutletFactory(name="Reuters", short_label="Reuters"),
        issued="2010-09-07",
    )
    SourceFactory(
        title="Donors Slow to Answer UN Appeal",
        outlet=OutletFactory(name="The New York Times", short_label="NYT"),
        issued="2010-09-01",
    )
    OutletFactory(name="Dawn", short_label="Dawn", home_url="https://www.dawn.com/")
    return users


def draftail(page: Page, contentpath: str) -> Locator:
    return page.locator(f"[data-contentpath='{contentpath}'] .public-DraftEditor-content").last


def select_words(page: Page, editor: Locator, words: str) -> None:
    """Select `words` in the editor as a mouse drag would (one step for the user)."""
    page.evaluate(
        """([root, words]) => {
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                return;
            }
            throw new Error("words not in the editor: " + words);
        }""",
        [editor.element_handle(), words],
    )
    expect(editor).to_be_focused()


def choose_in_modal(page: Page, steps: Steps, search: str, pick: str) -> None:
    modal = page.locator(".modal-dialog")
    steps(f"type “{search}” in the chooser's search")
    modal.locator("input[name=q]").fill(search)
    steps(f"click “{pick}”")
    modal.get_by_role("link", name=pick).first.click()
    modal_closed(page)


def modal_closed(page: Page) -> None:
    """Wait until the modal is gone, as a person does before typing on: Wagtail removes it,
    and hands the focus back, only once it has faded out."""
    expect(page.locator(".modal")).to_have_count(0)
    page.wait_for_timeout(300)  # a person's pause before typing on


def write_and_submit(page: Page, live_server: Any, steps: Steps) -> int:
    page.goto(live_server.url + reverse("wagtailadmin_home"))
    steps("click New brief on the dashboard")
    page.get_by_role("link", name="New brief").first.click()
    steps("type the title")
    page.locator("#id_title").fill(TITLE)

    steps("click Choose an author")
    page.get_by_role("button", name="Choose an author").click()
    choose_in_modal(page, steps, "Whit", "Ayesha Whitcombe")

    body = page.locator("[data-contentpath='body']")
    steps("click + in Body")
    body.locator("button[title='Insert a block']").first.click()
    steps("choose Paragraph")
    page.get_by_role("option", name="Paragraph").first.click()
    editor = draftail(page, "body")

    # 1. The toolbar's chooser, on selected words: the words stay, the citation follows.
    steps("type the first paragraph")
    editor.click()
    page.keyboard.type(FIRST)
    steps("select the words the source supports")
    select_words(page, editor, CITED_WORDS)
    steps("click Source citation in the toolbar")
    page.get_by_role("button", name="Source citation").first.click()
    choose_in_modal(page, steps, "Reuters", "Pakistan Seeks Faster Flood Aid")

    # 2. The "/" menu, mid-line.
    # (After a chooser the focus is not reliably back in the text: click at its end.)
    steps("click at the end of the paragraph")
    editor.click()
    page.keyboard.press("Control+End")
    steps("type the second claim, then “ /source”")
    page.keyboard.press("Enter")
    page.keyboard.type(f"{SECOND} /source")
    steps("press Enter (Source citation)")
    page.keyboard.press("Enter")
    choose_in_modal(page, steps, "NYT", "Donors Slow to Answer UN Appeal")

    # 3. A new source from a pasted URL: the form is filled from what the URL tells.
    # (Opened from the "/" menu, Wagtail's modal hands the focus back to the page, not the
    # editor: the author clicks back at the end of the text.)
    steps("click at the end of the paragraph")
    editor.click()
    page.keyboard.press("Control+End")
    steps("type the third claim, then “ /source”")
    page.keyboard.type(f". {THIRD} /source")
    steps("press Enter (Source citation)")
    page.keyboard.press("Enter")
    modal = page.locator(".modal-dialog")
    steps("paste the article's URL in the chooser's search")
    modal.locator("input[name=q]").fill(PASTED_URL)
    steps("click Create a source from it")
    modal.get_by_role("link", name="Create a source from it").click()
    form = modal.locator("#tab-create")
    expect(form.locator("[name=url]")).to_have_value(PASTED_URL)
    dawn = Outlet.objects.get(name="Dawn")
    expect(form.locator("[name=outlet]")).to_have_value(str(dawn.pk))  # by the URL's domain
    steps("type the source's title")
    form.locator("[name=title]").fill(NEW_TITLE)
    steps("click Create source")
    form.get_by_role("button", name="Create source").click()
    modal_closed(page)
    three_citations = len(steps)
    wait_until_stored(page, "body-0-value", r'("type":\s*"SOURCE".*){3}')

    # Additional Analysis: one item, citing an existing source through "/".
    analysis = page.locator("[data-contentpath='additional_analysis']")
    steps("click + in Additional analysis")
    analysis.locator("button[title='Insert a block']").first.click()
    # Its only block is a commentary item: "+" inserts it and puts the cursor in it.
    steps("type the item, then “ /source”")
    expect(draftail(page, "additional_analysis")).to_be_focused()
    page.keyboard.type(f"{ANALYSIS} /source")
    steps("press Enter (Source citation)")
    page.keyboard.press("Enter")
    choose_in_modal(page, steps, "Reuters", "Pakistan Seeks Faster Flood Aid")
    wait_until_stored(page, "additional_analysis-0-value", r'"type":\s*"SOURCE"')

    submit(page, steps)
    return three_citations


def wait_until_stored(page: Page, field: str, pattern: str) -> None:
    """Draftail writes its state to the hidden form field a moment after each change (its
    `stateSaveInterval`): a person is slower than that, a test must wait for it."""
    expect(page.locator(f"input[type=hidden][name='{field}']")).to_have_value(
        re.compile(pattern, re.DOTALL)
    )


def submit(page: Page, steps: Steps) -> None:
    steps("open the Save draft menu")
    page.locator("footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle").first.click()
    steps("click Submit to Editorial review")
    page.get_by_role(
        "button", name=re.compile("^(Submit to Editorial review|Resubmit to )")
    ).click()
    expect(page.locator(".messages")).to_contain_text("submitted")


def published_text(client: Client, brief: BriefPage) -> str:
    html = client.get(brief.url).content.decode()
    text = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    return re.sub(r"\s+", " ", text)


def test_an_author_and_an_editor_write_review_and_publish_a_cited_brief_in_few_steps(
    context: BrowserContext, page: Page, live_server: Any, newsroom: Any
) -> None:
    users = newsroom
    page.route("https://www.gravatar.com/**", lambda route: route.abort())
    author_steps, editor_steps = Steps(), Steps()

    # --- the author writes and submits -------------------------------------------------
    log_in(context, live_server, users.author)
    three_citations = write_and_submit(page, live_server, author_steps)
    brief = BriefPage.objects.get(title=TITLE)
    created = Source.objects.get(url=PASTED_URL)
    assert created.outlet is not None and created.outlet.name == "Dawn"
    assert not brief.live

    # --- the editor requests a change -------------------------------------------------
    context.clear_cookies()
    log_in(context, live_server, users.editor)
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[brief.pk]))
    editor_steps("open the brief from Awaiting your review")
    editor_steps("open the actions menu")
    page.locator("footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle").first.click()
    editor_steps("click Request changes")
    page.get_by_role("button", name="Request changes").click()
    editor_steps("type the comment")
    page.locator(".modal-dialog textarea").first.fill(CHANGE_REQUEST)
    editor_steps("click Request changes in the dialog")
    page.locator(".modal-dialog").get_by_role("button", name="Request changes").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")
    workflow_state = BriefPage.objects.get(pk=brief.pk).current_workflow_state
    assert workflow_state is not None and workflow_state.status == "needs_changes"

    # --- the author sees the comment, fixes and resubmits ------------------------------
    context.clear_cookies()
    log_in(context, live_server, users.author)
    page.goto(live_server.url + reverse("wagtailadmin_home"))
    expect(page.get_by_text(CHANGE_REQUEST)).to_be_visible()
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[brief.pk]))
    draftail(page, "body").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(f" {ADDED}")
    wait_until_stored(page, "body-0-value", re.escape(ADDED))
    submit(page, Steps())

    # --- the editor compares with the last submission and approves ---------------------
    context.clear_cookies()
    log_in(context, live_server, users.editor)
    page.goto(live_server.url + reverse("wagtailadmin_home"))
    review = page.locator("#awaiting-review-section")
    expect(review).to_contain_text(TITLE)
    editor_steps("open the item's Actions menu in Awaiting your review")
    review.get_by_role("button", name="Actions").click()
    compare = review.get_by_role("link", name="Compare with last submission")
    editor_steps("click Compare with last submission")
    compare.click()
    diff = page.locator("main")
    # Exactly the words the author added since the last submission, nothing else.
    expect(diff.locator(".addition").first).to_be_visible()
    added = " ".join(" ".join(diff.locator(".addition").all_inner_texts()).split())
    assert added == ADDED
    expect(diff.locator(".deletion")).to_have_count(0)
    expect(page.get_by_text("There are no differences")).to_have_count(0)
    page.go_back()
    editor_steps("open the item's Actions menu")
    review = page.locator("#awaiting-review-section")
    review.get_by_role("button", name="Actions").click()
    editor_steps("click Approve")
    review.get_by_role("button", name="Approve", exact=True).click()
    editor_steps("click Approve and publish")
    page.locator(".modal-content").get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messages")).to_contain_text("approved and published")

    # --- what readers get ---------------------------------------------------------------
    brief.refresh_from_db()
    created.refresh_from_db()
    assert brief.live
    assert created.live  # a new source goes live with the brief citing it
    reader = Client()
    text = published_text(reader, brief)
    body_text = text[text.rfind("Relief has slowed") :][:400]
    assert f"{CITED_WORDS} (Reuters)" in text, body_text
    assert f"{SECOND} (NYT)" in text, body_text
    # (A citation's endnote number follows it: hidden on screen, printed.)
    assert re.search(rf"{THIRD} \(Dawn\)\d* {re.escape(ADDED)}", text), body_text
    assert f"{ANALYSIS} (Reuters)" in text, body_text
    pdf = reader.get(brief.url + "pdf/")
    assert pdf.status_code == 200
    pdf_text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.getvalue(), capture_output=True
    ).stdout.decode()
    flat = re.sub(r"\s+", " ", pdf_text)
    assert CITED_WORDS in flat
    assert NEW_TITLE in flat  # the new source is in the PDF's Sources list

    print(f"\nauthor: {three_citations} steps to three citations, {len(author_steps)} in all")
    for number, what in enumerate(author_steps.log, 1):
        print(f"  {number:2}. {what}")
    print(f"editor: {len(editor_steps)} steps")
    for number, what in enumerate(editor_steps.log, 1):
        print(f"  {number:2}. {what}")
    assert three_citations <= MAX_STEPS_THREE_CITATIONS

"""Quoted passages on source citations, in Wagtail's editor in a real browser: the chooser's
optional "Quoted passage" field puts the quote on the new citation (stored as `data-quote`),
the editor's "Quote checks" panel shows what its check found, and the citation's "Edit"
changes the quote."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from briefdesk.sources.models import Snapshot
from briefdesk.sources.richtext import QuotedCitation, quoted_citations
from briefdesk.sources.tests import test_browser_editor
from briefdesk.sources.tests.test_browser_editor import (
    PARAGRAPH,
    Desk,
    choose_source,
    latest_paragraphs,
    log_in,
    open_editor,
    select_text,
    wait_for_editor_to_store,
)

desk = test_browser_editor.desk  # the editor tests' fixture: a brief, two sources, users

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STORY = "Officials in Islamabad said the “port deal” would be signed within weeks."
QUOTE = 'the "port deal" would be signed within weeks'
CHANGED = "Officials in Beijing welcomed the agreement warmly"


def save_draft(page: Page, desk: Desk) -> None:
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(f"Page '{desk.brief.title}' has been updated.")).to_be_visible()


def test_an_author_quotes_a_source_when_citing_it_and_changes_the_quote_later(
    page: Page, live_server: Any, desk: Desk
) -> None:
    Snapshot.objects.create(
        source=desk.source,
        captured_at=timezone.now() - dt.timedelta(days=1),
        url="https://news.example/port",
        final_url="https://news.example/port",
        status=200,
        content_type="text/html",
        warc=f"snapshots/{desk.source.pk}.warc.gz",
        text=STORY,
        sha256="0" * 64,
        size=len(STORY),
    )
    log_in(page, live_server, desk.users.editor.username)
    editor = open_editor(page, live_server, desk.brief)
    select_text(page, editor, PARAGRAPH.index("Islamabad") + len("Islamabad"), 0)

    # The chooser offers an optional quoted passage; choosing the source inserts the
    # citation carrying it.
    page.locator(".Draftail-BlockToolbar__trigger").click()
    page.get_by_role("option", name="Source citation").click()
    page.locator(".modal-dialog").get_by_label("Quoted passage (optional)").fill(QUOTE)
    choose_source(page, desk.source.title)
    cited = editor.locator(f'.draftail-source--quoted[data-source-id="{desk.source.pk}"]')
    expect(cited).to_have_text("Reuters")
    wait_for_editor_to_store(page, desk.source)
    save_draft(page, desk)
    (paragraph,) = latest_paragraphs(desk.brief)
    assert quoted_citations([paragraph]) == [QuotedCitation(desk.source.pk, QUOTE)]
    assert re.search(r'data-quote="the &quot;port deal&quot; would be signed', paragraph)

    # The editor shows the check of the saved draft.
    editor = open_editor(page, live_server, desk.brief, "Islamabad Reuters distrust")
    panel = page.locator("#quote-checks")
    expect(panel).to_contain_text("Quotes: 1 found")
    expect(panel.locator('[data-status="found"]')).to_contain_text(QUOTE)

    # "Edit" on the citation changes its quote.
    cited = editor.locator(f'.draftail-source[data-source-id="{desk.source.pk}"]')
    cited.locator("[data-text]").click()  # the tooltip opens on its text
    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name=re.compile("Quote from"))
    field = dialog.get_by_label("Quoted passage (optional)")
    expect(field).to_have_value(QUOTE)
    field.fill(CHANGED)
    dialog.get_by_role("button", name="Save quote").click()
    expect(dialog).to_have_count(0)
    field_value = page.locator("input[type=hidden][name='body-0-value']")
    expect(field_value).to_have_value(re.compile("Beijing welcomed"))
    save_draft(page, desk)
    (paragraph,) = latest_paragraphs(desk.brief)
    assert quoted_citations([paragraph]) == [QuotedCitation(desk.source.pk, CHANGED)]
    expect(page.locator("#quote-checks")).to_contain_text("Quotes: 1 not found")

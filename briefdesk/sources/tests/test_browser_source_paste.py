"""Citing a new source by pasting its URL into the editor's source chooser, in a real browser:
what only the modal's JavaScript does (the offer's link loads in the modal, the "Create source"
tab opens filled in, creating it cites it). The server side: test_source_search.py."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from briefdesk.sources.models import Source
from briefdesk.sources.tests.test_browser_editor import (
    CITED_WORD,
    PARAGRAPH,
    Desk,
    desk,
    log_in,
    open_editor,
    select_text,
    wait_for_editor_to_store,
)
from tests.factories import OutletFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

__all__ = ["desk"]  # the fixture, shared with the editor's browser tests

PASTED = "https://www.dawn.com/news/1599/envoy-recalled"


def test_pasting_an_unknown_url_creates_the_source_and_cites_it(
    page: Page, live_server: Any, desk: Desk
) -> None:
    dawn = OutletFactory(name="Dawn", short_label="Dawn", home_url="https://www.dawn.com/")
    log_in(page, live_server, desk.users.editor.username)
    editor = open_editor(page, live_server, desk.brief)
    select_text(page, editor, PARAGRAPH.index(CITED_WORD) + len(CITED_WORD), 0)
    page.locator(".Draftail-BlockToolbar__trigger").click()
    page.get_by_role("option", name="Source citation").click()

    modal = page.locator(".modal-dialog")
    modal.locator("#id_q").fill(PASTED)
    expect(modal.get_by_text("No source has this URL")).to_be_visible()
    modal.get_by_role("link", name="Create a source from it").click()

    # The modal now shows the "Create source" tab, filled from the URL.
    expect(modal.locator("#tab-create")).to_be_visible()
    expect(modal.locator("#tab-create [name=url]")).to_have_value(PASTED)
    expect(modal.locator("#tab-create [name=outlet]")).to_have_value(str(dawn.pk))
    modal.locator("#tab-create [name=title]").fill("Envoy recalled")
    modal.locator("#tab-create").get_by_role("button", name="Create source").click()
    expect(modal).to_be_hidden()

    source = Source.objects.get(url=PASTED)
    assert (source.title, source.outlet, source.live) == ("Envoy recalled", dawn, False)
    expect(editor.locator(f'.draftail-source[data-source-id="{source.pk}"]')).to_have_text("Dawn")
    wait_for_editor_to_store(page, source)

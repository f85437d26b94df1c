"""The baked site's search, in real Chromium: Pagefind's index in OUTDIR/pagefind/, the static
search page, and the header's search form sending ?q= to it. No Django behind the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from briefdesk.bake.run import bake_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_a_search_on_the_baked_site_finds_the_brief_and_nothing_private(
    page: Page, world: Any, tmp_path: Path, serve: Any
) -> None:
    bake_site(tmp_path, with_pdfs=False)
    assert (tmp_path / "pagefind" / "pagefind-ui.js").exists()
    base = serve(tmp_path)

    page.goto(f"{base}/")
    page.locator("#site-search-q").fill("clove")
    page.locator(".site-search button[type=submit]").click()

    page.wait_for_url(f"{base}/search/?q=clove")
    result = page.locator(".pagefind-ui__result-link").first
    expect(result).to_have_text("Zanzibar Clove Exports Collapse", timeout=10_000)
    # The excerpt is the brief's text, not its buttons or its print-only address.
    excerpt = page.locator(".pagefind-ui__result-excerpt").first
    expect(excerpt).to_contain_text("Harvests fell by half")
    for chrome in ("Print", "Cite", "127.0.0.1"):
        expect(excerpt).not_to_contain_text(chrome)
    result.click()
    page.wait_for_url(f"{base}/briefs/{world.brief.slug}/")
    expect(page.locator("h1")).to_contain_text("Zanzibar Clove Exports Collapse")

    # A restricted brief's words find nothing: it was never baked, so never indexed.
    page.goto(f"{base}/search/?q=members")
    expect(page.locator(".pagefind-ui__message")).to_contain_text("No results")


def test_a_search_over_several_index_shards_finds_a_brief_in_any_of_them(
    page: Page, world: Any, tmp_path: Path, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("briefdesk.bake.search.SHARD_SIZE", 1)
    report = bake_site(tmp_path, with_pdfs=False)
    assert report.search_shards[1] > 1
    assert (tmp_path / "pagefind-1" / "pagefind-entry.json").exists()
    base = serve(tmp_path)
    for query, title in [("clove", "Zanzibar Clove Exports Collapse"), ("torkham", "Torkham")]:
        page.goto(f"{base}/search/?q={query}")
        expect(page.locator(".pagefind-ui__result-link").first).to_contain_text(title)

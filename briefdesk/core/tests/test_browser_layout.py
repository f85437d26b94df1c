"""The layout in real Chromium: at 1280 px the brief's side column (topics, authors, More on
This Topic) stands beside the brief and the front page has two columns; on a phone (390 px)
everything is one column, the side column after the brief, nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import FloatRect, Page

from briefdesk.briefs.tests.test_browser_brief import Anatomy, build_anatomy_brief

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def box(page: Page, selector: str) -> FloatRect:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def test_the_side_column_is_beside_the_brief_at_1280_and_below_it_on_a_phone(
    live_server: Any, page: Page
) -> None:
    anatomy: Anatomy = build_anatomy_brief()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + anatomy.brief.url)
    brief, side = box(page, ".brief"), box(page, ".brief-side")
    assert side["x"] >= brief["x"] + brief["width"]
    assert side["y"] < brief["y"] + 200
    assert page.locator(".brief-side .side-authors").is_visible()
    page.goto(live_server.url + "/")
    latest, aside = box(page, ".front__latest"), box(page, ".front__side")
    assert aside["x"] >= latest["x"] + latest["width"]

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + anatomy.brief.url)
    brief, side = box(page, ".brief"), box(page, ".brief-side")
    assert side["y"] >= brief["y"] + brief["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + "/")
    latest, aside = box(page, ".front__latest"), box(page, ".front__side")
    assert aside["y"] >= latest["y"] + latest["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""Approving from the dashboard in real Chromium: "Approve" in "Awaiting your review" opens a
confirmation that says what will happen, nothing is published until it is confirmed, and the
dashboard then says what happened. (The modal is Wagtail's JavaScript; the request tests in
test_review_feedback.py cover the views behind it.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from briefdesk.briefs.models import BriefPage
from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
from tests.factories import make_author, make_brief, make_site_tree, make_users

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def log_in(context: BrowserContext, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def submitted(live_server: Any) -> tuple[BriefPage, Any]:
    ensure_migrated_data()
    tree = make_site_tree()
    users = make_users()
    brief = make_brief(
        tree,
        title="Ports and Power",
        authors=[make_author(tree)],
        publish=False,
        live=False,
        owner=users.author,
    )
    brief.get_workflow().start(brief, users.author)
    return brief, users


def test_approving_from_the_dashboard_asks_first_then_says_what_happened(
    context: BrowserContext, page: Page, live_server: Any, submitted: tuple[BriefPage, Any]
) -> None:
    brief, users = submitted
    log_in(context, live_server, users.editor)
    page.goto(f"{live_server.url}/admin/")

    review = page.locator("#awaiting-review-section")
    expect(review).to_contain_text("Ports and Power")
    review.get_by_role("button", name="Actions").click()
    review.get_by_role("button", name="Approve", exact=True).click()

    modal = page.locator(".modal-content")
    expect(modal).to_contain_text("Approve ‘Ports and Power’?")
    expect(modal).to_contain_text("It will be published now.")
    brief.refresh_from_db()
    assert not brief.live  # nothing happened on the first click

    modal.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messages")).to_contain_text("‘Ports and Power’ approved and published.")
    brief.refresh_from_db()
    assert brief.live

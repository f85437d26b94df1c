"""The Content-Security-Policy in real Chromium: the brief page, its Cite dialog and the Sources
style switch run under the public policy without a single violation, for readers and for
editors (Wagtail's userbar), and the admin's preview panel still frames the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from briefdesk.briefs.tests.test_browser_brief import Anatomy, build_anatomy_brief
from tests.factories import make_users

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Collected before any page script runs; init scripts are not subject to the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture
def anatomy(live_server: Any) -> Anatomy:
    return build_anatomy_brief()


class Violations:
    """CSP reports from the console and from `securitypolicyviolation` events, on every frame."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def all(self) -> list[str]:
        events = self.page.evaluate("window.__cspViolations || []")
        return [*self.console, *events]


def watch(context: BrowserContext, page: Page) -> Violations:
    context.add_init_script(RECORD_VIOLATIONS)
    return Violations(page)


def log_in(context: BrowserContext, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def use_the_brief(page: Page, live_server: Any, anatomy: Anatomy) -> None:
    """Open the brief, the Cite dialog (switch its style, close it) and switch the Sources list."""
    response = page.goto(live_server.url + anatomy.path)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator('[data-action="print"]')).to_be_visible()

    page.locator('a[data-action="cite"]').click()
    dialog = page.locator("#cite-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("APA", exact=True).check()
    expect(page.locator("#cite-dialog .cite-text:visible")).to_have_attribute("data-style", "apa")
    dialog.locator('[data-cite="close"]').click()
    expect(dialog).to_be_hidden()

    page.locator('[data-source-style="apa"]').click()
    expect(page.locator('[data-source-style="apa"]')).to_have_attribute("aria-current", "true")
    expect(page.locator(".source-list-wrap")).to_have_attribute("data-current-style", "apa")
    expect(page).to_have_url(re.compile(r"\?style=apa#sources$"))


def test_a_reader_uses_the_brief_page_without_a_policy_violation(
    context: BrowserContext, page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    violations = watch(context, page)

    use_the_brief(page, live_server, anatomy)

    assert violations.all() == []
    # The watch can fail: an inline style attribute added now is blocked and reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in v for v in violations.all())


def test_an_editor_with_the_wagtail_userbar_sees_no_policy_violation(
    context: BrowserContext, page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    log_in(context, live_server, make_users().editor)
    violations = watch(context, page)

    use_the_brief(page, live_server, anatomy)
    expect(page.locator("wagtail-userbar")).to_have_count(1)
    page.locator("wagtail-userbar").locator("[data-wagtail-userbar-trigger]").click()

    assert violations.all() == []


def test_the_admin_preview_panel_frames_the_brief(
    context: BrowserContext, page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    log_in(context, live_server, make_users().editor)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "frame" in m.text.lower() else None)

    page.goto(f"{live_server.url}/admin/pages/{anatomy.brief.pk}/edit/")
    page.locator('button[data-side-panel-toggle="preview"]').click()
    # Wagtail loads each preview into a fresh iframe beside the old one, then swaps them.
    frame = page.locator("iframe.w-preview__iframe").last.content_frame
    expect(frame.locator("h1")).to_have_text(anatomy.brief.title, timeout=20_000)

    assert [m for m in blocked if "refused" in m.lower()] == []

"""axe-core checks on the public pages: no serious or critical violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from briefdesk.briefs.tests.test_browser_brief import Anatomy, build_anatomy_brief

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(settings.PROJECT_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def anatomy(live_server: Any) -> Anatomy:
    return build_anatomy_brief()


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """axe-core is injected as an inline script, which the site's policy rightly blocks."""
    return {**browser_context_args, "bypass_csp": True}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it stands; return the serious and critical violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE} (run `npm ci`)")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, "axe found serious/critical violations:\n" + describe(violations)


def test_brief_page_has_no_serious_accessibility_violations(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    page.goto(live_server.url + anatomy.path)
    expect(page.locator('[data-action="print"]')).to_be_visible()
    # Every part of the brief is on the page being checked.
    for selector in (".topic-box", ".brief-quote", ".additional-analysis", ".sources",
                     ".more-on-topic", ".cite"):  # fmt: skip
        expect(page.locator(selector).first).to_be_visible()
    assert_accessible(page)


def test_open_cite_dialog_has_no_serious_accessibility_violations(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    page.goto(live_server.url + anatomy.path)
    expect(page.locator('[data-action="print"]')).to_be_visible()
    page.locator('a[data-action="cite"]').click()
    expect(page.locator("#cite-dialog")).to_be_visible()
    assert_accessible(page)


def test_home_page_has_no_serious_accessibility_violations(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    page.goto(live_server.url + "/")
    expect(page.locator(".brief-item")).to_have_count(2)
    assert_accessible(page)


def test_topic_page_has_no_serious_accessibility_violations(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    page.goto(live_server.url + anatomy.topic.url)
    expect(page.locator("h1")).to_have_text(anatomy.topic.title)
    expect(page.locator(".brief-item")).to_have_count(2)
    assert_accessible(page)


def test_author_page_has_no_serious_accessibility_violations(
    page: Page, live_server: Any, anatomy: Anatomy
) -> None:
    author = anatomy.authors[0]
    page.goto(live_server.url + author.url)
    expect(page.locator("h1")).to_have_text(author.name)
    expect(page.locator(".brief-item")).to_have_count(1)
    assert_accessible(page)

"""Archived HTML never runs script, in the site's origin or its own, in real Chromium.

A captured page tries everything: an inline script, an external script, an `onerror` handler,
`<svg onload>`, `<body onload>`, an iframe with `srcdoc` script, a meta refresh to a
`javascript:` URL, and requests outside (an image, a stylesheet). Each script would set a
flag on its own document and on the parent's, and change the parent's title. Opened through
the archived view (framed) and on its own (the raw URL as a top-level page), nothing runs and
the local web sees no request from the browser. The same page served by the local web without
the archive's policy does run its scripts: the checks can fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
from briefdesk.sources.archiving import capture_source
from briefdesk.sources.models import Snapshot, Source
from tests.factories import SourceFactory, cite, make_brief, make_site_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Every way a page runs script: each sets data-ran on its own <html> and pokes the parent.
RUN = (
    "document.documentElement.dataset.ran='{how}';"
    "try{{parent.__pwned='{how}';parent.document.title='pwned'}}catch(e){{}}"
)


def hostile_page(outside: str) -> str:
    return f"""<!doctype html><html><head><title>Hostile page</title>
<meta http-equiv="refresh" content="0;url=javascript:{RUN.format(how="refresh")}">
<link rel="stylesheet" href="{outside}/style.css">
<script>{RUN.format(how="inline")}</script>
<script src="{outside}/evil.js"></script>
</head><body onload="{RUN.format(how="body-onload")}">
<h1>Reservoirs at a low</h1>
<p>Storage fell by a third over the dry season, the water authority said on Monday.</p>
<img src="{outside}/pixel.png" alt="">
<img src="x:nothing" onerror="{RUN.format(how="onerror")}" alt="">
<svg onload="{RUN.format(how="svg-onload")}"></svg>
<iframe srcdoc="<script>parent.parent.__pwned='srcdoc'</script>"></iframe>
</body></html>"""


class Hostile:
    def __init__(self, web: LocalWeb, source: Source, snapshot: Snapshot) -> None:
        self.web = web
        self.source = source
        self.snapshot = snapshot

    def view(self, name: str = "archive") -> str:
        return reverse(f"sources:{name}", args=[self.source.pk, self.snapshot.pk])

    def browser_requests(self) -> list[str]:
        return [r.path for r in self.web.requests_to("outside") if r.path != "/"]


@pytest.fixture
def hostile(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[Hostile]:
    ensure_migrated_data()
    settings.BRIEFDESK_PRIVATE_ROOT = tmp_path / "private"
    with LocalWeb() as web:
        outside = web.host("outside")
        web.route(
            "outside",
            "/evil.js",
            Route(
                body=RUN.format(how="external").encode(),
                headers={"Content-Type": "text/javascript"},
            ),
        )
        web.route("news", "/hostile", Route.html(hostile_page(outside)))
        tree = make_site_tree()
        source = SourceFactory(title="Hostile page", url=web.url("news", "/hostile"))
        make_brief(tree, body=[("paragraph", f"<p>Low {cite(source)}.</p>")])
        snapshot = capture_source(source.pk)
        assert isinstance(snapshot, Snapshot), snapshot
        yield Hostile(web, source, snapshot)


def nothing_ran(page: Page, frame_document: Any) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.title") != "pwned"
    assert frame_document.evaluate("document.documentElement.dataset.ran || null") is None


# Recorded before the archived view's own code could run (init scripts bypass the policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def test_the_archived_view_frames_the_page_without_running_any_of_its_scripts(
    context: BrowserContext, page: Page, live_server: Any, hostile: Hostile
) -> None:
    context.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(live_server.url + hostile.view())
    assert response is not None and response.status == 200
    expect(page.locator(".archive-banner")).to_contain_text("Archived by")
    frame_element = page.locator("iframe.archived__frame")
    frame_element.scroll_into_view_if_needed()
    frame = frame_element.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    expect(frame_element.content_frame.locator("h1")).to_have_text("Reservoirs at a low")
    page.wait_for_timeout(500)  # time for a refresh, an onload or a late request

    nothing_ran(page, frame)
    assert hostile.browser_requests() == []
    # The view itself (banner, text, frame) keeps to the site's policy; the frame's blocked
    # scripts are reported in the frame's document, not here.
    assert page.evaluate("window.__cspViolations") == []


def test_the_raw_page_opened_on_its_own_runs_no_script(
    page: Page, live_server: Any, hostile: Hostile
) -> None:
    response = page.goto(live_server.url + hostile.view("archive_raw"))
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("Reservoirs at a low")
    page.wait_for_timeout(500)

    nothing_ran(page, page.main_frame)
    assert hostile.browser_requests() == []


def test_the_same_page_without_the_archives_policy_does_run_its_scripts(
    page: Page, hostile: Hostile
) -> None:
    """The checks above can fail: served as it was captured, the page's scripts run."""
    page.goto(hostile.web.url("news", "/hostile"))
    page.wait_for_function("document.documentElement.dataset.ran")

    assert page.evaluate("window.__pwned") is not None
    assert "/evil.js" in hostile.browser_requests()

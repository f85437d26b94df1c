"""Reading pages in request tests."""

from __future__ import annotations

from typing import Any


def html_of(client: Any, url: str) -> str:
    """The page at `url` as text; fails the test unless it answers 200."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def page_html(client: Any, page: Any) -> str:
    return html_of(client, page.url)


def section(html: str, start: str, end: str) -> str:
    """The part of the page between two markers (both must be present)."""
    _, found, rest = html.partition(start)
    assert found, f"{start!r} not in page"
    body, found, _ = rest.partition(end)
    assert found, f"{end!r} not after {start!r}"
    return body

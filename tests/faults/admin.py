"""What an editor's browser posts to the admin, over HTTP, for the fault tests."""

from __future__ import annotations

import re

import requests

SOURCE_ADD = "/admin/snippets/sources/source/add/"
SOURCE_TABLE = "sources_source"


def source_form(title: str) -> dict[str, str]:
    """The Source add form, saved as a draft: a report with an author and a year."""
    return {
        "kind": "report",
        "outlet": "",
        "title": title,
        "title_apa": "",
        "authors": "Bajoria, Jayshree",
        "issued": "2024",
        "accessed": "",
        "url": "",
        "number": "",
        "publisher": "",
        "publisher_place": "",
        "genre": "",
        "medium": "",
        "container_title": "",
        "label": "",
        "csl_extra": "{}",
    }


def save_source(session: requests.Session, url: str, title: str, timeout: float = 30) -> int:
    """Save a new source through the admin's add form; its id when the admin said it was
    saved (a redirect to its edit view). Raises on anything else."""
    answer = session.post(
        url + SOURCE_ADD,
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], **source_form(title)},
        timeout=timeout,
        allow_redirects=False,
    )
    location = answer.headers.get("Location", "")
    found = re.search(r"/admin/snippets/sources/source/edit/(\d+)/", location)
    if answer.status_code != 302 or not found:
        raise AssertionError(f"not saved: {answer.status_code} {location or answer.text[:300]}")
    return int(found.group(1))

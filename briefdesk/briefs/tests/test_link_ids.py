"""Stored rich text whose link ids an author controls (the editor posts contentstate JSON,
an import writes HTML): readers get a page, never a 500, and no element id of the author's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_brief

pytestmark = pytest.mark.django_db

BAD_IDS = ["cite-dialog", "9" * 19, "9" * 5000, "１２", ""]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("linktype", ["page", "source", "document"])
def test_a_link_whose_id_is_no_row_id_renders_as_text(
    client: Any, site_tree: Any, linktype: str, bad_id: str
) -> None:
    link = f'<a linktype="{linktype}" id="{bad_id}">linked words</a>'
    brief = make_brief(
        site_tree,
        slug="odd-link-ids",
        body=[("paragraph", f"<p>Before {link} after.</p>")],
        additional_analysis=[f"<p>{link}</p>"],
    )

    response = client.get(brief.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "linked words" in html
    assert html.count('id="cite-dialog"') <= 1  # the page's own dialog, if any


def test_an_authored_anchor_id_never_reaches_readers(client: Any, site_tree: Any) -> None:
    brief = make_brief(
        site_tree,
        slug="clobbering-anchor",
        body=[("paragraph", '<p><a id="cite-dialog" href="https://x.example/">x</a></p>')],
    )

    html = client.get(brief.url).content.decode()

    assert html.count('id="cite-dialog"') == 1
    assert 'href="https://x.example/"' in html

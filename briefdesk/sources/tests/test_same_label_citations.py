"""Two sources with the same label in one brief are told apart: "(Cable, Feb. 2009)"."""

from __future__ import annotations

from typing import Any

import pytest

from briefdesk.sources.richtext import LabelledSource, distinct_labels
from tests.factories import OutletFactory, SourceFactory, cite, make_brief, make_site_tree
from tests.pages import page_html


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        # A label no other source shows is kept.
        ([("Cable", "2009-02-12"), ("Reuters", "2009-02-12")], ["Cable", "Reuters"]),
        # Shared: month and year when that tells them apart ("cable" is the same label).
        (
            [("Cable", "2009-02-12"), ("cable", "2009-05-03")],
            ["Cable, Feb. 2009", "cable, May 2009"],
        ),
        # Same month: the full date; year-only and undated ones as they are.
        (
            [("Cable", "2009-02-12"), ("Cable", "2009-02-20"), ("Cable", "2008"), ("Cable", "")],
            ["Cable, Feb. 12, 2009", "Cable, Feb. 20, 2009", "Cable, 2008", "Cable, n.d."],
        ),
        # Same date: a letter in order of citation.
        ([("PDF", "2010-09"), ("PDF", "2010-09")], ["PDF, Sept. 2010a", "PDF, Sept. 2010b"]),
    ],
)
def test_shared_labels_get_the_shortest_date_that_tells_them_apart(
    sources: list[tuple[str, str]], expected: list[str]
) -> None:
    labelled = [LabelledSource(n, label, issued) for n, (label, issued) in enumerate(sources)]

    labels = distinct_labels(labelled)

    assert [labels[n] for n in range(len(sources))] == expected


@pytest.mark.django_db
def test_a_brief_citing_two_cables_shows_which_is_which(client: Any) -> None:
    tree = make_site_tree()
    wikileaks = OutletFactory(name="WikiLeaks", short_label="Cable")
    first = SourceFactory(kind="diplomatic_cable", outlet=wikileaks, issued="2009-02-12", url="")
    second = SourceFactory(kind="diplomatic_cable", outlet=wikileaks, issued="2010-01-05", url="")
    brief = make_brief(tree, body=[("paragraph", f"<p>One {cite(first)}, two {cite(second)}.</p>")])

    html = page_html(client, brief)

    assert f'data-source="{first.pk}">Cable, Feb. 2009</a>)' in html
    assert f'data-source="{second.pk}">Cable, Jan. 2010</a>)' in html

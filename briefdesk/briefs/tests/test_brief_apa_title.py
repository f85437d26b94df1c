"""The brief's own APA citation: the title an editor set in sentence case, else the title in
automatic sentence case, with its authors' names kept as proper nouns."""

from __future__ import annotations

import pytest

from tests.factories import make_author, make_brief, make_site_tree

pytestmark = pytest.mark.django_db

CASES = [
    # (title, title_apa, expected in the APA entry)
    ("How WikiLeaks Hurts U.S.-Pakistan Ties", "", "How WikiLeaks hurts U.S.-Pakistan ties"),
    ("Why Bajoria Doubts the Floods Aid Plan", "", "Why Bajoria doubts the floods aid plan"),
    (
        "The Nuclear Arsenal",
        "The nuclear Arsenal (set by hand)",
        "The nuclear Arsenal (set by hand)",
    ),
]


@pytest.mark.parametrize(("title", "title_apa", "expected"), CASES)
def test_the_apa_entry_uses_the_hand_set_title_or_the_automatic_sentence_case(
    title: str, title_apa: str, expected: str
) -> None:
    tree = make_site_tree()
    brief = make_brief(
        tree, title=title, slug="brief", title_apa=title_apa, authors=[make_author(tree)]
    )

    assert expected in brief.citations["apa"]["bibliography"]
    assert title in brief.citations["mla"]["bibliography"]

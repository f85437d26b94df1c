"""Moving cited words out of source citations (briefdesk.sources.richtext.split_cited_text):
a table of stored HTML in and out. The data migration that applies it to stored briefs and
revisions is tested in briefdesk/briefs/tests/test_cited_text_migration.py."""

from __future__ import annotations

import pytest

from briefdesk.sources.richtext import split_cited_text

# Source 7 shows "WQ" now (its outlet's short label); it could also show its outlet's name,
# "PDF" or its kind. Source 8 has no outlet.
LABELS = {
    7: ["WQ", "WQ", "Washington Quarterly", "PDF", "Journal article"],
    8: ["Report", "PDF", "Report"],
}


def src(source_id: int | str, text: str) -> str:
    """A source citation as Wagtail stores it."""
    return f'<a linktype="source" id="{source_id}">{text}</a>'


SPLIT = [
    # Words inside a citation move before it; the citation holds the label.
    (
        f"<p>a shift the {src(7, 'IMF&#x27;s staff had warned against')}.</p>",
        f"<p>a shift the IMF&#x27;s staff had warned against {src(7, 'WQ')}.</p>",
    ),
    (f"<p>{src(8, 'Cables')}</p>", f"<p>Cables {src(8, 'Report')}</p>"),
    # Inline markup inside the words is kept with them.
    (f"<p>{src(7, '<b>bold</b> claim')}</p>", f"<p><b>bold</b> claim {src(7, 'WQ')}</p>"),
    # Whitespace that ended the words stays after the citation.
    (f"<p>{src(7, 'Islamabad ')}distrust</p>", f"<p>Islamabad {src(7, 'WQ')} distrust</p>"),
    # A label placeholder — any label the source could show, in any case, with or without
    # parentheses and spaces — is a token already.
    (f"<p>Claim {src(7, 'WQ')}.</p>", f"<p>Claim {src(7, 'WQ')}.</p>"),
    (f"<p>Claim {src(7, 'Washington Quarterly')}.</p>", None),
    (f"<p>Claim {src(7, 'washington quarterly')}.</p>", None),
    (f"<p>Claim {src(7, ' (Washington Quarterly) ')}.</p>", None),
    (f"<p>Claim {src(7, '(wq)')}.</p>", None),
    (f"<p>Claim {src(7, 'PDF')}.</p>", None),
    (f"<p>Claim {src(7, 'Journal article')}.</p>", None),
    (f"<p>Claim {src(7, '<i>WQ</i>')}.</p>", None),
    (f"<p>Claim {src(8, 'report')}.</p>", None),
    # An empty citation is a token too.
    (f"<p>Claim {src(7, '')}.</p>", None),
    (f"<p>Claim {src(7, ' ')}.</p>", None),
    # Another source's label is not this source's placeholder.
    (f"<p>{src(8, 'WQ')}</p>", f"<p>WQ {src(8, 'Report')}</p>"),
    # Only the citations holding words change.
    (
        f"<p>{src(7, 'First claim')} and {src(8, 'Report')}, {src(8, 'second')}</p>",
        f"<p>First claim {src(7, 'WQ')} and {src(8, 'Report')}, second {src(8, 'Report')}</p>",
    ),
    # A missing source, a bad id, other links: untouched, nothing dropped.
    (f"<p>{src(99, 'Gone words')}</p>", None),
    (f"<p>{src('x', 'Bad id')}</p>", None),
    (f"<p>{src('', 'No id')}</p>", None),
    ('<p><a linktype="page" id="7">About us</a></p>', None),
    ('<p><a href="https://example.org/">words</a></p>', None),
    ("<p>No links at all.</p>", None),
    ("", None),
]


@pytest.mark.parametrize(("db_html", "expected"), SPLIT)
def test_cited_words_move_before_the_citation_which_keeps_only_the_label(
    db_html: str, expected: str | None
) -> None:
    assert split_cited_text(db_html, LABELS) == (db_html if expected is None else expected)


@pytest.mark.parametrize(("db_html", "expected"), SPLIT)
def test_splitting_twice_changes_nothing_more(db_html: str, expected: str | None) -> None:
    once = split_cited_text(db_html, LABELS)

    assert split_cited_text(once, LABELS) == once


def test_the_label_is_escaped_as_text() -> None:
    assert split_cited_text(src(3, "words"), {3: ["A&B <C>"]}) == (
        f"words {src(3, 'A&amp;B &lt;C&gt;')}"
    )


def test_a_citation_with_attributes_in_another_order_keeps_them() -> None:
    stored = '<a id="7" linktype="source">the words</a>'

    assert split_cited_text(stored, LABELS) == 'the words <a id="7" linktype="source">WQ</a>'


def test_a_source_with_no_labels_is_left_alone() -> None:
    assert split_cited_text(src(3, "words"), {3: []}) == src(3, "words")

"""Source citations inside rich text (briefdesk.sources.richtext) and the teasers listings
show (briefdesk.briefs.teasers): plain functions, tested as tables of input and output."""

from __future__ import annotations

import pytest

from briefdesk.briefs.teasers import plain_text
from briefdesk.sources.richtext import (
    CitedSource,
    cited_source_ids,
    render_source_citations,
    sanitize,
)


def src(source_id: int | str, text: str = "Reuters") -> str:
    """A source citation as Wagtail stores it."""
    return f'<a id="{source_id}" linktype="source">{text}</a>'


# --- cited_source_ids --------------------------------------------------------------------

CITED_IDS = [
    ([], []),
    (["<p>No citations here.</p>"], []),
    ([f"<p>One {src(3)} two {src(1)}.</p>"], [3, 1]),
    ([f"<p>{src(2)} {src(5)} {src(2)}</p>"], [2, 5]),
    ([f"<p>{src(4)}</p>", f"<p>{src(9)} {src(4)}</p>", f"<p>{src(7)}</p>"], [4, 9, 7]),
    (['<p><a linktype="source" id="8">R</a></p>'], [8]),
    (['<p><a id="3" linktype="page">About</a></p>'], []),
    (['<p><a href="https://example.org/">Link</a></p>'], []),
    ([src("abc"), src("0"), src("-2"), src("")], []),
    ([f'<p><a id="12" linktype="source">Multi\nline</a> {src(13)}</p>'], [12, 13]),
]


@pytest.mark.parametrize(("values", "expected"), CITED_IDS)
def test_cited_source_ids_are_in_order_of_first_citation_without_repeats(
    values: list[str], expected: list[int]
) -> None:
    assert cited_source_ids(values) == expected


def test_cited_source_ids_reads_any_iterable_once() -> None:
    values = (f"<p>{src(n)}</p>" for n in (3, 1, 3))

    assert cited_source_ids(values) == [3, 1]


# --- render_source_citations -------------------------------------------------------------

REUTERS = CitedSource(id=1, label="Reuters", url="https://www.reuters.com/a")
NYT = CitedSource(id=2, label="NYT", url="https://www.nytimes.com/b")
CABLE = CitedSource(id=3, label="WikiLeaks", url="")
SOURCES = {s.id: s for s in (REUTERS, NYT, CABLE)}

RENDERED = [
    (
        f"<p>A claim {src(1)}.</p>",
        '<p>A claim <span class="cite">(<a href="https://www.reuters.com/a" data-source="1" '
        'data-originalurl="https://www.reuters.com/a">'
        "Reuters</a>)</span>.</p>",
    ),
    (
        # The label comes from the source as it is now, not from the stored text.
        f"<p>{src(2, 'The New York Times')}</p>",
        '<p><span class="cite">(<a href="https://www.nytimes.com/b" data-source="2" '
        'data-originalurl="https://www.nytimes.com/b">NYT</a>)'
        "</span></p>",
    ),
    (
        f"<p>{src(3, 'Cable')}</p>",
        '<p><span class="cite">(<a href="#source-3" data-source="3">WikiLeaks</a>)</span></p>',
    ),
    (
        f"<p>{src(1)} and {src(2)}</p>",
        '<p><span class="cite">(<a href="https://www.reuters.com/a" data-source="1" '
        'data-originalurl="https://www.reuters.com/a">Reuters</a>)'
        '</span> and <span class="cite">(<a href="https://www.nytimes.com/b" data-source="2" '
        'data-originalurl="https://www.nytimes.com/b">'
        "NYT</a>)</span></p>",
    ),
    (
        f"<p>Gone {src(99, 'Dawn')}.</p>",
        '<p>Gone <span class="cite cite--missing">(Dawn)</span>.</p>',
    ),
    (
        f"<p>Gone {src(99, ' Dawn ')}.</p>",
        '<p>Gone <span class="cite cite--missing">(Dawn)</span>.</p>',
    ),
    (f"<p>Gone {src(99, '')}.</p>", "<p>Gone .</p>"),
    (
        f"<p>Bad id {src('x', 'Dawn')}.</p>",
        '<p>Bad id <span class="cite cite--missing">(Dawn)</span>.</p>',
    ),
    (
        '<p><a href="https://example.org/">plain</a> <a id="1" linktype="page">page</a></p>',
        '<p><a href="https://example.org/">plain</a> <a id="1" linktype="page">page</a></p>',
    ),
    ("<p>No links at all.</p>", "<p>No links at all.</p>"),
]


@pytest.mark.parametrize(("db_html", "expected"), RENDERED)
def test_render_source_citations_writes_the_label_in_parentheses_linked_to_the_source(
    db_html: str, expected: str
) -> None:
    assert render_source_citations(db_html, SOURCES) == expected


def test_render_source_citations_escapes_label_and_url() -> None:
    odd = CitedSource(id=4, label='<b>"A&B"</b>', url='https://example.org/?a=1&b="2"')

    html = render_source_citations(src(4), {4: odd})

    assert html == (
        '<span class="cite">(<a href="https://example.org/?a=1&amp;b=&quot;2&quot;" '
        'data-source="4" data-originalurl="https://example.org/?a=1&amp;b=&quot;2&quot;">'
        "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</a>)</span>"
    )


@pytest.mark.parametrize(
    ("source", "href"),
    [(REUTERS, "https://www.reuters.com/a"), (CABLE, "#source-3")],
)
def test_a_cited_source_links_to_its_url_or_else_its_entry_in_the_list(
    source: CitedSource, href: str
) -> None:
    assert source.href == href


# --- sanitize ----------------------------------------------------------------------------

SANITIZED = [
    ("<p>Plain <b>bold</b> <i>italic</i></p>", "<p>Plain <b>bold</b> <i>italic</i></p>"),
    ("<p>A &amp; B</p>", "<p>A &amp; B</p>"),
    ("<p>x</p><script>alert(1)</script>", "<p>x</p>"),
    ("<p>x<style>p { color: red }</style></p>", "<p>x</p>"),
    ('<p onclick="steal()">t</p>', "<p>t</p>"),
    ('<p style="color:red">t</p>', "<p>t</p>"),
    ('<a href="javascript:alert(1)">t</a>', "<a>t</a>"),
    ('<a href="JaVaScRiPt:alert(1)">t</a>', "<a>t</a>"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">t</a>', "<a>t</a>"),
    ('<a href="https://example.org/" target="_blank" onmouseover="x()">t</a>',
     '<a href="https://example.org/">t</a>'),
    ('<a href="mailto:desk@example.org">mail</a>', '<a href="mailto:desk@example.org">mail</a>'),
    ('<img src="x" onerror="boom()">', ""),
    ('<iframe src="https://evil.example/"></iframe><p>after</p>', "<p>after</p>"),
    ('<p><span class="x">kept text</span></p>', "<p>kept text</p>"),
    (src(12), src(12)),
    ('<a id="12" linktype="source" onclick="x()">Reuters</a>', src(12)),
    ('<a linktype="page" id="3">About</a>', '<a linktype="page" id="3">About</a>'),
    ("<h2>Sub</h2><ul><li>one</li></ul><blockquote>q</blockquote>",
     "<h2>Sub</h2><ul><li>one</li></ul><blockquote>q</blockquote>"),
]  # fmt: skip


@pytest.mark.parametrize(("db_html", "expected"), SANITIZED)
def test_sanitize_keeps_rich_text_and_strips_anything_dangerous(
    db_html: str, expected: str
) -> None:
    assert sanitize(db_html) == expected


def test_a_citation_survives_sanitising_then_rendering() -> None:
    db_html = f'<p onclick="x()">Claim {src(1)}<script>bad()</script>.</p>'

    html = render_source_citations(sanitize(db_html), SOURCES)

    assert html == (
        '<p>Claim <span class="cite">(<a href="https://www.reuters.com/a" data-source="1" '
        'data-originalurl="https://www.reuters.com/a">'
        "Reuters</a>)</span>.</p>"
    )


PLAIN = [
    ("<p>A <b>bold</b> &amp; true claim</p>", "A bold & true claim"),
    ("<p>one</p><p>two</p>", "one two"),
    ("<p>x<br/>y</p>", "x y"),
    (f"<p>Claim {src(1)}.</p>", "Claim Reuters ."),
    ("<p>&quot;Quoted&quot; &#8212; dash</p>", '"Quoted" — dash'),
    ("", ""),
]


@pytest.mark.parametrize(("db_html", "expected"), PLAIN)
def test_plain_text_drops_tags_and_decodes_entities(db_html: str, expected: str) -> None:
    assert plain_text(db_html) == expected


@pytest.mark.parametrize(
    ("db_html", "expected"),
    [
        (
            '<a id="cite-dialog" href="https://x.example/">x</a>',
            '<a href="https://x.example/">x</a>',
        ),
        ('<a id="12" linktype="page">x</a>', '<a id="12" linktype="page">x</a>'),
        ('<a id="１２" linktype="page">x</a>', '<a linktype="page">x</a>'),
    ],
)
def test_sanitize_keeps_only_numeric_link_ids_so_authors_cannot_clobber_page_ids(
    db_html: str, expected: str
) -> None:
    assert sanitize(db_html) == expected


@pytest.mark.parametrize("bad_id", ["abc", "9" * 19, "9" * 5000, "１２", "-1"])
def test_a_citation_with_an_id_that_is_no_row_id_cites_nothing(bad_id: str) -> None:
    assert cited_source_ids([f"<p>{src(1)} {src(bad_id)}</p>"]) == [1]

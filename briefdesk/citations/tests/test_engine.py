"""The citeproc-js engine as the product uses it: plain CSL-JSON in, plain strings out."""

import pytest

from briefdesk.citations.engine import FormattingFailed, format_items, loaded_styles
from briefdesk.citations.styles import STYLES, UnknownStyle, get_style


def test_an_unknown_style_is_refused_with_the_valid_keys() -> None:
    with pytest.raises(UnknownStyle) as excinfo:
        format_items([{"id": "x", "type": "webpage", "title": "T"}], "harvard")
    assert "mla, apa, chicago-nb, chicago-ad" in str(excinfo.value)
    with pytest.raises(UnknownStyle):
        get_style("")


@pytest.mark.parametrize("style", list(STYLES))
def test_a_source_with_no_author_date_or_url_still_formats(style: str) -> None:
    [result] = format_items([{"id": "bare", "type": "webpage", "title": "Bare Page"}], style)
    assert "Bare Page" in result.bibliography
    assert result.citation


@pytest.mark.parametrize("style", list(STYLES))
def test_html_output_escapes_markup_in_titles(style: str) -> None:
    item = {
        "id": "x",
        "type": "webpage",
        "title": "<script>alert(1)</script>",
        "URL": "javascript:alert(1)",
    }
    [result] = format_items([item], style)
    assert "<script>" not in result.bibliography_html
    assert (
        "&#60;script&#62;" in result.bibliography_html
        or "&lt;script&gt;" in result.bibliography_html
    )
    assert "<a " not in result.bibliography_html
    # The text form is raw: templates must escape it (and do).
    assert "<script>" in result.bibliography


def test_items_are_formatted_independently_without_disambiguation() -> None:
    same = {
        "type": "article-newspaper",
        "title": "A",
        "author": [{"family": "Khan", "given": "A"}],
        "issued": {"date-parts": [[2010]]},
    }
    first, second = format_items([dict(same, id="a"), dict(same, id="b", title="B")], "apa")
    assert "2010a" not in first.bibliography and "2010b" not in second.bibliography


def test_styles_load_lazily_on_first_use() -> None:
    format_items([{"id": "x", "type": "book", "title": "T"}], "mla")
    assert "mla" in loaded_styles()
    assert loaded_styles() <= set(STYLES)


def test_names_in_any_script_format() -> None:
    item = {
        "id": "u",
        "type": "article-newspaper",
        "title": "پاکستان اور امریکہ",
        "author": [{"family": "خان", "given": "عمران"}],
        "container-title": "جنگ",
    }
    [result] = format_items([item], "chicago-nb")
    assert "خان" in result.bibliography and "پاکستان" in result.bibliography


def test_an_engine_error_is_one_line_naming_the_javascript_error_and_the_engine_recovers() -> None:
    bad = {"id": "a", "type": "book", "title": "x", "language": {"a": 1}}
    with pytest.raises(FormattingFailed) as caught:
        format_items([bad], "apa")
    message = str(caught.value)
    assert message == (
        "The citation engine could not format this: "
        "TypeError: Item.language.match is not a function"
    )
    good = format_items([{"id": "b", "type": "book", "title": "Fine"}], "apa")
    assert "Fine" in good[0].bibliography

import pytest

from briefdesk.citations.sentence_case import suggest_sentence_case

CASES = [
    ("How WikiLeaks Hurts U.S.-Pakistan Ties", (), "How WikiLeaks hurts U.S.-Pakistan ties"),
    (
        "The Long War: Why Islamabad Hedges Its Bets",
        (),
        "The long war: Why Islamabad hedges its bets",
    ),
    ("NATO Supply Routes Close Again", (), "NATO supply routes close again"),
    ("Zardari Shrugs Off the Cables", (), "Zardari shrugs off the cables"),
    ("A Talk With Ahmed Rashid", ("Ahmed Rashid",), "A talk with Ahmed Rashid"),
    ("Pakistan's Army and the 2011 Budget", (), "Pakistan's army and the 2011 budget"),
    ("already sentence case", (), "already sentence case"),
    ("", (), ""),
]


@pytest.mark.parametrize(("title", "names", "expected"), CASES)
def test_it_suggests_sentence_case_keeping_proper_nouns(
    title: str, names: tuple[str, ...], expected: str
) -> None:
    assert suggest_sentence_case(title, names) == expected

"""Whatever a reader puts in the search URL answers a page: results, an empty page, or a 400
naming the bad parameter. Never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from tests.db import rolled_back
from tests.factories import make_author, make_brief, make_site_tree, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        make_brief(tree, title="Pakistan Cables", slug="pakistan-cables",
                   authors=[make_author(tree)], topics=[make_topic(tree)])  # fmt: skip
        yield


QUERIES = [
    '"pakistan',
    'pakistan" OR "cables',
    "pakistan AND NOT cables",
    "NEAR(pakistan cables) * ^ : ( ) -",
    "title:pakistan",
    "🇵🇰 pakistan 😀",
    "پاکستان",  # right-to-left script
    "巴基斯坦",
    "pakistan " * 2000,  # 18,000 characters
    "x" * 10_000,
    "?!.,;:'\"-()[]{}<>",
    "\x00pakistan\x1f",
    "%",
    "_",
    "\\",
    "",
]


@pytest.mark.parametrize("q", QUERIES)
def test_any_query_answers_a_page(world: None, client: Any, q: str) -> None:
    response = client.get(reverse("search"), {"q": q})

    assert response.status_code == 200


def test_a_query_with_quotes_and_brackets_still_finds_the_words(world: None, client: Any) -> None:
    html = client.get(reverse("search"), {"q": '"pakistan" (cables*'}).content.decode()

    assert "1 result for" in html


# Not "page": that name is pytest-playwright's fixture and would make this a browser test.
@pytest.mark.parametrize("number", ["abc", "0", "-1", "999999", "1e9", "９"])
def test_any_page_number_answers_a_page(world: None, client: Any, number: str) -> None:
    assert client.get(reverse("search"), {"q": "pakistan", "page": number}).status_code == 200


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"type": "podcast"}, "There is no such type of result"),
        ({"topic": "atlantis"}, "There is no such topic guide."),
        ({"expert": "nobody"}, "There is no such expert."),
        ({"year": "abc"}, "A year is four digits"),
        ({"year": "99999"}, "A year is four digits"),
        ({"outlet": "99999999999999999999999"}, "There is no such outlet."),
        ({"outlet": "x"}, "There is no such outlet."),
        ({"kind": "rumour"}, "There is no such kind of source."),
        ({"sort": "oldest"}, "Sort by relevance or date."),
    ],
)
def test_a_filter_that_names_nothing_answers_400_saying_which(
    world: None, client: Any, params: dict[str, str], reason: str
) -> None:
    response = client.get(reverse("search"), {"q": "pakistan", **params})

    assert response.status_code == 400
    html = response.content.decode()
    assert reason in html
    assert "result for" not in html


def test_a_known_year_with_no_results_is_an_empty_page_not_an_error(
    world: None, client: Any
) -> None:
    response = client.get(reverse("search"), {"q": "pakistan", "year": "1850"})

    assert response.status_code == 200
    assert "0 results for" in response.content.decode()

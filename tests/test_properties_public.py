"""Property-based tests (hypothesis): arbitrary text, numbers, nesting and bytes thrown at the
public query parameters, the CSL-JSON checks and the download writers. Never a 500, never an
exception other than the documented one, and every download re-parses to as many records as it
was given. Each test stays under ~20 s; hypothesis keeps no example database in the repo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import bibtexparser
import pytest
import rispy
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefdesk.citations.export import to_bibtex, to_csl_json, to_ris
from briefdesk.sources.csl_schema import CslError, load_json, validate_extra, validate_item
from tests.db import rolled_back
from tests.factories import OutletFactory, SourceFactory, cite, make_brief, make_site_tree

FAST = settings(max_examples=150, deadline=None, database=None)
HTTP = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
csl_keys = st.sampled_from(
    [
        "author",
        "editor",
        "issued",
        "accessed",
        "title",
        "page",
        "volume",
        "URL",
        "id",
        "type",
        "custom",
        "categories",
        "container-title",
        "number",
        "x y",
        "note",
    ]
)
items = st.dictionaries(csl_keys | st.text(max_size=10), json_values, max_size=8)
nasty_text = st.text(
    alphabet=st.characters(codec=None, blacklist_categories=()), max_size=80
) | st.sampled_from(['"', "\x00", "AND OR NOT", "NEAR(a b)", "a* ^b c:d (e) -f", "\r\nTY  - "])


@FAST
@given(st.text(max_size=300) | st.builds(json.dumps, json_values))
def test_load_json_raises_nothing_but_csl_error(text: str) -> None:
    try:
        load_json(text, max_bytes=10_000, max_depth=6)
    except CslError as exc:
        assert "\n" not in str(exc)


@FAST
@given(st.integers(min_value=1, max_value=3000))
def test_load_json_refuses_deep_nesting_without_recursion_errors(depth: int) -> None:
    with pytest.raises(CslError):
        load_json("[" * depth + "]" * depth if depth > 32 else "[" * depth, max_bytes=10**6)


@FAST
@given(items | json_values)
@example({"type": ["report"]})  # once found by this test: a list is no CSL type (was a 500)
@example({"type": {"a": 1}})
def test_validate_item_and_extra_return_one_line_messages_and_never_raise(item: Any) -> None:
    for problems in (validate_item(item), validate_extra(item)):
        assert all(isinstance(p, str) and "\n" not in p for p in problems)


@pytest.mark.parametrize("bad_type", [["report"], {"a": 1}, 3, None])
def test_a_type_that_is_not_text_is_reported_as_not_a_csl_type(bad_type: Any) -> None:
    assert validate_item({"type": bad_type}) == [f"type: {bad_type!r} is not a CSL type"]


@FAST
@given(st.lists(items, min_size=1, max_size=4))
def test_download_writers_always_reparse_to_the_same_number_of_records(batch: list) -> None:
    assert len(json.loads(to_csl_json(batch))) == len(batch)
    assert len(rispy.loads(to_ris(batch))) == len(batch)
    library = bibtexparser.parse_string(to_bibtex(batch))
    assert (len(library.entries), library.failed_blocks) == (len(batch), [])


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Built once for the module (not per example), rolled back after its last test."""
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        source = SourceFactory(outlet=OutletFactory(name="Reuters"), title="A story")
        brief = make_brief(tree, body=[("paragraph", f"<p>Claim {cite(source)}.</p>")])
        yield {"brief": brief, "source": source}


@pytest.mark.django_db
@HTTP
@given(q=nasty_text, page=nasty_text | st.integers().map(str))
def test_search_answers_200_for_any_query_and_page(
    world: dict[str, Any], client: Any, q: str, page: str
) -> None:
    response = client.get(reverse("search"), {"q": q, "page": page})
    assert response.status_code == 200


@pytest.mark.django_db
@HTTP
@given(
    params=st.dictionaries(
        st.sampled_from(["style", "form", "with", "partial", "page"]), nasty_text, max_size=3
    ),
    fmt=st.sampled_from(["txt", "json", "bib", "ris"]),
)
def test_brief_and_source_urls_answer_200_or_400_for_any_parameters(
    world: dict[str, Any], client: Any, params: dict[str, str], fmt: str
) -> None:
    urls = [
        world["brief"].url,
        reverse("brief_cite_file", args=[world["brief"].slug, fmt]),
        reverse("sources:cite_file", args=[world["source"].pk, fmt]),
        world["brief"].get_parent().url,  # the listing, for ?page=
    ]
    for url in urls:
        assert client.get(url, params).status_code in (200, 400), (url, params)

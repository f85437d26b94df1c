"""benchmarks/search.py at tiny size: it generates briefs, judges and times without error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks import search as bench
from briefdesk.briefs.models import BriefPage
from tests.db import rolled_back
from tests.factories import make_author, make_site_tree, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        make_author(tree, "Clara", "Whitcombe")
        make_author(tree, "Idris", "Qamaruddin")
        make_topic(tree, "Pakistan")
        make_topic(tree, "Afghanistan")
        bench.generate_briefs(12)
        yield


def test_generated_briefs_are_live_and_found_by_search(world: None) -> None:
    assert BriefPage.objects.live().count() == 12
    keys = bench.result_keys(bench.search("indus waters treaty"))
    assert keys[0] == "brief:the-indus-waters-treaty-under-strain"


def test_the_judged_run_and_the_timing_print_figures(world: None) -> None:
    mean, share, rows = bench.judge()
    p50, p95, worst, runs = bench.latency(1)

    assert len(rows) >= 30 and 0 <= mean <= 1 and 0 <= share <= 1
    assert 0 < p50 <= p95 <= worst and runs == len(rows) + 6


@pytest.mark.parametrize(
    ("keys", "grades", "expected"),
    [
        (["a", "b"], {"a": 2, "b": 1}, 1.0),
        (["b", "a"], {"a": 2, "b": 1}, (1 + 3 / 1.584962500721156) / (3 + 1 / 1.584962500721156)),
        ([], {"a": 2}, 0.0),
    ],
)
def test_ndcg_is_dcg_over_the_ideal_dcg(
    keys: list[str], grades: dict[str, int], expected: float
) -> None:
    assert bench.ndcg(keys, grades) == pytest.approx(expected)

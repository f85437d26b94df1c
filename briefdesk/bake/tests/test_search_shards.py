"""How searchable pages are dealt into Pagefind shards (bake/search.py): no database."""

from __future__ import annotations

import pytest

from briefdesk.bake import search
from briefdesk.bake.search import plan_shards


@pytest.fixture(autouse=True)
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", 2)


def urls(n: int) -> list[str]:
    return [f"/briefs/b{i:02}/" for i in range(n)]


def test_a_small_site_has_one_shard() -> None:
    plan = plan_shards(dict.fromkeys(urls(3)), dict.fromkeys(urls(3)), previous=0)
    assert (plan.count, plan.rebuild, set(plan.shard_of.values())) == (1, {0}, {0})


def test_a_first_bake_deals_every_page_out_in_order() -> None:
    plan = plan_shards(dict.fromkeys(urls(8)), dict.fromkeys(urls(8)), previous=0)
    assert plan.count == 4
    assert plan.rebuild == {0, 1, 2, 3}
    assert [plan.shard_of[url] for url in urls(8)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_a_rerun_rebuilds_only_the_shard_of_a_changed_page() -> None:
    first = plan_shards(dict.fromkeys(urls(8)), dict.fromkeys(urls(8)), previous=0)
    again = plan_shards(first.shard_of, {urls(8)[5]: 2}, previous=first.count)
    assert again.rebuild == {2}
    assert again.shard_of == first.shard_of


def test_nothing_changed_rebuilds_nothing() -> None:
    first = plan_shards(dict.fromkeys(urls(8)), dict.fromkeys(urls(8)), previous=0)
    assert plan_shards(first.shard_of, {}, previous=first.count).rebuild == set()


def test_a_removed_page_rebuilds_the_shard_it_was_in() -> None:
    first = plan_shards(dict.fromkeys(urls(8)), dict.fromkeys(urls(8)), previous=0)
    kept: dict[str, int | None] = {
        url: shard for url, shard in first.shard_of.items() if url != urls(8)[6]
    }
    again = plan_shards(kept, {urls(8)[6]: 3}, previous=first.count)
    assert again.count == 4
    assert again.rebuild == {3}


def test_a_new_shard_count_deals_everything_out_again() -> None:
    first = plan_shards(dict.fromkeys(urls(8)), dict.fromkeys(urls(8)), previous=0)
    grown = {**first.shard_of, **dict.fromkeys(urls(12)[8:])}
    again = plan_shards(grown, dict.fromkeys(urls(12)[8:]), previous=first.count)
    assert (again.count, again.rebuild) == (6, set(range(6)))


def test_guides_and_experts_are_dealt_into_the_first_shard() -> None:
    hubs = ["/topics/t1/", "/authors/a1/"]
    pages = [*urls(6), *hubs]
    plan = plan_shards(dict.fromkeys(pages), dict.fromkeys(pages), previous=0, hubs=hubs)
    assert {plan.shard_of[url] for url in hubs} == {0}
    # A brief and its guide and expert changed: two shards to index again, not three.
    again = plan_shards(plan.shard_of, {urls(6)[5]: 3, **dict.fromkeys(hubs, 0)}, plan.count)
    assert again.rebuild == {0, 3}

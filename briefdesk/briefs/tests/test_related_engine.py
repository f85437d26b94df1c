"""The relatedness engine on plain data (briefdesk.related.engine): no database."""

from __future__ import annotations

import datetime as dt

from briefdesk.related.engine import BriefData, Related, build_index, plan_update, rank_all

DAY = dt.date(2011, 5, 2)


def story(first_id: int, words: str, sources: tuple[int, ...], topics: tuple[int, ...]) -> list:
    return [
        BriefData(
            id=first_id + n,
            title=f"{words.split()[n]} and the {words.split()[n + 1]} question",
            summary=f"Minister Tariq Halvorsen on {words}.",
            body=f"{words} {words}. Officials in Kandahar met Tariq Halvorsen.",
            topics=topics,
            sources=sources[n % 2 :],
            date=DAY + dt.timedelta(days=n),
        )
        for n in range(4)
    ]


def corpus() -> list[BriefData]:
    nuclear = story(1, "reactor fuel enrichment plutonium centrifuge safeguards", (101, 102), (1,))
    floods = story(11, "floods relief monsoon levees cholera displacement", (201, 202), (1,))
    noise = [
        BriefData(
            id=30, title="Cricket season opens", body="Batting and wickets.", topics=(1,), date=DAY
        )
    ]
    return [*nuclear, *floods, *noise]


def test_a_storys_briefs_find_each_other() -> None:
    lists = rank_all(build_index(corpus()))

    for brief_id in (1, 2, 3, 4):
        assert {r.id for r in lists[brief_id]} == {1, 2, 3, 4} - {brief_id}
    for brief_id in (11, 12, 13, 14):
        assert {r.id for r in lists[brief_id]} == {11, 12, 13, 14} - {brief_id}


def test_briefs_sharing_only_a_topic_are_not_related() -> None:
    briefs = [
        BriefData(id=1, title="Reactor fuel", body="reactor fuel plutonium", topics=(5,)),
        BriefData(id=2, title="Monsoon floods", body="monsoon floods levees", topics=(5,)),
        BriefData(id=3, title="Cricket season", body="cricket wickets batting", topics=(5,)),
    ]

    assert rank_all(build_index(briefs)) == {1: [], 2: [], 3: []}


def test_a_brief_related_to_nothing_gets_no_filler() -> None:
    assert rank_all(build_index(corpus()))[30] == []


def test_scores_are_between_zero_and_one_best_first() -> None:
    lists = rank_all(build_index(corpus()))

    scores = [r.score for r in lists[1]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_hidden_briefs_are_left_out_and_the_next_best_takes_their_place() -> None:
    unhidden = [r.id for r in rank_all(build_index(corpus()), k=4)[1]]

    lists = rank_all(build_index(corpus()), hidden={1: {2}})

    assert 2 in unhidden
    assert [r.id for r in lists[1]] == [i for i in unhidden if i != 2][:3]


def test_the_order_is_the_same_whatever_the_input_order() -> None:
    forward = rank_all(build_index(corpus()))
    backward = rank_all(build_index(list(reversed(corpus()))))

    assert forward == backward


def test_a_published_brief_enters_the_lists_of_its_story() -> None:
    briefs = corpus()
    index = build_index(briefs[:3] + briefs[4:])  # brief 4 is not published yet
    lists = rank_all(index)
    assert lists[1] == [r for r in lists[1] if r.id != 4]

    index.upsert(briefs[3])
    update = plan_update(index, 4, {b: lists[b] for b in (1, 2, 3)})

    assert {r.id for r in update.lists[4]} == {1, 2, 3}
    for brief_id in (1, 2, 3):
        assert 4 in {r.id for r in update.lists[brief_id]}
    assert all(isinstance(r, Related) for r in update.lists[4])


def test_worker_processes_give_the_same_index_and_lists_as_one_process(monkeypatch) -> None:
    from briefdesk.related import engine

    alone_index = build_index(corpus())
    alone = rank_all(alone_index)
    monkeypatch.setattr(engine, "PARALLEL_FROM", 0)
    monkeypatch.setattr(engine, "FEATURE_CHUNK", 3)
    monkeypatch.setattr(engine, "ROW_CHUNK", 3)
    with engine.worker_processes():
        parallel_index = build_index(corpus())
        parallel = rank_all(parallel_index)

    assert parallel_index.vocabulary == alone_index.vocabulary
    assert (parallel_index.matrix != alone_index.matrix).nnz == 0
    assert parallel == alone


def test_outside_worker_processes_nothing_forks(monkeypatch) -> None:
    from briefdesk.related import engine

    monkeypatch.setattr(engine, "PARALLEL_FROM", 0)

    assert engine._processes(10**6) == 1

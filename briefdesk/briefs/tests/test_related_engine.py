"""The relatedness engine on plain data (briefdesk.related.engine): no database."""

from __future__ import annotations

import datetime as dt
import os

from briefdesk.related.engine import (
    BriefData,
    Related,
    Weights,
    build_index,
    plan_update,
    rank_all,
)
from briefdesk.related.features import count_terms, entity_names, find_names, text_terms

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
    monkeypatch.setattr(engine, "_idle_cores", lambda: 2.0)
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


def test_a_busy_machine_gets_no_worker_processes(monkeypatch) -> None:
    from briefdesk.related import engine

    monkeypatch.setattr(engine, "PARALLEL_FROM", 0)
    with engine.worker_processes():
        monkeypatch.setattr(engine, "_idle_cores", lambda: 0.6)
        busy = engine._processes(10**6)
        monkeypatch.setattr(engine, "_idle_cores", lambda: 1.4)
        quiet = engine._processes(10**6)

    assert (busy, quiet) == (1, min(2, engine.MAX_PROCESSES, os.cpu_count() or 1))


# What build_index reads for many briefs at once must be what one brief's reading gives:
# (title, summary, body) written to catch the tokenising shortcuts.
TEXTS = [
    ("X-ray of the U.S. sanctions", "Shah’s men don't-stop; abc--def.", "Officials said 3abc x"),
    ("Policies", "Asif Ali Zardari met the ISI.", "café naïve\u00a0word dr\u00e9am al-Qaeda"),
    ("", "", ""),
    ("The Ministers’ sanctions", "Bank of England and al- Qaeda", "Zardari’s aides; Zardari."),
    ("Boxes_and_churches", "Déjà vu in Kraków", "it's the 1990s' e-mail - re--re 'quoted'"),
]


def test_many_briefs_at_once_give_the_words_each_brief_gives() -> None:
    terms, doc, term, count = count_terms(TEXTS)

    for n, (title, summary, body) in enumerate(TEXTS):
        mine = doc == n
        found = {terms[t]: c for t, c in zip(term[mine], count[mine], strict=True)}
        assert found == dict(text_terms(title, summary, body)), (title, summary, body)


def test_many_briefs_at_once_give_the_names_each_brief_gives() -> None:
    names, doc, name = find_names([(summary, body) for _, summary, body in TEXTS])

    for n, (_, summary, body) in enumerate(TEXTS):
        assert {names[i] for i in name[doc == n]} == entity_names(summary, body)


def test_every_list_is_the_one_ranking_the_brief_alone_gives() -> None:
    briefs = corpus()
    index = build_index(briefs)
    index.remove(12)  # a removed brief is in no list

    lists = rank_all(index, k=4, hidden={1: {3}})

    assert 12 not in lists
    for brief in briefs:
        if brief.id != 12:
            assert lists[brief.id] == index.rank(brief.id, 4, {3} if brief.id == 1 else ())
            assert 12 not in {r.id for r in lists[brief.id]}


def test_a_shared_topic_lifts_a_pair_over_the_threshold_in_every_list() -> None:
    weights = Weights(text=0.55, sources=0.0, names=0.0, topics=0.45, threshold=0.5)
    briefs = [
        BriefData(id=1, title="reactor fuel", body="plutonium centrifuge", topics=(3,), date=DAY),
        BriefData(id=2, title="reactor fuel", body="monsoon levees", topics=(3,), date=DAY),
    ]
    index = build_index(briefs, weights)

    assert [r.id for r in index.rank(1)] == [2]
    assert rank_all(index) == {1: index.rank(1), 2: index.rank(2)}


def _sigterm_stops(_: int) -> bool:
    import signal

    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_worker_processes_stop_on_sigterm_when_the_parent_catches_it(monkeypatch) -> None:
    # As after a worker command run in the same process: forked workers inherit the handler,
    # and leaving `with Pool()` stops them with SIGTERM. A worker that caught it, waiting on a
    # lock that a worker stopped first still held, kept the pool waiting for ever (a CI hang).
    import signal

    from briefdesk.related import engine

    monkeypatch.setattr(engine, "PARALLEL_FROM", 0)
    monkeypatch.setattr(engine, "_idle_cores", lambda: 2.0)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        with engine.worker_processes():
            assert engine._processes(4) == 2
            assert list(engine._map(_sigterm_stops, [1, 2, 3, 4], 4)) == [True] * 4
    finally:
        signal.signal(signal.SIGTERM, previous)

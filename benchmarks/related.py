"""More on This Topic, measured: precision@3 of the relatedness engine against hidden story
labels, next to two baselines, then rebuild time, peak memory and one-brief update time at
scale.

    .venv/bin/python benchmarks/related.py [--quality 3000] [--scale 100000] [--db 2000]

The corpus is generated: "stories" of 4-10 briefs each, written from the story's own words,
names and sources mixed with words, names and sources of its wider theme (several stories
share a theme, as several stories share "Pakistan's nuclear programme") and general noise;
lengths vary from a paragraph to a long brief; some briefs cite none of their story's sources.
Topics are drawn at random from a small pool, so a topic says nothing about the story. The
engine never sees the labels. precision@3: for each brief, the share of its three listed
briefs that are from its story (an empty slot counts as a miss).

Baselines, in the same run: "newest sharing a topic" (the behaviour before the engine) and
text-only (scikit-learn TF-IDF, sublinear tf, English stop words, cosine over title, summary
and body: the usual "related posts" plugin).

The scale figures are engine-level (plain data, no database): `build_index` + `rank_all` over
N briefs, peak RSS of the process (ru_maxrss, so it includes Python and the corpus itself),
and the median of several one-brief updates (`upsert` + `candidates` + `plan_update`, what a
publish runs once the stored lists are read). `--db N` also times the database path
(`briefdesk.briefs.related_store.rebuild_related` over N real brief pages in SQLite, and one
publish-time update).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import itertools
import os
import random
import resource
import statistics
import string
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefdesk.related.engine import (
    BriefData,
    Related,
    Weights,
    _processes,
    build_index,
    candidates,
    plan_update,
    rank_all,
    worker_processes,
)

TOPICS = 15


@dataclass
class Corpus:
    briefs: list[BriefData]
    story: dict[int, int]  # brief id -> hidden story label


def _word(rng: random.Random, syllables: tuple[int, int]) -> str:
    return "".join(
        rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") + rng.choice(["", "n", "r", "s"])
        for _ in range(rng.randint(*syllables))
    )


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _zipf_choice(rng: random.Random, items: Sequence[str], cumulative: list[float]) -> str:
    return rng.choices(items, cum_weights=cumulative)[0]


def generate(n_briefs: int, seed: int = 12) -> Corpus:
    """A corpus of about `n_briefs` briefs in stories of 4-10 (see the module docstring)."""
    rng = random.Random(seed)
    general = sorted({_word(rng, (1, 3)) for _ in range(6000)})
    general_w = _cumulative([1 / (n + 1) ** 1.05 for n in range(len(general))])
    pool = sorted({_word(rng, (2, 4)) for _ in range(40000)} - set(general))
    pool_w = _cumulative([1 / (n + 1) ** 0.6 for n in range(len(pool))])
    given = [w.capitalize() for w in sorted({_word(rng, (2, 2)) for _ in range(800)})]
    family = [w.capitalize() for w in sorted({_word(rng, (2, 3)) for _ in range(5000)})]
    n_stories = max(2, n_briefs // 7)
    n_themes = max(2, n_stories // 6)
    source_ids = iter(range(1, 10**9))
    general_sources = [next(source_ids) for _ in range(400)]
    general_sources_w = _cumulative([1 / (n + 1) for n in range(len(general_sources))])

    def name() -> str:
        return f"{rng.choice(given)} {rng.choice(family)}"

    themes = []
    for _ in range(n_themes):
        themes.append(
            {
                "words": rng.choices(pool, cum_weights=pool_w, k=80),
                "names": [name() for _ in range(8)],
                "sources": [next(source_ids) for _ in range(12)],
            }
        )
    briefs: list[BriefData] = []
    labels: dict[int, int] = {}
    brief_id = 0
    start = dt.date(2010, 1, 1).toordinal()
    for story in range(n_stories):
        theme = rng.choice(themes)
        words = [*rng.sample(theme["words"], 30), *rng.choices(pool, cum_weights=pool_w, k=12)]
        names = [*rng.sample(theme["names"], 2), name(), name()]
        sources = [next(source_ids) for _ in range(rng.randint(3, 6))]
        day = start + rng.randrange(15 * 365)
        for _ in range(rng.randint(4, 10)):
            brief_id += 1
            share = rng.uniform(0.03, 0.12)

            def text(
                length: int,
                share: float = share,
                words: list[str] = words,
                names: list[str] = names,
                theme: dict = theme,  # type: ignore[type-arg]
            ) -> str:
                out: list[str] = []
                sentence: list[str] = []
                for _ in range(length):
                    roll = rng.random()
                    if roll < share:
                        token = rng.choice(words)
                    elif roll < share + 0.15:
                        token = rng.choice(theme["words"])
                    elif roll < share + 0.18:
                        token = rng.choice(
                            names if rng.random() < 0.5 else [*theme["names"], name()]
                        )
                    else:
                        token = _zipf_choice(rng, general, general_w)
                    sentence.append(token)
                    if len(sentence) >= rng.randint(8, 22):
                        out.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
                        sentence = []
                if sentence:
                    out.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
                return " ".join(out)

            title = string.capwords(text(rng.randint(5, 10)).rstrip("."))
            cited = rng.sample(sources, rng.randint(0, min(4, len(sources))))
            cited += rng.sample(theme["sources"], rng.randint(0, 3))
            extra = rng.randint(0, 3)
            cited += rng.choices(general_sources, cum_weights=general_sources_w, k=extra)
            briefs.append(
                BriefData(
                    id=brief_id,
                    title=title,
                    summary=text(rng.randint(12, 35)),
                    body=text(rng.choice([rng.randint(60, 250), rng.randint(250, 900)])),
                    topics=tuple(rng.sample(range(1, TOPICS + 1), rng.randint(1, 3))),
                    sources=tuple(cited),
                    date=dt.date.fromordinal(day + rng.randrange(120)),
                )
            )
            labels[brief_id] = story
    rng.shuffle(briefs)
    return Corpus(briefs=briefs, story=labels)


def precision_at_3(lists: dict[int, list[int]], story: dict[int, int]) -> float:
    """Mean over briefs of (listed briefs from the same story among the first 3) / 3."""
    hits = [sum(story[r] == story[b] for r in listed[:3]) / 3 for b, listed in lists.items()]
    return statistics.fmean(hits) if hits else 0.0


def newest_sharing_a_topic(briefs: list[BriefData]) -> dict[int, list[int]]:
    """The behaviour before the engine: the three newest other briefs sharing a topic."""
    by_topic: dict[int, list[BriefData]] = {}
    for brief in briefs:
        for topic in brief.topics:
            by_topic.setdefault(topic, []).append(brief)
    for members in by_topic.values():
        members.sort(key=lambda b: (b.date or dt.date.min, b.id), reverse=True)
    lists = {}
    for brief in briefs:
        seen: list[BriefData] = []
        for topic in brief.topics:
            seen += [b for b in by_topic[topic][:4] if b.id != brief.id]
        seen.sort(key=lambda b: (b.date or dt.date.min, b.id), reverse=True)
        lists[brief.id] = list(dict.fromkeys(b.id for b in seen))[:3]
    return lists


def text_only(briefs: list[BriefData]) -> dict[int, list[int]]:
    """TF-IDF cosine over title, summary and body (scikit-learn), top 3."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [f"{b.title} {b.summary} {b.body}" for b in briefs]
    )
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, -1)
    top = np.argsort(-similarity, axis=1)[:, :3]
    return {b.id: [briefs[j].id for j in top[n]] for n, b in enumerate(briefs)}


def engine_lists(briefs: list[BriefData], weights: Weights | None = None) -> dict[int, list[int]]:
    index = build_index(briefs) if weights is None else build_index(briefs, weights)
    return {b: [r.id for r in rs] for b, rs in rank_all(index).items()}


def quality(n: int, seed: int = 12) -> dict[str, float]:
    corpus = generate(n, seed)
    return {
        "engine": precision_at_3(engine_lists(corpus.briefs), corpus.story),
        "newest sharing a topic": precision_at_3(
            newest_sharing_a_topic(corpus.briefs), corpus.story
        ),
        "text-only (TF-IDF)": precision_at_3(text_only(corpus.briefs), corpus.story),
    }


def _cpu_all() -> float:
    """CPU seconds of this process and of its finished worker processes (user + system)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale(n: int, updates: int = 9, seed: int = 7, workers: bool = True) -> dict[str, float]:
    """Engine-level figures at `n` briefs: generation is not timed. Wall-clock and CPU
    time (what the machine's other work inflates less) are both given: "rebuild CPU" is the
    main process's, "CPU, all" adds its worker processes'. The 1-minute load average before
    and after says how busy the machine was."""
    corpus = generate(n + updates, seed)
    held_out, briefs = corpus.briefs[:updates], corpus.briefs[updates:]
    gc.collect()
    before = _rss_mb()
    load_before = os.getloadavg()[0]
    started, cpu_started, all_started = time.perf_counter(), time.process_time(), _cpu_all()
    # As `briefdesk related --rebuild` runs it, unless told to stay in one process.
    with worker_processes() if workers else contextlib.nullcontext():
        processes = _processes(len(briefs))
        index = build_index(briefs)
        built, all_built = time.perf_counter(), _cpu_all()
        lists = rank_all(index)
    ranked, cpu_ranked, all_ranked = time.perf_counter(), time.process_time(), _cpu_all()
    load_after = os.getloadavg()[0]
    times, cpu_times = [], []
    for brief in held_out:
        t0, c0 = time.perf_counter(), time.process_time()
        index.upsert(brief)
        near = candidates(index, brief.id)
        current: dict[int, list[Related]] = {other: lists.get(other, []) for other in near}
        update = plan_update(index, brief.id, current)
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
        lists.update(update.lists)
    return {
        "briefs": n,
        "processes": processes,
        "build index s": built - started,
        "rank all s": ranked - built,
        "rebuild s": ranked - started,
        "rebuild CPU s": cpu_ranked - cpu_started,
        "build index CPU, all s": all_built - all_started,
        "rank all CPU, all s": all_ranked - all_built,
        "rebuild CPU, all s": all_ranked - all_started,
        "load average before": load_before,
        "load average after": load_after,
        "peak RSS MB": _rss_mb(),
        "peak RSS of a worker MB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "RSS before MB": before,
        "update median ms": statistics.median(times),
        "update max ms": max(times),
        "update median CPU ms": statistics.median(cpu_times),
        "with a list": sum(1 for v in lists.values() if v) / len(lists),
    }


def _db_pages(briefs: list[BriefData]) -> list:  # type: ignore[type-arg]
    """Brief pages for generated briefs (text and dates; no topics or sources), added live
    without publish signals, as an import would; the last one is left unpublished."""
    from django.utils.html import escape

    from briefdesk.briefs.models import BriefIndexPage, BriefPage

    parent = BriefIndexPage.objects.first()
    pages = []
    for n, brief in enumerate(briefs):
        page = BriefPage(
            title=brief.title,
            slug=f"bench-related-{brief.id}",
            summary=brief.summary,
            date=brief.date,
            body=[("paragraph", f"<p>{escape(brief.body)}</p>")],
            live=n < len(briefs) - 1,
        )
        parent.add_child(instance=page)
        pages.append(page)
    return pages


def db_path(n: int) -> dict[str, float]:
    """Rebuild over `n` generated brief pages added to the demo's SQLite database, and the
    publication of one more (Wagtail's publish, with the signal's update of stored lists)."""
    from benchmarks._setup import django_with_demo

    django_with_demo()
    from briefdesk.briefs.related_store import rebuild_related

    pages = _db_pages(generate(n, 3).briefs[: n + 1])
    started = time.perf_counter()
    scored = rebuild_related()
    rebuilt = time.perf_counter() - started
    started = time.perf_counter()
    pages[-1].save_revision().publish()
    published = time.perf_counter() - started
    return {"briefs": scored, "rebuild s": rebuilt, "publish incl. update s": published}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quality", type=int, default=3000, help="briefs for precision@3 (0: skip)"
    )
    parser.add_argument("--scale", type=int, default=100_000, help="briefs for timings (0: skip)")
    parser.add_argument(
        "--one-process", action="store_true", help="rebuild without worker processes"
    )
    parser.add_argument("--db", type=int, default=0, help="also time the database path")
    args = parser.parse_args()

    if args.quality:
        print(f"precision@3 over {args.quality} generated briefs (hidden story labels)")
        for name, value in quality(args.quality).items():
            print(f"  {name:<26} {value:.3f}")
    if args.scale:
        figures = scale(args.scale, workers=not args.one_process)
        print(f"engine at {args.scale} briefs (plain data, no database)")
        for name, value in figures.items():
            print(f"  {name:<26} {value:,.2f}")
    if args.db:
        print(f"database path at {args.db} briefs (SQLite)")
        for name, value in db_path(args.db).items():
            print(f"  {name:<26} {value:,.2f}")


if __name__ == "__main__":
    main()

"""Search relevance and speed: nDCG@10 and best-first share over a judged query set, and
p50/p95 latency of the whole search (matching, ranking, facet counts, the page's records).

    .venv/bin/python benchmarks/search.py                   # demo + 2,000 generated briefs
    .venv/bin/python benchmarks/search.py --briefs 100000   # the speed target
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/search.py --briefs 100000

The database is the demo content plus generated briefs (`generate_briefs`): bulk-inserted
into the page tables with treebeard paths under the brief index; then the search index is
rebuilt from the database (`briefdesk search --rebuild`, timed). Generated titles come from
their own vocabulary (regions, policy areas), while their bodies and summaries mix in the
judged queries' words (Pakistan, cables, nuclear, Reuters…): they are distractors that match
but are not what the queries are after. Two "anchor" briefs with known titles are judged too.

The judgements (benchmarks/search_judgements.json) were written by hand from the demo
content before ranking anything: 2 = what the query is after, 1 = relevant, else 0.
Targets: nDCG@10 and best-first share as high as can be; p95 <= 50 ms at 100,000 briefs.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._setup import django_with_demo

JUDGEMENTS = Path(__file__).with_name("search_judgements.json")
ANCHORS = [
    ("The Indus Waters Treaty Under Strain",
     "India and Pakistan dispute the flows of the western rivers as new dams rise."),
    ("Polio Vaccination Campaigns in Khyber",
     "Vaccinators in Khyber work under threat as the campaign reaches the border districts."),
]  # fmt: skip
PLACES = ["Mekong", "Sahel", "Caucasus", "Andes", "Baltic", "Balkans", "Levant", "Maghreb",
          "Pacific", "Arctic", "Horn", "Danube", "Amazon", "Gulf", "Steppe", "Delta"]  # fmt: skip
AREAS = ("Water Trade Energy Election Migration Debt Climate Health Grain Cyber Maritime "
         "Border Currency Mining Port Fisheries").split()  # fmt: skip
NOUNS = ("Talks Outlook Pressures Choices Ledger Bargain Impasse Shift Gamble Compact Tensions "
         "Reforms Stakes Deadline Test Balance").split()  # fmt: skip
FILLER = (
    "the government officials said policy region analysts week report minister plan "
    "budget program regional partners talks support agency funding law court army "
    "province capital market reform crisis summit treaty envoy ministry council "
    "parliament vote sanctions exports imports growth inflation loans"
).split()
# Query words mixed into generated bodies, each with its probability per brief.
DISTRACTORS = {"pakistan": 0.3, "afghanistan": 0.2, "nuclear": 0.15, "security": 0.3,
               "cables": 0.1, "aid": 0.3, "review": 0.2, "bank": 0.1, "kabul": 0.05,
               "reuters": 0.05, "dawn": 0.05, "fuel": 0.08, "reactor": 0.03, "dialogue": 0.1,
               "strategic": 0.1, "immunity": 0.02, "floods": 0.05, "lahore": 0.03,
               "material": 0.1, "convoys": 0.02, "whitcombe": 0.01, "leaks": 0.05}  # fmt: skip


# --- generating briefs -----------------------------------------------------------------


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(FILLER) for _ in range(words)).capitalize() + "."


def _text(rng: random.Random) -> tuple[str, str]:
    """A summary and a body of five sentences; each distractor word, with its probability,
    in one of them."""
    sentences = [_sentence(rng, rng.randint(12, 24)) for _ in range(6)]
    for word, p in DISTRACTORS.items():
        if rng.random() < p:
            n = rng.randrange(6)
            sentences[n] = f"{sentences[n][:-1]} {word.capitalize()}."
    return sentences[0], " ".join(sentences[1:])


def generate_briefs(count: int, seed: int = 12) -> None:
    """Add `count` published briefs under the brief index, fast: pages bulk-inserted with
    their treebeard paths, the brief rows through Django's raw insert, authors and topics
    bulk-created. (The public search reads its own index, rebuilt afterwards; Wagtail's
    index, the admin's search, is left as it is.)"""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Page

    from briefdesk.briefs.models import (
        BRIEF_TYPES,
        AuthorPage,
        BriefAuthor,
        BriefIndexPage,
        BriefPage,
        BriefTopic,
    )  # fmt: skip
    from briefdesk.topics.models import TopicGuidePage

    rng = random.Random(seed)
    index = BriefIndexPage.objects.get()
    authors = list(AuthorPage.objects.values_list("pk", flat=True))
    topics = list(TopicGuidePage.objects.values_list("pk", flat=True))
    content_type = ContentType.objects.get_for_model(BriefPage)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    step = Page.steplen
    last_child = index.get_last_child()
    first = (int(last_child.path[-step:], 36) + 1) if last_child else 1
    now = timezone.now()
    batch_size = 1000

    def path_of(n: int) -> str:
        digits = ""
        while n:
            n, r = divmod(n, 36)
            digits = alphabet[r] + digits
        return index.path + digits.rjust(step, "0")

    anchored = BriefPage.objects.filter(title=ANCHORS[0][0]).exists()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        with transaction.atomic():
            pages, briefs = [], []
            for i in range(made, made + size):
                if i < len(ANCHORS) and not anchored:
                    title, summary = ANCHORS[i]
                else:
                    title = (f"{rng.choice(AREAS)} {rng.choice(NOUNS)} in the "
                             f"{rng.choice(PLACES)}, No. {i}")  # fmt: skip
                    summary = ""
                generated_summary, body = _text(rng)
                summary = summary or generated_summary
                slug = title.lower().replace(",", "").replace(".", "").replace(" ", "-")
                pages.append(Page(
                    title=title, draft_title=title, slug=slug, content_type=content_type,
                    path=path_of(first + i), depth=index.depth + 1, numchild=0,
                    url_path=f"{index.url_path}{slug}/", live=True,
                    has_unpublished_changes=False, first_published_at=now,
                    last_published_at=now, locale_id=index.locale_id,
                    translation_key=uuid.uuid4(),
                ))  # fmt: skip
                briefs.append((summary, body))
            Page.objects.bulk_create(pages)
            ids = list(
                Page.objects.filter(path__in=[p.path for p in pages])
                .order_by("path")
                .values_list("pk", flat=True)
            )
            rows = []
            for pk, (summary, body) in zip(ids, briefs, strict=True):
                date = __import__("datetime").date(rng.randint(2000, 2026), rng.randint(1, 12),
                                                   rng.randint(1, 28))  # fmt: skip
                row = BriefPage(
                    page_ptr_id=pk, brief_type=rng.choice(BRIEF_TYPES), date=date,
                    summary=summary, body=[("paragraph", f"<p>{body}</p>")],
                )  # fmt: skip
                rows.append(row)
            BriefPage.objects._insert(  # the page rows exist: insert the brief rows only
                rows, fields=BriefPage._meta.local_concrete_fields, raw=True
            )
            by_page = {pk: rng.sample(authors, rng.randint(1, 2)) for pk in ids}
            BriefAuthor.objects.bulk_create(
                BriefAuthor(page_id=pk, author_id=a, sort_order=n)
                for pk in ids for n, a in enumerate(by_page[pk])
            )  # fmt: skip
            BriefTopic.objects.bulk_create(
                BriefTopic(page_id=pk, topic_id=t, sort_order=n)
                for pk in ids for n, t in enumerate(rng.sample(topics, rng.randint(1, 2)))
            )  # fmt: skip
        made += size
        if made % 10000 == 0 or made == count:
            print(f"  generated {made} briefs", file=sys.stderr, flush=True)
    Page.objects.filter(pk=index.pk).update(numchild=index.get_children().count())


def rebuild_index() -> tuple[int, float, int]:
    """Rebuild the search index from the database: documents, seconds, bytes on disk."""
    from briefdesk.search import sync

    start = time.perf_counter()
    count = sync.rebuild() or 0
    seconds = time.perf_counter() - start
    size = sum(f.stat().st_size for f in sync.index_root().rglob("*") if f.is_file())
    return count, seconds, size


# --- judging ---------------------------------------------------------------------------


def result_keys(outcome: Any) -> list[str]:
    """The judged key of each result on the first page: kind:slug, or source:title."""
    keys = []
    for hit, record in outcome.page.object_list:
        name = record.title if hit.kind == "source" else record.slug
        keys.append(f"{hit.kind}:{name}")
    return keys


def ndcg(keys: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(keys[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def search(q: str, **extra: str) -> Any:
    from django.http import QueryDict

    from briefdesk.search.params import read_params
    from briefdesk.search.query import run_search
    from briefdesk.search.views import result_item

    get = QueryDict(mutable=True)
    get.update({"q": q, **extra})
    params, problems = read_params(get)
    assert not problems, problems
    outcome = run_search(params)
    words = (outcome.corrected or params.terms).split()
    [result_item(hit, record, words) for hit, record in outcome.page]  # what the page shows
    return outcome


def judge(verbose: bool = False) -> tuple[float, float, list[tuple[str, float, bool]]]:
    """Mean nDCG@10 and the share of queries whose first result has the query's best grade."""
    queries = json.loads(JUDGEMENTS.read_text())["queries"]
    rows = []
    for query in queries:
        keys = result_keys(search(query["q"]))
        grades = query["grades"]
        best = max(grades.values())
        first_ok = bool(keys) and grades.get(keys[0], 0) == best
        rows.append((query["q"], ndcg(keys, grades), first_ok))
        if verbose:
            verdict = "ok" if first_ok else "NO"
            print(f"  {query['q']!r:40} nDCG@10 {rows[-1][1]:.3f} first {verdict}  top: {keys[:3]}")
    mean = statistics.mean(r[1] for r in rows)
    share = sum(r[2] for r in rows) / len(rows)
    return mean, share, rows


def latency(rounds: int) -> tuple[float, float, float, int]:
    """p50, p95 and max milliseconds of `search` over the judged queries plus filtered,
    date-sorted and later-page variants, each run `rounds` times after one warm-up."""
    queries = [q["q"] for q in json.loads(JUDGEMENTS.read_text())["queries"]]
    cases: list[tuple[str, dict[str, str]]] = [(q, {}) for q in queries]
    cases += [
        ("pakistan", {"topic": "pakistan"}),
        ("pakistan", {"sort": "date"}),
        ("pakistan", {"page": "3"}),
        ("security", {"type": "brief", "year": "2010"}),
        ("aid", {"expert": "clara-whitcombe"}),
        ("cables", {"type": "source"}),
    ]
    for q, extra in cases:
        search(q, **extra)
    times = []
    for _ in range(rounds):
        for q, extra in cases:
            start = time.perf_counter()
            search(q, **extra)
            times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]
    return statistics.median(times), p95, ordered[-1], len(times)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--briefs", type=int, default=2000, help="briefs in all, the demo's 13 with generated ones"
    )
    parser.add_argument("--rounds", type=int, default=3, help="latency rounds (3)")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-query figures")
    parser.add_argument(
        "--keep-index", action="store_true", help="search the index as it is (no rebuild)"
    )
    args = parser.parse_args(argv)
    django_with_demo()
    from django.db import connection

    from briefdesk.briefs.models import BriefPage

    missing = args.briefs - BriefPage.objects.count()
    if missing > 0:
        start = time.perf_counter()
        generate_briefs(missing)
        print(f"generated {missing} briefs in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    total = BriefPage.objects.count()
    if not args.keep_index:
        documents, seconds, size = rebuild_index()
        print(f"rebuilt the search index: {documents} records in {seconds:.1f} s, "
              f"{size / 1e6:.0f} MB on disk", file=sys.stderr)  # fmt: skip
    mean, share, _ = judge(args.verbose)
    p50, p95, worst, n = latency(args.rounds)
    print(f"search over {total} briefs on {connection.vendor}:")
    print(f"  judged queries: {len(_)}   nDCG@10 {mean:.3f}   best result first {share:.0%}")
    print(f"  latency of the whole search ({n} runs): p50 {p50:.1f} ms   p95 {p95:.1f} ms   "
          f"max {worst:.1f} ms   (target p95 <= 50 ms)")  # fmt: skip
    return {"ndcg": mean, "best_first": share, "p50": p50, "p95": p95}


if __name__ == "__main__":
    main()

"""More on This Topic: which published briefs are most related to each brief, and how much.

    index = build_index(briefs)                  # BriefData in, fitted state out
    lists = rank_all(index)                      # {brief id: [Related(id, score), ...]}
    index.upsert(brief)                          # one brief published or changed:
    changes = plan_update(index, brief.id, current)  # the stored lists that change

A score is a weighted sum of cosine similarities, each in [0, 1], so the score is too:

- text (0.6): TF-IDF with sublinear tf over title (x3), summary (x2) and body, stop words
  dropped, plurals folded; each brief keeps its `terms_per_brief` best terms (the rest add
  little and cost much at 100,000 briefs);
- cited sources (0.2): the sources a brief cites, weighted by rarity (IDF): two briefs citing
  the same little-cited cable are about the same thing, two citing Reuters may not be;
- names (0.15): people, places and organisations (`features.entity_names`), by rarity;
- topics (0.05): shared topics, weak on purpose (topics are assigned broadly);

then multiplied by a recency factor that takes off at most 20% for briefs far apart in time
(1 - 0.2 (1 - exp(-gap / 365 days))).
Nothing under `threshold` is listed: no filler. Topics and recency only re-rank briefs that
share words, sources or names: two briefs that share only a topic are never related.

Scale: candidates come from one sparse product of the brief-by-feature matrix with its
transpose, in row chunks, each pair once (a row with the rows after it), keeping only pairs
whose feature score could still reach the threshold and then each row's best `candidates`;
features in more than 5% of briefs are left out of it (they cannot tell briefs apart).
Features are extracted a chunk of briefs at a time (`features.count_terms`, `find_names`):
no Python object per brief and word. A one-brief update is one sparse matrix-vector
product. Caveat: the IDF weights are those of the last `build_index`;
`upsert` weighs a new brief with them (counting its own new features); rows already in the
index keep their weights. Rebuild now and then
(`briefdesk related --rebuild`) to refresh the weights.

The engine holds no ORM and no global state: the caller keeps an `Index` as long as it likes
(briefdesk.briefs.related_store keeps one per process).
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing as mp
import os
import signal
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

from .features import count_terms, entity_names, find_names, text_terms

TEXT, SOURCE, NAME = 0, 1, 2  # kinds of feature
MAX_TOPICS = 8  # topics per brief the engine reads (the first ones: the primary first)
ROW_CHUNK = 2000  # rows per sparse product in rank_all: bounds peak memory
FEATURE_CHUNK = 2000  # briefs per feature-extraction task in build_index
PARALLEL_FROM = 20_000  # briefs from which build_index and rank_all use worker processes
MAX_PROCESSES = 2

_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass(frozen=True)
class BriefData:
    """One published, public brief as the engine sees it. `body` is plain text (no HTML);
    `topics` and `sources` are ids; `date` the publication date, if any."""

    id: int
    title: str
    summary: str = ""
    body: str = ""
    topics: tuple[int, ...] = ()
    sources: tuple[int, ...] = ()
    date: dt.date | None = None


@dataclass(frozen=True)
class Related:
    """`id` is related to the brief whose list holds it with `score` (0 to 1)."""

    id: int
    score: float


@dataclass(frozen=True)
class Weights:
    """How the score is made. The four feature weights sum to 1; `recency` is the largest
    share of a score a date gap can take off (reached slowly: exp(-gap / recency_days))."""

    text: float = 0.6
    sources: float = 0.2
    names: float = 0.15
    topics: float = 0.05
    recency: float = 0.2
    recency_days: float = 365.0
    threshold: float = 0.09
    terms_per_brief: int = 40
    candidates: int = 24
    max_df_share: float = 0.05


DEFAULT_WEIGHTS = Weights()


@dataclass
class _Features:
    terms: Counter[str]
    names: set[str]
    sources: tuple[int, ...]


@dataclass
class Index:
    """The fitted state: one sparse row per brief (weighted, per-kind normalised features),
    the vocabulary with its document frequencies, topics and dates. Mutable through
    `upsert` and `remove` only."""

    weights: Weights
    ids: list[int]
    rows: dict[int, int]  # brief id -> row
    matrix: sp.csr_matrix  # rows x columns, each row's squared norm <= 0.95
    alive: np.ndarray  # bool per row: False once removed or replaced
    topics: np.ndarray  # rows x MAX_TOPICS, -1 padded
    topic_counts: np.ndarray
    days: np.ndarray  # date as an ordinal, -1 when unknown
    vocabulary: dict[str, int]
    kinds: np.ndarray  # per column: TEXT, SOURCE or NAME
    df: np.ndarray  # per column: briefs having the feature
    n_docs: int
    max_df: int
    _new_kinds: list[int] = field(default_factory=list, repr=False)
    _live: sp.csr_matrix | None = field(default=None, repr=False)

    def _grow(self) -> None:
        if self._new_kinds:
            self.kinds = np.append(self.kinds, np.asarray(self._new_kinds, dtype=np.int8))
            self.df = np.append(self.df, np.zeros(len(self._new_kinds), dtype=np.int64))
            self._new_kinds = []

    def __len__(self) -> int:
        return int(self.alive.sum())

    def __contains__(self, brief_id: object) -> bool:
        return brief_id in self.rows

    # --- vectors ----------------------------------------------------------------------

    def _vector(self, cols: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A brief's row from its features (columns and counts): each kind weighted by
        rarity, normalised on its own and scaled by the square root of its weight, so a dot
        product of two rows is the weighted sum of the kinds' cosines."""
        w = self.weights
        df = self.df[cols]
        keep = df <= self.max_df
        cols, counts, df = cols[keep], counts[keep], df[keep]
        idf = np.log((self.n_docs + 1) / (df + 1.0)) + 1.0
        kinds = self.kinds[cols]
        values = np.where(kinds == TEXT, (1.0 + np.log(np.maximum(counts, 1.0))) * idf, idf)
        out_cols: list[np.ndarray] = []
        out_vals: list[np.ndarray] = []
        for kind, weight in ((TEXT, w.text), (SOURCE, w.sources), (NAME, w.names)):
            mine = kinds == kind
            c, v = cols[mine], values[mine]
            if kind == TEXT and len(c) > w.terms_per_brief:
                top = np.lexsort((c, -v))[: w.terms_per_brief]
                c, v = c[top], v[top]
            norm = float(np.sqrt((v * v).sum()))
            if norm:
                out_cols.append(c)
                out_vals.append(v * (math.sqrt(weight) / norm))
        if not out_cols:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        return (
            np.concatenate(out_cols).astype(np.int32),
            np.concatenate(out_vals).astype(np.float32),
        )

    def _vectors(
        self, rows: np.ndarray, cols: np.ndarray, counts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`_vector` for many briefs at once: (row, column, count) triples in, sorted by row,
        out (row, column, value), each row as `_vector` makes it."""
        w = self.weights
        keep = self.df[cols] <= self.max_df
        rows, cols, counts = rows[keep], cols[keep], counts[keep]
        idf = np.log((self.n_docs + 1) / (self.df[cols] + 1.0)) + 1.0
        kinds = self.kinds[cols]
        values = np.where(kinds == TEXT, (1.0 + np.log(np.maximum(counts, 1.0))) * idf, idf)
        del counts, idf, keep
        # By row, then kind, then best first (ties by column), as `_vector` picks terms.
        order = np.lexsort((cols, -values, kinds, rows))
        rows, cols, kinds, values = rows[order], cols[order], kinds[order], values[order]
        del order
        group = rows.astype(np.int64) * 3 + kinds
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        sizes = np.diff(np.r_[starts, len(group)])
        position = np.arange(len(group)) - np.repeat(starts, sizes)
        keep = (kinds != TEXT) | (position < w.terms_per_brief)
        rows, cols, kinds, values, group = (
            rows[keep],
            cols[keep],
            kinds[keep],
            values[keep],
            group[keep],
        )
        del position, keep
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        norms = np.sqrt(np.add.reduceat(values * values, starts)) if len(starts) else values
        sizes = np.diff(np.r_[starts, len(group)])
        scale = np.sqrt(np.array([w.text, w.sources, w.names]))[kinds]
        values = values * scale / np.repeat(norms, sizes)
        return rows, cols, values.astype(np.float32)

    def _columns(self, features: _Features, grow: bool) -> tuple[np.ndarray, np.ndarray]:
        """The brief's feature columns and counts; new features get a column when `grow`."""
        cols: list[int] = []
        counts: list[float] = []
        for key, kind, count in _keyed(features):
            col = self.vocabulary.get(key)
            if col is None:
                if not grow:
                    continue
                col = self.vocabulary[key] = len(self.vocabulary)
                self._new_kinds.append(kind)
            cols.append(col)
            counts.append(count)
        return np.asarray(cols, dtype=np.int64), np.asarray(counts, dtype=np.float64)

    # --- changes ----------------------------------------------------------------------

    def upsert(self, brief: BriefData) -> None:
        """Add a brief, or replace its row when it is in the index already (its text,
        sources or date changed). Its new features are counted in the document frequencies;
        rows already in the index keep their weights until the next build."""
        old = self.rows.get(brief.id)
        if old is not None:
            self.alive[old] = False
        else:
            self.n_docs += 1
        cols, counts = self._columns(_extract(brief), grow=True)
        self._grow()
        # A new brief counts in every feature's frequency; a changed one in its new ones.
        self.df[cols if old is None else cols[self.df[cols] == 0]] += 1
        cols, vals = self._vector(cols, counts)
        width = len(self.df)
        row = sp.csr_matrix((vals, cols, [0, len(cols)]), shape=(1, width))
        matrix = self.matrix
        matrix = sp.csr_matrix(
            (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width)
        )
        self.matrix = sp.vstack([matrix, row], format="csr")
        self.rows[brief.id] = len(self.ids)
        self.ids.append(brief.id)
        self.alive = np.append(self.alive, True)
        self.topics = np.vstack([self.topics, _topic_row(brief.topics)])
        self.topic_counts = np.append(self.topic_counts, min(len(brief.topics), MAX_TOPICS))
        self.days = np.append(self.days, brief.date.toordinal() if brief.date else -1)
        self._live = None

    def remove(self, brief_id: int) -> bool:
        """Take a brief out (unpublished, deleted, made private); False when it was not in."""
        row = self.rows.pop(brief_id, None)
        if row is None:
            return False
        self.alive[row] = False
        self._live = None
        return True

    # --- scoring ----------------------------------------------------------------------

    def _final(self, i: np.ndarray, j: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Scores of pairs (row i, row j) from their feature dot product: plus shared topics,
        times the recency factor."""
        w = self.weights
        a, b = self.topics[i], self.topics[j]
        shared = ((a[:, :, None] == b[:, None, :]) & (a[:, :, None] >= 0)).sum(axis=(1, 2))
        sizes = np.sqrt(self.topic_counts[i] * self.topic_counts[j]).astype(np.float64)
        topic_cos = np.divide(shared, sizes, out=np.zeros(len(i)), where=sizes > 0)
        di, dj = self.days[i], self.days[j]
        gap = np.abs(di - dj).astype(np.float64)
        decay = np.where((di < 0) | (dj < 0), 0.0, 1.0 - np.exp(-gap / w.recency_days))
        return (base + w.topics * topic_cos) * (1.0 - w.recency * decay)

    def scores(self, brief_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Every other brief sharing a word, source or name with `brief_id`, and its score:
        (ids, scores), unsorted. One sparse matrix-vector product."""
        row = self.rows[brief_id]
        vector = self.matrix.getrow(row)
        dense = np.zeros(self.matrix.shape[1], dtype=np.float32)
        dense[vector.indices] = vector.data
        base = self.matrix.dot(dense)
        base[row] = 0.0
        base[~self.alive] = 0.0
        others = np.flatnonzero(base > 0)
        final = self._final(np.full(len(others), row), others, base[others].astype(np.float64))
        return np.asarray(self.ids)[others], final

    def rank(self, brief_id: int, k: int = 3, hidden: Iterable[int] = ()) -> list[Related]:
        """The best `k` briefs for one brief, at or above the threshold, leaving out
        `hidden` (the editors' pins and exclusions): best first, ties by id."""
        ids, final = self.scores(brief_id)
        return _best(ids, final, k, set(hidden), self.weights.threshold)

    def live_matrix(self) -> sp.csr_matrix:
        """The matrix with the rows of removed or replaced briefs emptied."""
        if self._live is None:
            live = sp.diags(self.alive.astype(np.float32))
            self._live = (live @ self.matrix).tocsr()
        return self._live


def _best(
    ids: np.ndarray, scores: np.ndarray, k: int, hidden: set[int], threshold: float
) -> list[Related]:
    keep = scores >= threshold
    ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))
    best: list[Related] = []
    for n in order:
        brief_id = int(ids[n])
        if brief_id in hidden:
            continue
        best.append(Related(brief_id, round(float(scores[n]), 6)))
        if len(best) == k:
            break
    return best


def _extract(brief: BriefData) -> _Features:
    return _Features(
        terms=text_terms(brief.title, brief.summary, brief.body),
        names=entity_names(brief.summary, brief.body),
        sources=tuple(dict.fromkeys(brief.sources)),
    )


def _keyed(features: _Features) -> list[tuple[str, int, float]]:
    return [
        *(("t:" + term, TEXT, float(count)) for term, count in features.terms.items()),
        *((f"s:{s}", SOURCE, 1.0) for s in features.sources),
        *(("n:" + name, NAME, 1.0) for name in sorted(features.names)),
    ]


def _topic_row(topics: Sequence[int]) -> np.ndarray:
    row = np.full(MAX_TOPICS, -1, dtype=np.int64)
    picked = list(dict.fromkeys(topics))[:MAX_TOPICS]
    row[: len(picked)] = picked
    return row


def _chunk_features(
    docs: Sequence[BriefData],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features of a run of briefs with their own vocabulary: keys and their kinds, then per
    feature its brief (a position in `docs`), local column and count, sorted by brief.

    The keys are in the order one brief-by-brief pass would first meet them (a brief's
    terms, its sources, its names sorted), so merging chunks in order numbers the columns
    the same whatever the chunk size."""
    terms, term_doc, term_col, term_counts = count_terms(
        [(b.title, b.summary, b.body) for b in docs]
    )
    names, name_doc, name_col = find_names([(b.summary, b.body) for b in docs])
    sources: dict[int, int] = {}
    source_doc: list[int] = []
    source_col: list[int] = []
    for n, brief in enumerate(docs):
        for source in dict.fromkeys(brief.sources):
            source_doc.append(n)
            source_col.append(sources.setdefault(source, len(sources)))
    # Each kind's columns, then their first brief, in one list of keys.
    kinds = (TEXT, SOURCE, NAME)
    found = (
        (term_doc, term_col, len(terms)),
        (np.asarray(source_doc, np.int64), np.asarray(source_col, np.int64), len(sources)),
        (name_doc, name_col, len(names)),
    )
    first_doc: list[np.ndarray] = []
    order: list[np.ndarray] = []
    for doc, col, width in found:
        first = np.full(width, len(docs), np.int64)
        np.minimum.at(first, col, doc)
        first_doc.append(first)
        order.append(np.arange(width))
    key_kinds = np.repeat(np.asarray(kinds, np.int8), [width for _, _, width in found])
    # Names first met in one brief come sorted; terms and sources in the order first met.
    perm = np.lexsort((np.concatenate(order), key_kinds, np.concatenate(first_doc)))
    keys = [
        *("t:" + t for t in terms),
        *(f"s:{s}" for s in sources),
        *("n:" + name for name in names),
    ]
    local = np.empty(len(perm), np.int64)
    local[perm] = np.arange(len(perm))
    offsets = np.cumsum([0, len(terms), len(sources)])
    doc = np.concatenate([d for d, _, _ in found])
    cols = np.concatenate(
        [local[col + offset] for (_, col, _), offset in zip(found, offsets, strict=True)]
    )
    counts = np.concatenate([term_counts, np.ones(len(source_doc) + len(name_doc), np.float64)])
    by_doc = np.argsort(doc, kind="stable")
    return (
        [keys[p] for p in perm.tolist()],
        key_kinds[perm],
        doc[by_doc].astype(np.int32),
        cols[by_doc].astype(np.int32),
        counts[by_doc].astype(np.float32),
    )


_forking_allowed = False


@contextmanager
def worker_processes() -> Iterator[None]:
    """Within this block `build_index` and `rank_all` may fork worker processes (from
    `PARALLEL_FROM` briefs). Only commands enter it (`briefdesk related --rebuild`, the
    benchmark): a web or task process, with its threads and its V8 context, never forks."""
    global _forking_allowed
    before, _forking_allowed = _forking_allowed, True
    try:
        yield
    finally:
        _forking_allowed = before


def _processes(n: int) -> int:
    """Worker processes for `n` briefs: one outside `worker_processes()` or below
    `PARALLEL_FROM` (forking costs more than it saves), else one more per idle core, at most
    two. A worker without a core of its own only adds work (pickling, a second process's
    caches): measured at 100,000 briefs with the machine's other work at a load of 2-3 on
    its 2 cores, two workers took 86-103 s and 88-101 s of CPU, one process 70 s."""
    if not _forking_allowed or n < PARALLEL_FROM or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(MAX_PROCESSES, os.cpu_count() or 1, 1 + int(_idle_cores())))


def _idle_cores() -> float:
    """Cores the machine's recent work (1-minute load average, this process included)
    leaves idle."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # no load average on this platform
        return 0.0
    return max(0.0, (os.cpu_count() or 1) - load)


def _map(function: Callable[[_T], _R], items: list[_T], n: int) -> Iterator[_R]:
    """`map(function, items)` in order, in worker processes (forked) when `n` is large."""
    processes = _processes(n)
    if processes == 1 or len(items) < 2:
        yield from map(function, items)
        return
    with mp.get_context("fork").Pool(processes, initializer=_stop_on_sigterm) as pool:
        yield from pool.imap(function, items)


def _stop_on_sigterm() -> None:
    """A forked worker stops on its pool's SIGTERM (leaving `with Pool()` terminates the
    workers) whatever handler the parent had: one a worker command run in the same process
    left behind kept the pool waiting for ever."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def build_index(briefs: Iterable[BriefData], weights: Weights = DEFAULT_WEIGHTS) -> Index:
    """Fit the engine to a corpus: vocabulary, document frequencies and one row per brief.
    A brief id given twice keeps its last version. The result does not depend on the order
    of `briefs` (they are taken by id)."""
    unique = {brief.id: brief for brief in briefs}
    docs = [unique[i] for i in sorted(unique)]
    n = len(docs)
    index = Index(
        weights=weights,
        ids=[brief.id for brief in docs],
        rows={brief.id: row for row, brief in enumerate(docs)},
        matrix=sp.csr_matrix((n, 0), dtype=np.float32),
        alive=np.ones(n, dtype=bool),
        topics=np.array([_topic_row(b.topics) for b in docs], dtype=np.int64).reshape(
            n, MAX_TOPICS
        ),
        topic_counts=np.array([min(len(set(b.topics)), MAX_TOPICS) for b in docs], dtype=np.int64),
        days=np.array([b.date.toordinal() if b.date else -1 for b in docs], dtype=np.int64),
        vocabulary={},
        kinds=np.zeros(0, dtype=np.int8),
        df=np.zeros(0, dtype=np.int64),
        n_docs=n,
        max_df=max(20, int(weights.max_df_share * n)),
    )
    # Features as compact arrays (a Counter per brief would cost gigabytes at 100,000),
    # extracted in chunks (in parallel at scale); each chunk comes back with its own small
    # vocabulary, merged here in brief order so columns are numbered as one pass would.
    chunks = [docs[lo : lo + FEATURE_CHUNK] for lo in range(0, n, FEATURE_CHUNK)]
    all_rows: list[np.ndarray] = []
    all_cols: list[np.ndarray] = []
    all_counts: list[np.ndarray] = []
    for lo, (keys, key_kinds, doc, cols, counts) in zip(
        range(0, n, FEATURE_CHUNK), _map(_chunk_features, chunks, n), strict=True
    ):
        vocabulary = index.vocabulary
        mapping = np.fromiter(map(vocabulary.get, keys, repeat(-1)), np.int64, len(keys))
        new = np.flatnonzero(mapping < 0)  # keys in a chunk are distinct
        first = len(vocabulary)
        added = range(first, first + len(new))
        vocabulary.update(zip([keys[i] for i in new.tolist()], added, strict=True))
        mapping[new] = added
        index._new_kinds += key_kinds[new].tolist()
        all_rows.append(doc + lo)
        all_cols.append(mapping.astype(np.int32)[cols])
        all_counts.append(counts)
    index._grow()
    df = np.zeros(len(index.df), dtype=np.int64)
    for cols in all_cols:
        df += np.bincount(cols, minlength=len(df))
    index.df = df
    # Then each chunk's rows, weighted by the document frequencies of the whole corpus (in
    # parallel at scale too: the workers read the features from `_VECTORS`).
    global _VECTORS
    _VECTORS = (index, all_rows, all_cols, all_counts)
    try:
        parts = list(_map(_chunk_vectors, list(range(len(all_rows))), n))
    finally:
        _VECTORS = None
    del all_rows, all_cols, all_counts
    indptr = np.zeros(n + 1, dtype=np.int64)
    for rows, _, _ in parts:
        indptr[1:] += np.bincount(rows, minlength=n)
    np.cumsum(indptr, out=indptr)
    cols = np.concatenate([c for _, c, _ in parts]) if parts else np.zeros(0, dtype=np.int32)
    vals = np.concatenate([v for _, _, v in parts]) if parts else np.zeros(0, dtype=np.float32)
    del parts
    index.matrix = sp.csr_matrix((vals, cols, indptr), shape=(n, len(index.df)))
    return index


# What the forked `_chunk_vectors` workers read: the index (vocabulary and document
# frequencies) and each chunk's (rows, columns, counts), set before the pool forks.
_VECTORS: tuple[Index, list[np.ndarray], list[np.ndarray], list[np.ndarray]] | None = None


def _chunk_vectors(chunk: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    assert _VECTORS is not None
    index, all_rows, all_cols, all_counts = _VECTORS
    rows, cols, vals = index._vectors(all_rows[chunk], all_cols[chunk], all_counts[chunk])
    return rows, cols.astype(np.int32), vals


# What the forked `rank_all` workers read, set before each pool forks: (index, k, hidden),
# then the pairs found (rows i and j, feature score, sorted by i) and where each chunk's
# rows start in them.
_RANKING: tuple[Index, int, Mapping[int, Iterable[int]]] | None = None
_PAIRS: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None


def rank_all(
    index: Index, k: int = 3, hidden: Mapping[int, Iterable[int]] | None = None
) -> dict[int, list[Related]]:
    """The best `k` briefs for every brief in the index (an empty list when none reaches
    the threshold). `hidden` maps a brief id to ids never to list for it (pins, exclusions).

    Two passes over chunks of rows, in worker processes at scale: the sparse product finds
    each pair of briefs once, from its first row (half the work of the whole product);
    then each chunk's rows are ranked from the pairs found for them."""
    global _RANKING, _PAIRS
    live_rows = np.flatnonzero(index.alive)
    chunks = [live_rows[lo : lo + ROW_CHUNK] for lo in range(0, len(live_rows), ROW_CHUNK)]
    _RANKING = (index, k, hidden or {})
    result: dict[int, list[Related]] = {}
    try:
        found = list(_map(_chunk_pairs, chunks, len(live_rows)))
        first = np.concatenate([f[0] for f in found]) if found else np.zeros(0, np.int32)
        second = np.concatenate([f[1] for f in found]) if found else np.zeros(0, np.int32)
        base = np.concatenate([f[2] for f in found]) if found else np.zeros(0, np.float32)
        del found
        i, j = np.concatenate([first, second]), np.concatenate([second, first])
        base = np.concatenate([base, base])
        del first, second
        order = np.argsort(i, kind="stable")
        i, j, base = i[order], j[order], base[order]
        del order
        starts = [int(chunk[0]) for chunk in chunks] + [len(index.ids)]
        _PAIRS = (i, j, base, np.searchsorted(i, starts))
        for part in _map(_rank_chunk, list(enumerate(chunks)), len(live_rows)):
            result.update(part)
    finally:
        _RANKING = _PAIRS = None
    return result


def _chunk_pairs(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (i, j, feature score) of these rows i with any later live row j that could
    reach the threshold."""
    assert _RANKING is not None
    index = _RANKING[0]
    w = index.weights
    first = int(rows[0])
    product = (index.matrix[rows] @ index.live_matrix()[first:].T).tocsr()
    # Topics add at most w.topics and recency only takes off, so a pair under this floor can
    # never reach the threshold: leaving such pairs out changes no list.
    kept = np.flatnonzero(product.data >= w.threshold - w.topics - 1e-9)
    i = rows[np.searchsorted(product.indptr, kept, side="right") - 1]
    j = product.indices[kept] + first
    base = product.data[kept]
    del product, kept
    later = j > i
    return i[later].astype(np.int32), j[later].astype(np.int32), base[later]


def _rank_chunk(chunk: tuple[int, np.ndarray]) -> dict[int, list[Related]]:
    """`rank` for a run of rows, from the pairs found for them, kept vectorised: the
    candidates of every row are filtered, scored and ordered together, as `rank` would one
    row at a time (`rank` sees every pair; the pairs here are those that can reach the
    threshold, which gives the same lists)."""
    assert _RANKING is not None and _PAIRS is not None
    index, k, hidden = _RANKING
    w = index.weights
    ids = np.asarray(index.ids)
    number, rows = chunk
    i, j, base, bounds = _PAIRS
    lo, hi = bounds[number], bounds[number + 1]
    n = np.searchsorted(rows, i[lo:hi])  # position in `rows`
    j, base = j[lo:hi], base[lo:hi]
    # Each row's best `candidates` by feature score (more when some are hidden).
    limit = np.full(len(rows), w.candidates)
    row_ids = [index.ids[row] for row in rows.tolist()]
    if hidden:
        for m, brief_id in enumerate(row_ids):
            limit[m] += len(hidden.get(brief_id, ()))  # type: ignore[arg-type]
    order = np.lexsort((j, -base, n))
    n, j, base = n[order], j[order], base[order]
    keep = _position_in_group(n) < limit[n]
    n, j, base = n[keep], j[keep], base[keep]
    final = index._final(rows[n], j, base.astype(np.float64))
    keep = final >= w.threshold
    n, j, final = n[keep], j[keep], final[keep]
    related = ids[j]
    order = np.lexsort((related, -final, n))
    n, related, final = n[order], related[order], final[order]
    if hidden:
        shown = np.ones(len(n), dtype=bool)
        for m in np.unique(n).tolist():
            if never := set(hidden.get(row_ids[m], ())):
                mine = np.flatnonzero(n == m)
                shown[mine] = [r not in never for r in related[mine].tolist()]
        n, related, final = n[shown], related[shown], final[shown]
    keep = _position_in_group(n) < k
    n, related, final = n[keep], related[keep], final[keep]
    result: dict[int, list[Related]] = {brief_id: [] for brief_id in row_ids}
    for m, other, score in zip(n.tolist(), related.tolist(), final.tolist(), strict=True):
        result[row_ids[m]].append(Related(other, round(score, 6)))
    return result


def _position_in_group(group: np.ndarray) -> np.ndarray:
    """For a sorted array of group numbers, each item's position within its group."""
    if not len(group):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, len(group)])
    return np.arange(len(group)) - np.repeat(starts, sizes)


@dataclass(frozen=True)
class Update:
    """What one change does to the stored lists: the new list of every brief whose list
    changes (the changed brief's own first), and the briefs whose lists must be emptied."""

    lists: dict[int, list[Related]]
    cleared: list[int] = field(default_factory=list)


def candidates(index: Index, brief_id: int) -> list[int]:
    """The briefs whose lists a brief in the index could enter: those it reaches the
    threshold with (the stored lists `plan_update` needs are theirs, and those holding it)."""
    ids, final = index.scores(brief_id)
    return ids[final >= index.weights.threshold].tolist()


def plan_update(
    index: Index,
    brief_id: int,
    current: Mapping[int, Sequence[Related]],
    hidden: Mapping[int, Iterable[int]] | None = None,
    k: int = 3,
) -> Update:
    """Say which stored lists change when a brief is published or changed (`index.upsert`
    it first).

    `current` holds the stored lists of the briefs that list it now and of its `candidates`
    (a brief missing from `current` is taken to have an empty list). A brief that listed it
    is ranked again in full (it may fall out and leave room for the next best); any other
    takes it in when it beats its weakest entry or the list has room."""
    hidden = hidden or {}
    threshold = index.weights.threshold
    ids, final = index.scores(brief_id)
    lists = {brief_id: _best(ids, final, k, set(hidden.get(brief_id, ())), threshold)}
    score_of = dict(zip(ids.tolist(), final.tolist(), strict=True))
    others = set(current) | {int(i) for i in ids[final >= threshold]}
    for other in sorted(others):
        stored = list(current.get(other, ()))
        if other == brief_id or other not in index.rows:
            continue
        if any(r.id == brief_id for r in stored):
            fresh = index.rank(other, k, hidden.get(other, ()))
            if fresh != stored:
                lists[other] = fresh
            continue
        score = score_of.get(other, 0.0)
        if score < threshold or brief_id in set(hidden.get(other, ())):
            continue
        if len(stored) >= k and score <= min(r.score for r in stored):
            continue
        entry = Related(brief_id, round(score, 6))
        lists[other] = sorted([*stored, entry], key=lambda r: (-r.score, r.id))[:k]
    return Update(lists=lists)


def plan_removal(
    index: Index,
    brief_id: int,
    listing: Iterable[int],
    hidden: Mapping[int, Iterable[int]] | None = None,
    k: int = 3,
) -> Update:
    """Take a brief out of the index (unpublished, deleted, made private) and rank again
    the briefs in `listing` (those whose stored lists hold it): they may get their next best."""
    hidden = hidden or {}
    index.remove(brief_id)
    lists = {
        other: index.rank(other, k, hidden.get(other, ()))
        for other in listing
        if other in index.rows and other != brief_id
    }
    return Update(lists=lists, cleared=[brief_id])

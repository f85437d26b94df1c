"""The public search's index: tantivy (Rust; BM25, facet aggregations) over plain documents.

    store = IndexStore(Path("var/search"))       # one per process; opens the current index
    store.rebuild(documents, synced)             # a new generation, swapped in whole
    with store.writer() as writer:               # None when another process is writing
        writer.replace(documents); writer.delete(keys); writer.commit(synced)
    found = store.search(Request(words=["pakistan"], kinds=("brief", "guide")))

No ORM here: a `Document` is plain data made by `documents.py` from the database, which stays
the record of truth; the index is a cache of what a reader may find, rebuilt from it at will.

On disk, `root/` holds generations (`gen-v<schema version>-<time>/`, each a tantivy index
plus `synced.json`, how far the change log has been applied to it) and `CURRENT`, the name
of the live one. A rebuild writes a new generation and replaces `CURRENT` atomically, so a
reader never sees a half-built index; every process notices the new name at its next search.
Writing (a rebuild or applied changes) holds `root/lock` (flock): one writer per machine, and
a process that cannot get it at once leaves the work to the one that has it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

BRIEF, GUIDE, EXPERT, SOURCE = "brief", "guide", "expert", "source"
KIND_RANK = {GUIDE: 0, EXPERT: 1, BRIEF: 2, SOURCE: 3}  # ties go to the broader kind
ANALYZER = "briefdesk_words"
TEXT_FIELDS = ("title", "summary", "role", "outlet", "text")
# Points for each query word by where it is found: a title says what a record is about, a
# source is looked up by its outlet, a summary or description says more than a body.
POINTS = {"title": 10.0, "summary": 3.0, "role": 2.0, "outlet": 6.0}
EXACT_TITLE = 20.0  # added when the query is the whole title: a guide, an expert by name
# BM25 over every field orders records with the same points (how often, in how long a text,
# how rare the word): scaled down so that it never outweighs a word's place.
BM25_SCALE = 0.1
FACET_FIELDS = ("kind", "brief_type", "topics", "experts", "year", "outlet_id", "source_kind")
FACET_SIZE = 500
# Raise when the schema, the analyzer or what documents hold changes: an index of another
# version is not read, and the next search or `briefdesk search --rebuild` builds it anew.
SCHEMA_VERSION = 1
WRITER_HEAP = 64_000_000
REBUILD_HEAP = 256_000_000


@dataclass(frozen=True)
class Document:
    """One record a reader may find. `key` is "<kind>:<id>"; `topics` are the guides it is
    filed under (a guide: itself and every guide above it); `experts` who wrote it (an
    expert: themselves); `sortdate` is YYYYMMDD (0: undated)."""

    kind: str
    pk: int
    title: str
    summary: str = ""
    role: str = ""
    outlet: str = ""
    text: str = ""
    names: str = ""  # found like `text` but not kept for passages (a brief's authors)
    brief_type: str = ""
    year: int = 0
    sortdate: int = 0
    topics: tuple[int, ...] = ()
    experts: tuple[int, ...] = ()
    outlet_id: int = 0
    source_kind: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass(frozen=True)
class Request:
    """A search: every word must be found (in any field); `filters` narrow by facet
    (field name -> value), `kinds` by kind of record."""

    words: Sequence[str]
    kinds: Sequence[str] = (BRIEF, GUIDE, EXPERT, SOURCE)
    filters: dict[str, int | str] = field(default_factory=dict)
    sort: str = "relevance"  # or "date": newest first, undated last
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class Hit:
    kind: str
    pk: int
    score: float
    sortdate: int
    text: str = ""  # the record's "text" field, for a passage around the words


@dataclass
class Found:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # facet field -> value (as text) -> count


@dataclass
class Synced:
    """How far the change log has been applied: every change with an id up to `watermark`,
    except ids in the window below it that are not in `recent` (changes whose transaction
    committed after a later one's; see sync.py)."""

    watermark: int = 0
    recent: list[int] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"watermark": self.watermark, "recent": self.recent})

    @classmethod
    def from_json(cls, text: str) -> Synced:
        data = json.loads(text)
        return cls(int(data["watermark"]), [int(i) for i in data["recent"]])


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", fast=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        # "text" is kept for the result's passage (a brief's body: no database read).
        builder.add_text_field(name, tokenizer_name=ANALYZER, stored=name == "text")
    builder.add_text_field("exact", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("brief_type", fast=True, tokenizer_name="raw")
    builder.add_text_field("source_kind", fast=True, tokenizer_name="raw")
    for name in ("year", "topics", "experts", "outlet_id"):
        builder.add_integer_field(name, fast=True, indexed=True)
    builder.add_integer_field("sortdate", fast=True)
    builder.add_integer_field("kind_rank", fast=True)
    return builder.build()


@functools.cache
def _analyzer() -> Any:
    """Words of letters and digits in any script, lowercased, accents folded ("Pérez" is
    found by "perez"), words over 40 characters dropped."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def exact_form(text: str) -> str:
    """A title or query as the exact-title match compares them: its words, lowercased and
    folded by the index's own analyzer, joined by spaces."""
    return " ".join(token for token in _analyzer().analyze(text))


def _tantivy_document(doc: Document) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("key", doc.key)
    out.add_text("kind", doc.kind)
    for name in TEXT_FIELDS:
        value = getattr(doc, name)
        if value or (name == "text" and doc.names):
            out.add_text(name, value)
    if doc.names:  # a second value of "text": searched, never the passage (get_first)
        out.add_text("text", doc.names)
    out.add_text("exact", exact_form(doc.title))
    if doc.brief_type:
        out.add_text("brief_type", doc.brief_type)
    if doc.source_kind:
        out.add_text("source_kind", doc.source_kind)
    if doc.year:
        out.add_integer("year", doc.year)
    if doc.outlet_id:
        out.add_integer("outlet_id", doc.outlet_id)
    for topic in doc.topics:
        out.add_integer("topics", topic)
    for expert in doc.experts:
        out.add_integer("experts", expert)
    out.add_integer("sortdate", doc.sortdate)
    out.add_integer("kind_rank", KIND_RANK[doc.kind])
    return out


class Writer:
    """Changes to the current generation, made visible together by `commit`."""

    def __init__(self, index: tantivy.Index, directory: Path) -> None:
        self._index, self._directory = index, directory
        self._writer = index.writer(WRITER_HEAP, 1)

    def replace(self, documents: Iterable[Document]) -> None:
        for doc in documents:
            self._writer.delete_documents_by_term("key", doc.key)
            self._writer.add_document(_tantivy_document(doc))

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._writer.delete_documents_by_term("key", key)

    def close(self) -> None:
        """Let merges finish and give up tantivy's own writer lock (held until then, even
        after `commit`, as long as the writer lives)."""
        self._writer.wait_merging_threads()

    def commit(self, synced: Synced) -> None:
        self._writer.commit()
        _write_atomically(self._directory / "synced.json", synced.to_json())
        self._index.reload()


class IndexStore:
    """The index under `root` as this process sees it (see the module's docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._generation = ""
        self._index: tantivy.Index | None = None

    # -- reading --------------------------------------------------------------------------

    def current(self) -> tuple[str, tantivy.Index] | None:
        """The live generation's name and index (None when none was built yet), reopened
        when another process swapped in a new one."""
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        if not name.startswith(f"gen-v{SCHEMA_VERSION}-"):
            return None  # built by another version: rebuilt before use
        with self._lock:
            if name != self._generation or self._index is None:
                self._index = _open(self.root / name)
                self._generation = name
            return name, self._index

    def synced(self) -> Synced | None:
        found = self.current()
        if found is None:
            return None
        try:
            return Synced.from_json((self.root / found[0] / "synced.json").read_text())
        except (FileNotFoundError, ValueError, KeyError):
            return Synced()

    def search(self, request: Request, facets: bool = True) -> Found:
        """The hits `request` asks for, the number of matches and (unless `facets` is False:
        see `facets`) the facet counts over every match."""
        found = self.current()
        if found is None or not request.words or not request.kinds:
            return Found(0, [], {})
        index = found[1]
        index.reload()
        searcher = index.searcher()
        query = _query(index, request)
        if query is None:
            return Found(0, [], {})
        if request.sort == "date":
            result = searcher.search(
                query, request.limit, count=True, order_by_field="sortdate",
                offset=request.offset, order=tantivy.Order.Desc,
            )  # fmt: skip
        else:
            result = searcher.search(query, request.limit, count=True, offset=request.offset)
        addresses = [address for _, address in result.hits]
        dates = searcher.fast_field_values("sortdate", addresses) if addresses else []
        hits = []
        for (order_key, address), sortdate in zip(result.hits, dates, strict=True):
            stored = searcher.doc(address)
            kind, _, pk = str(stored.get_first("key")).partition(":")
            score = float(order_key) if request.sort != "date" else 0.0
            text = str(stored.get_first("text") or "")
            hits.append(Hit(kind, int(pk), score, int(sortdate or 0), text))
        count = result.count  # type: ignore[attr-defined]  # tantivy's stubs omit `count`
        counted = _facets(searcher, query, request.kinds) if facets and count else {}
        return Found(int(count or 0), hits, counted)

    def facets(self, request: Request) -> dict[str, dict[str, int]]:
        """The facet counts over every match of `request`. tantivy releases the GIL while it
        aggregates, so a caller can count on another thread while it reads the database."""
        found = self.current()
        if found is None or not request.words or not request.kinds:
            return {}
        index = found[1]
        index.reload()
        query = _query(index, request)
        return {} if query is None else _facets(index.searcher(), query, request.kinds)

    def count(self) -> int:
        """How many records the live generation holds."""
        found = self.current()
        if found is None:
            return 0
        found[1].reload()
        return int(found[1].searcher().num_docs)

    def vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        """Title words starting with `prefix`, with how many records hold each."""
        found = self.current()
        if found is None or not prefix:
            return []
        found[1].reload()
        return list(found[1].searcher().terms_with_prefix("title", prefix))

    def holds(self, word: str) -> bool:
        """True when some record's title holds `word` (as the analyzer folds it)."""
        found = self.current()
        if found is None:
            return False
        folded = exact_form(word)
        if not folded:
            return False
        searcher = found[1].searcher()
        return bool(searcher.doc_freq("title", folded))

    # -- writing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, wait: float = 0.0) -> Iterator[Writer | None]:
        """A Writer on the current generation while this process holds the lock; None when
        another process holds it past `wait` seconds, or no generation exists yet."""
        with self.locked(wait) as held:
            found = self.current() if held else None
            if found is None:
                yield None
                return
            writer = Writer(found[1], self.root / found[0])
            try:
                yield writer
            finally:
                writer.close()

    @contextlib.contextmanager
    def locked(self, wait: float = 0.0) -> Iterator[bool]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lock", "a+") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def rebuild(self, documents: Iterable[Document], synced: Synced) -> int:
        """Index `documents` into a new generation and make it the live one; the caller
        holds the lock (`locked`). Returns how many documents were indexed."""
        name = f"gen-v{SCHEMA_VERSION}-{time.time_ns()}"
        directory = self.root / name
        directory.mkdir(parents=True)
        try:
            index = _open(directory)
            writer = index.writer(REBUILD_HEAP, min(2, os.cpu_count() or 1))
            count = 0
            for doc in documents:
                writer.add_document(_tantivy_document(doc))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
            _write_atomically(directory / "synced.json", synced.to_json())
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        _write_atomically(self.root / "CURRENT", name)
        for old in self.root.glob("gen-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        return count


def _open(directory: Path) -> tantivy.Index:
    directory.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema(), path=str(directory))
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def _query(index: tantivy.Index, request: Request) -> Any:
    schema_ = index.schema
    words = " ".join(request.words)
    try:
        text = index.parse_query(
            words,
            list(TEXT_FIELDS),
            field_boosts=dict.fromkeys(TEXT_FIELDS, BM25_SCALE),
            conjunction_by_default=True,
        )
    except ValueError:
        return None
    clauses = [(tantivy.Occur.Must, text)]
    for token in dict.fromkeys(exact_form(words).split()):
        for name, points in POINTS.items():
            found = tantivy.Query.term_query(schema_, name, token)
            clauses.append((tantivy.Occur.Should, tantivy.Query.const_score_query(found, points)))
    exact = exact_form(words)
    if exact:
        clauses.append(
            (
                tantivy.Occur.Should,
                tantivy.Query.const_score_query(
                    tantivy.Query.term_query(schema_, "exact", exact), EXACT_TITLE
                ),
            )
        )
    if set(request.kinds) != set(KIND_RANK):
        kinds = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema_, "kind", k))
             for k in request.kinds]
        )  # fmt: skip
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(kinds, 0.0)))
    for name, value in request.filters.items():
        term = tantivy.Query.term_query(schema_, name, value)
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(term, 0.0)))
    return tantivy.Query.boolean_query(clauses)


# The kinds of record that carry each facet: one no requested kind carries is not counted.
FACET_KINDS = {
    "kind": {BRIEF, GUIDE, EXPERT, SOURCE},
    "brief_type": {BRIEF},
    "topics": {BRIEF, GUIDE},
    "experts": {BRIEF, EXPERT},
    "year": {BRIEF, SOURCE},
    "outlet_id": {SOURCE},
    "source_kind": {SOURCE},
}


def _facets(searcher: Any, query: Any, kinds: Sequence[str]) -> dict[str, dict[str, int]]:
    spec = {
        name: {"terms": {"field": name, "size": FACET_SIZE}}
        for name in FACET_FIELDS
        if FACET_KINDS[name] & set(kinds)
    }
    result = searcher.aggregate(query, spec)
    return {
        name: {_facet_value(b["key"]): int(b["doc_count"]) for b in result[name]["buckets"]}
        for name in FACET_FIELDS
        if name in result
    }


def _facet_value(key: Any) -> str:
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)

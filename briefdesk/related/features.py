"""What the relatedness engine reads in a brief: its words and the names it mentions.

    terms = text_terms(title, summary, body)     # Counter of stems, title weighted 3, summary 2
    names = entity_names(summary, body)           # {"asif ali zardari", "zardari", "isi", ...}

Plain text in, plain data out; no model, no dictionary beyond a list of stop words. The
stemmer only folds the endings that split one word into several columns (plural -s, -es,
-ies; -ing and -ed are left alone: "leaked"/"leaking" stay apart, which costs little). The
names are a cheap stand-in for named-entity recognition: runs of capitalised words (with
"of", "al-", "bin" inside them), plus each run's last word alone, so "Asif Ali Zardari" and
"Zardari" meet. A capitalised word that opens a sentence and is a stop word ("The", "In")
is not a name.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Field weights for text: a word in the title says more about what a brief is about than
# one in the body. Counts are multiplied before the sublinear tf (1 + log count).
TITLE_WEIGHT = 3
SUMMARY_WEIGHT = 2

STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | {
    "said",
    "says",
    "also",
    "would",
    "could",
    "one",
    "two",
    "new",
    "year",
    "years",
}

_WORD = re.compile(r"[a-z][a-z0-9]+(?:['’-][a-z0-9]+)*")
# A capitalised word: "Zardari", "U.S.", "ISI", "al-Qaeda", "Shah's" (the 's is dropped).
_CAP = r"(?:[A-Z][A-Za-z0-9]*(?:[.’'-][A-Za-z0-9]+)*\.?)"
_JOIN = r"(?:\s+(?:of|al-|bin|de|the)\s+|\s+|-)"
_NAME_RUN = re.compile(rf"{_CAP}(?:{_JOIN}{_CAP})*")


def stem(word: str) -> str:
    """Fold plural endings: "sanctions" -> "sanction", "policies" -> "policy"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=200_000)
def _term(word: str) -> str:
    """The term a lower-cased word counts as; "" for a stop word."""
    word = word.replace("’", "'").removesuffix("'s")
    return "" if word in STOP_WORDS else stem(word)


def _count(text: str, weight: int, counts: Counter[str]) -> None:
    # Count words first and fold each distinct word once: stemming every token cost most
    # of the engine's time at 100,000 briefs.
    term = _term
    for word, n in Counter(_WORD.findall(text.lower())).items():
        if t := term(word):
            counts[t] += n * weight


def text_terms(title: str, summary: str, body: str) -> Counter[str]:
    """Stemmed, stop-word-free word counts; title words count three times, summary twice."""
    counts: Counter[str] = Counter()
    _count(body, 1, counts)
    _count(summary, SUMMARY_WEIGHT, counts)
    _count(title, TITLE_WEIGHT, counts)
    return counts


@functools.lru_cache(maxsize=200_000)
def _clean_name(run: str) -> tuple[str, ...]:
    """The names a run of capitalised words counts as (cached: names recur)."""
    words = run.replace("’", "'").split()
    while words and words[0].lower().strip(".") in STOP_WORDS:
        words = words[1:]
    while words and words[-1].lower().strip(".") in STOP_WORDS:
        words = words[:-1]
    if not words:
        return ()
    name = " ".join(words).lower().removesuffix("'s").rstrip(".")
    last = words[-1].lower().removesuffix("'s").rstrip(".")
    if len(words) == 1:
        return (name,) if len(name) > 1 else ()
    return (name, last) if len(last) > 2 else (name,)


def entity_names(summary: str, body: str) -> set[str]:
    """Names of people, places and organisations the brief mentions (lower-cased).

    Titles are left out: in title case every word is capitalised. A capitalised common word
    opening a sentence ("Officials said") still reads as a name; the engine weighs names by
    rarity, so such words count little."""
    names: set[str] = set()
    for text in (summary, body):
        for run in _NAME_RUN.findall(text):
            names.update(_clean_name(run))
    return names


# --- many briefs at once ------------------------------------------------------------------
# What `text_terms` and `entity_names` give, for a run of briefs in one pass each: no Counter
# or set per brief. Python touches each distinct word (or name run) of the run once; every
# token goes through C only (the regular expression, dict look-ups by `map`, numpy).


def _first_seen(items: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct items in the order first seen, and each item's position in that list."""
    distinct = list(dict.fromkeys(items))
    position = dict(zip(distinct, range(len(distinct)), strict=True))
    return distinct, np.fromiter(map(position.__getitem__, items), np.int64, len(items))


# Characters `_WORD` never matches, as spaces (ASCII only: other characters stay, and a piece
# holding one goes through `_WORD`).
_NOT_WORD = {c: " " for c in range(128) if not re.fullmatch(r"[a-z0-9'-]", chr(c))}


@functools.lru_cache(maxsize=400_000)
def _piece_terms(piece: str) -> tuple[str, ...]:
    """The terms of a piece of lower-cased text (stop words dropped): usually one, none for
    a stop word, more for "abc--def"."""
    return tuple(t for word in _WORD.findall(piece) if (t := _term(word)))


def count_terms(
    texts: Sequence[tuple[str, str, str]],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """`text_terms` for many (title, summary, body): the terms in the order first seen
    (brief by brief; body, then summary, then title, as `text_terms` counts them), and one
    (brief, term, count) triple per term of each brief, sorted by brief then term.

    Text is cut into pieces at characters no word holds (`str.translate` and `split`, at C
    speed); each distinct piece then goes through `_WORD` once ("don't-stop" is one piece,
    "x-ray" gives "ray"), which finds exactly the words `_WORD` finds in the whole text."""
    pieces: list[str] = []
    lengths: list[int] = []
    for title, summary, body in texts:
        for text in (body, summary, title):
            found = text.lower().translate(_NOT_WORD).split()
            pieces += found
            lengths.append(len(found))
    distinct, piece_of_token = _first_seen(pieces)
    del pieces
    per_piece = list(map(_piece_terms, distinct))
    terms, flat = _first_seen([t for found in per_piece for t in found])
    many = np.fromiter(map(len, per_piece), np.int64, len(per_piece))
    first = np.cumsum(many) - many
    sizes = np.asarray(lengths, np.int64)
    weight = np.repeat(
        np.tile(np.array([1, SUMMARY_WEIGHT, TITLE_WEIGHT], np.int64), len(texts)), sizes
    )
    doc = np.repeat(np.arange(len(texts), dtype=np.int64).repeat(3), sizes)
    n = many[piece_of_token]
    total = int(n.sum())
    start = np.repeat(first[piece_of_token] - (np.cumsum(n) - n), n)
    term = flat[start + np.arange(total)]
    width = max(len(terms), 1)
    unique, inverse = np.unique(np.repeat(doc, n) * width + term, return_inverse=True)
    counts = np.bincount(inverse, weights=np.repeat(weight, n), minlength=len(unique))
    return terms, unique // width, unique % width, counts


def find_names(texts: Sequence[tuple[str, str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`entity_names` for many (summary, body): the distinct names in sorted order, and one
    (brief, name) pair per name of each brief, sorted by brief then name."""
    runs: list[str] = []
    lengths: list[int] = []
    findall = _NAME_RUN.findall
    for summary, body in texts:
        found = findall(summary) + findall(body)
        runs += found
        lengths.append(len(found))
    distinct, run_of_match = _first_seen(runs)
    cleaned = list(map(_clean_name, distinct))
    # Each run counts as at most two names (the run and its last word).
    run_names = [found[0] if found else "" for found in cleaned]
    last_names = [found[1] if len(found) > 1 else "" for found in cleaned]
    names = sorted({*run_names, *last_names} - {""})
    rank = dict(zip(names, range(len(names)), strict=True))
    rank[""] = -1
    first = np.fromiter(map(rank.__getitem__, run_names), np.int64, len(run_names))
    second = np.fromiter(map(rank.__getitem__, last_names), np.int64, len(last_names))
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), np.asarray(lengths, np.int64))
    name = np.concatenate([first[run_of_match], second[run_of_match]])
    doc = np.concatenate([doc, doc])
    keep = name >= 0
    width = max(len(names), 1)
    unique = np.unique(doc[keep] * width + name[keep])
    return names, unique // width, unique % width

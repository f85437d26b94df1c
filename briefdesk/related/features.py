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

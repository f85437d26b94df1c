"""Did-you-mean for a search that found nothing: each unknown word replaced by the closest
known word.

    correct("pakistn nucler")  # -> "pakistan nuclear", or "" when nothing is close enough

The known words are the words of the titles in the search index (briefs, guides, experts'
names, sources), so they are exactly what a reader may find, and as fresh as the index. A
word no title holds is compared with the title words that start with the same letter and
are about as long; closeness is difflib's ratio (at least 0.75). A word of three letters or
fewer is never corrected.
"""

from __future__ import annotations

import difflib

from . import sync

CUTOFF = 0.75


def correct(terms: str) -> str:
    """`terms` with each word no title holds replaced by its closest title word; "" when no
    word was replaced."""
    index = sync.store()
    changed = False
    words = []
    for word in terms.split():
        if len(word) <= 3 or index.holds(word):
            words.append(word)
            continue
        near = [w for w, _ in index.vocabulary(word[0]) if abs(len(w) - len(word)) <= 2]
        best = difflib.get_close_matches(word, near, n=1, cutoff=CUTOFF)
        if best:
            words.append(best[0])
            changed = True
        else:
            words.append(word)
    return " ".join(words) if changed else ""

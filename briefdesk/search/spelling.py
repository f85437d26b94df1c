"""Did-you-mean for a search that found nothing: each unknown word replaced by the closest
known word.

    correct("pakistn nucler")  # -> "pakistan nuclear", or "" when nothing is close enough

The known words are those of what a reader searches for by name: the titles of published
briefs, guides and sources, experts' names, outlets' names and short labels. They are read
once per state of the content: the cache key is a fingerprint of the tables (row counts and
the latest publication or change), so a word added by a new brief is known at the next
search, on every worker. Closeness is difflib's ratio (at least 0.75) among words of about
the same length; a word of three letters or fewer is never corrected.
"""

from __future__ import annotations

import difflib
import re

from django.core.cache import cache
from django.db.models import Count, Max

_WORD = re.compile(r"[^\W_]+")
CUTOFF = 0.75


def correct(terms: str) -> str:
    """`terms` with each word the vocabulary lacks replaced by its closest word; "" when no
    word was replaced."""
    vocabulary = known_words()
    changed = False
    words = []
    for word in terms.split():
        if word in vocabulary or len(word) <= 3:
            words.append(word)
            continue
        near = [w for w in vocabulary if abs(len(w) - len(word)) <= 2]
        best = difflib.get_close_matches(word, near, n=1, cutoff=CUTOFF)
        if best:
            words.append(best[0])
            changed = True
        else:
            words.append(word)
    return " ".join(words) if changed else ""


def known_words() -> frozenset[str]:
    """Every lowercased word of the titles and names readers search for (see the module)."""
    key = f"briefdesk-search-vocabulary:{_fingerprint()}"
    words = cache.get(key)
    if words is None:
        words = frozenset(_read_words())
        cache.set(key, words, timeout=24 * 3600)
    return words


def _fingerprint() -> str:
    from wagtail.models import Page

    from briefdesk.sources.models import Outlet, Source

    pages = Page.objects.aggregate(n=Count("pk"), last=Max("last_published_at"))
    sources = Source.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    outlets = Outlet.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return "-".join(
        str(v) for v in (*pages.values(), *sources.values(), *outlets.values())
    ).replace(" ", "_")


def _read_words() -> set[str]:
    from briefdesk.briefs.models import AuthorPage, BriefPage
    from briefdesk.sources.models import Outlet, Source
    from briefdesk.topics.models import TopicGuidePage

    texts: list[str] = []
    texts += BriefPage.objects.live().values_list("title", flat=True)
    texts += TopicGuidePage.objects.live().values_list("title", flat=True)
    texts += AuthorPage.objects.live().values_list("title", flat=True)
    texts += Source.objects.filter(live=True).values_list("title", flat=True)
    for name, label in Outlet.objects.values_list("name", "short_label"):
        texts += [name, label]
    return {w.lower() for text in texts for w in _WORD.findall(text or "")}

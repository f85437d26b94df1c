"""The names on the site that APA's automatic sentence case keeps capitalised.

    nouns = site_proper_nouns()              # ["Imran Khan", "Khan", "Dawn", "Cablegate", ...]
    suggest_sentence_case(title, nouns)      # sentence_case keeps them as written

Authors, outlets and topics are proper nouns by definition: a title naming one ("Why Dawn
Matters", "The Real Lesson of Cablegate" on a site with a Cablegate topic) must not lower-case
it. This is the one module of `citations` that reads the database, and it only reads names:
it is computed on each call (three light queries of two columns each), not cached, so a new
author or outlet counts at the very next save in every worker. A batch that formats many
records at once (a re-format, an import) reads them once, inside `read_once()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_batch: ContextVar[list[str] | None] = ContextVar("site_proper_nouns", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within the block, `site_proper_nouns()` answers the names read on entering it, instead
    of three queries per record formatted."""
    token = _batch.set(_read())
    try:
        yield
    finally:
        _batch.reset(token)


def site_proper_nouns() -> list[str]:
    """Every author's full name and family name, every outlet's name and short label, and
    every topic guide's title, in that order (duplicates and blanks removed)."""
    names = _batch.get()
    return list(names) if names is not None else _read()


def _read() -> list[str]:
    from briefdesk.briefs.models import AuthorPage
    from briefdesk.sources.models import Outlet
    from briefdesk.topics.models import TopicGuidePage

    names: list[str] = []
    for given, family in AuthorPage.objects.values_list("given_name", "family_name"):
        names += [f"{given} {family}", family]
    for name, short in Outlet.objects.values_list("name", "short_label"):
        names += [name, short]
    names += TopicGuidePage.objects.values_list("title", flat=True)
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))

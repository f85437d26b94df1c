"""Sources that already exist for a work an editor is about to add by hand.

    found = find_duplicates(url=..., doi=..., title=..., issued=...)
    # -> [Duplicate(source=<Source>, rules=["URL"]), ...], oldest first

The rules are the importers' (importers/matching.py): the same DOI (case-insensitive, with or
without its doi.org prefix), the same URL (ignoring http/https, "www.", a trailing slash and a
#fragment), or the same title (ignoring case and spacing) with the same publication date.
Undated titles never match. Drafts count: an author's unpublished source is a duplicate too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from briefdesk.importers.matching import (
    normalise_doi,
    normalise_title,
    normalise_url,
    url_variants,
)

from .models import Source

LIMIT = 5


@dataclass(frozen=True)
class Duplicate:
    source: Source
    rules: list[str]  # "DOI", "URL", "title and date", in that order


class Identifying(TypedDict, total=False):
    """The values `find_duplicates` compares, as a form holds them."""

    url: str
    doi: str
    title: str
    issued: str


def find_duplicates(
    *, url: str = "", doi: str = "", title: str = "", issued: str = "", exclude: int | None = None
) -> list[Duplicate]:
    """Stored sources sharing a DOI, URL or title and date with these values, oldest first
    (at most LIMIT); `exclude` is the pk of the source being edited, if any."""
    rules: dict[int, list[str]] = {}

    def add(rule: str, pks: list[int]) -> None:
        for pk in pks:
            if pk != exclude:
                rules.setdefault(pk, []).append(rule)

    wanted_doi = normalise_doi(doi)
    if wanted_doi:
        # Stored DOIs are JSON text in any case and may carry a doi.org prefix: narrow on the
        # text, decide on the normalised value.
        rows = Source.objects.filter(csl_extra__DOI__icontains=wanted_doi).values_list(
            "pk", "csl_extra__DOI"
        )
        add("DOI", [pk for pk, value in rows if normalise_doi(value) == wanted_doi])
    wanted_url = normalise_url(url)
    if wanted_url:
        add(
            "URL",
            list(
                Source.objects.filter(url__in=url_variants(wanted_url)).values_list("pk", flat=True)
            ),
        )
    wanted_title = normalise_title(title)
    if wanted_title and issued:
        rows = Source.objects.filter(issued=issued).values_list("pk", "title")
        add(
            "title and date", [pk for pk, stored in rows if normalise_title(stored) == wanted_title]
        )
    if not rules:
        return []
    pks = sorted(rules)[:LIMIT]
    sources = Source.objects.select_related("outlet").in_bulk(pks)
    return [Duplicate(sources[pk], rules[pk]) for pk in pks if pk in sources]

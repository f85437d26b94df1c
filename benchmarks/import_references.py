"""Reference import figures: entries/s at 100, 1,000 and 10,000 CSL-JSON entries, and how the
cost per entry grows with the input (it must stay flat: matching is index lookups).

    .venv/bin/python benchmarks/import_references.py

Runs on a throwaway SQLite database with 1,000 stored sources, so matching has something to
look up. Each input mixes new works, repeats of stored sources (by DOI, URL, title and date)
and, one entry in ten, an entry sharing a URL with many others under its own key — the case
that made the old matching quadratic.

"Without formatting" is everything the preview does except citeproc-js: parse (CSL-JSON
limits and schema), plan (matching), and check each entry as a Source. "With formatting"
adds formatting every entry in all four styles (what the preview and the import also do);
it is measured at 100 and 1,000 entries only, as it costs tens of ms per entry. The import's
limit (5,000 entries) is raised here through `parse_references(max_entries=...)`, not by
changing it. Target: >= 500 entries/s without formatting, and a 10,000 : 100 per-entry cost
ratio near 1.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = [100, 1_000, 10_000]
FORMATTED_SIZES = [100, 1_000]
STORED = 1_000


def setup() -> None:
    os.environ.setdefault("BRIEFDESK_DATA_DIR", tempfile.mkdtemp(prefix="briefdesk-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefdesk.settings.dev")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def stored_sources() -> None:
    """STORED sources to match against, written without formatting (not what is measured)."""
    from briefdesk.sources.models import Source

    Source.objects.bulk_create(
        Source(
            title=f"Stored work {n}",
            kind="news_article",
            url=f"https://stored.example/{n}",
            issued="2010-05-01",
            citation_key=f"stored-{n}" if n % 2 else "",
            csl_extra={"DOI": f"10.9999/stored.{n}"} if n % 3 == 0 else {},
        )
        for n in range(STORED)
    )


def items(count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(count):
        item: dict[str, Any] = {
            "id": f"new-{n}",
            "type": "article-newspaper",
            "title": f"A new work {n}",
            "container-title": f"Outlet {n % 50}",
            "author": [{"family": f"Family{n}", "given": "Given"}],
            "issued": {"date-parts": [[2011, 1 + n % 12, 1 + n % 28]]},
            "URL": f"https://news.example/{n}",
        }
        stored = n % STORED
        if n % 10 == 1:
            item["DOI"] = f"10.9999/stored.{stored - stored % 3}"
        elif n % 10 == 2:
            item["URL"] = f"http://www.stored.example/{stored}/"
        elif n % 10 == 3:
            item.update(title=f"STORED  work {stored}", issued={"date-parts": [[2010, 5, 1]]})
        elif n % 10 == 4:
            item["URL"] = "https://shared.example/one-url"  # shared by 1 in 10, each its own key
        out.append(item)
    return out


def measure(count: int, *, formatting: bool) -> float:
    """Seconds to parse, plan and check `count` entries (a dry run: nothing is written)."""
    from briefdesk.importers.apply import import_entries
    from briefdesk.importers.references import parse_references

    text = json.dumps(items(count))
    start = time.perf_counter()
    parsed = parse_references(text, max_entries=count, max_bytes=len(text.encode()) + 1)
    report = import_entries(parsed.entries, dry_run=True, check_formatting=formatting)
    elapsed = time.perf_counter() - start
    assert report.ok, report.errors[:3]
    return elapsed


def main() -> None:
    setup()
    stored_sources()
    from briefdesk.citations.engine import format_items
    from briefdesk.citations.styles import STYLES

    for style in STYLES:  # load every style first: a cold engine is not an import's cost
        format_items([{"id": "warm", "type": "webpage", "title": "Warm up"}], style)
    measure(100, formatting=False)  # warm the ORM and regexes

    print(f"reference import, CSL-JSON, {STORED:,} stored sources, dry run (nothing written)")
    per_entry: dict[tuple[bool, int], float] = {}
    for formatting, sizes in ((False, SIZES), (True, FORMATTED_SIZES)):
        label = "with formatting   " if formatting else "without formatting"
        for count in sizes:
            seconds = measure(count, formatting=formatting)
            per_entry[formatting, count] = seconds / count
            print(
                f"  {label} {count:>6,} entries: {seconds:8.2f} s  {count / seconds:8.0f} entries/s"
                f"  {seconds / count * 1000:7.2f} ms/entry"
            )
    flat = per_entry[False, SIZES[-1]] / per_entry[False, SIZES[0]]
    print(f"per-entry cost without formatting, 10,000 vs 100 entries: {flat:.2f}x")
    formatted = per_entry[True, FORMATTED_SIZES[-1]] / per_entry[True, FORMATTED_SIZES[0]]
    print(f"per-entry cost with formatting, 1,000 vs 100 entries: {formatted:.2f}x")


if __name__ == "__main__":
    main()

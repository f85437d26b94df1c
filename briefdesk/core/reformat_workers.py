"""Re-format every stored citation across several processes.

    sources, briefs = reformat_in_processes()             # one worker per core
    sources, briefs = reformat_in_processes(processes=1)  # in this process (stored_citations)

citeproc-js runs one entry at a time in one V8 isolate per process, so one process formats a
few hundred entries a second at best; `briefdesk reformat-citations` splits the records among
worker processes. Workers are started with the 'spawn' method (a V8 context made before a fork
hangs in the child) and each creates its own V8 context on its first entry; they only read and
format, and this process writes every result in one transaction, drops the cached PDFs and
records the base URL, as `reformat_stored_citations` does.

Caveat: the records are read by the workers before the writing transaction starts; an edit
saved while the command runs can be overwritten with the citation of the version read (the
edit itself stays, and its next save formats it again). Run it when no one is editing, or again.
With an in-memory SQLite database (tests) the workers could not see it: it runs in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from django.db import connection, transaction

# Records per task: large enough that a task's queries cost little beside its formatting,
# small enough that the workers finish together.
CHUNK = 25
# Below this many records one process is faster: each worker first loads Django, V8,
# citeproc-js and four styles (3-5 s on 2 cores, both at once), while one warm process formats
# about 100 records (400 entries) a second (benchmarks/citations.py: 600 sources took 5.9 s in
# one process and 11.4 s across two; 3,000 took 28 s in one and 19 s across two).
MIN_RECORDS = 1500


def default_processes() -> int:
    """One worker per core the process may use, at most 8 (each holds a V8 heap of ~100 MB)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def reformat_in_processes(
    processes: int | None = None, *, min_records: int = MIN_RECORDS
) -> tuple[int, int]:
    """Re-format the stored citations of every source and brief (drafts included) in every
    style across `processes` worker processes (default: one per core), then store them in one
    transaction, drop the cached PDFs and record the base URL used.

    Returns (sources, briefs) re-formatted. Runs in this process when `processes` is 1, the
    database is in memory, or there are fewer than `min_records` records (starting the
    workers would take longer than formatting them here).
    """
    from briefdesk.briefs.models import BriefPage
    from briefdesk.sources.models import Source

    from .stored_citations import reformat_stored_citations

    processes = default_processes() if processes is None else processes
    source_ids = list(Source.objects.order_by("pk").values_list("pk", flat=True))
    brief_ids = list(BriefPage.objects.order_by("pk").values_list("pk", flat=True))
    if processes <= 1 or _in_memory() or len(source_ids) + len(brief_ids) < min_records:
        return reformat_stored_citations()
    tasks = [("source", source_ids[i : i + CHUNK]) for i in range(0, len(source_ids), CHUNK)]
    tasks += [("brief", brief_ids[i : i + CHUNK]) for i in range(0, len(brief_ids), CHUNK)]
    spawn = multiprocessing.get_context("spawn")
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    with spawn.Pool(
        min(processes, len(tasks)),
        initializer=_start_worker,
        initargs=(settings_module, connection.settings_dict["NAME"]),
    ) as pool:
        results = pool.map(_format_task, tasks, chunksize=1)
    return _store(results)


def _in_memory() -> bool:
    name = str(connection.settings_dict.get("NAME") or "")
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)


def _start_worker(settings_module: str, database_name: Any) -> None:
    """In a new worker: Django with this process's settings and database (a test database
    has another name than the settings say)."""
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database_name


def _format_task(task: tuple[str, list[int]]) -> tuple[str, list[tuple[int, Any]]]:
    """Format one chunk of records (in a worker): (kind, [(pk, stored value)])."""
    from briefdesk.briefs.models import BriefPage
    from briefdesk.citations.proper_nouns import read_once
    from briefdesk.sources.models import Source, format_sources

    kind, ids = task
    rows: list[tuple[int, Any]] = []
    with read_once():
        if kind == "source":
            sources = list(Source.objects.select_related("outlet").filter(pk__in=ids))
            format_sources(sources)
            rows = [(source.pk, source.formatted) for source in sources]
        else:
            for brief in BriefPage.objects.filter(pk__in=ids):
                brief.refresh_citations()
                rows.append((brief.pk, brief.citations))
    return kind, rows


@transaction.atomic
def _store(results: list[tuple[str, list[tuple[int, Any]]]]) -> tuple[int, int]:
    from briefdesk.briefs.models import BriefPage
    from briefdesk.briefs.printing import invalidate_pdfs
    from briefdesk.sources.models import Source

    from .stored_citations import record_base_url

    sources = [
        Source(pk=pk, formatted=value)
        for kind, rows in results
        if kind == "source"
        for pk, value in rows
    ]
    briefs = [
        BriefPage(pk=pk, citations=value)
        for kind, rows in results
        if kind == "brief"
        for pk, value in rows
    ]
    Source.objects.bulk_update(sources, ["formatted"], batch_size=CHUNK)
    for brief in briefs:  # a Page subclass: bulk_update would write through the multi-table parent
        BriefPage.objects.filter(pk=brief.pk).update(citations=brief.citations)
    invalidate_pdfs()
    record_base_url()
    return len(sources), len(briefs)

"""`briefdesk reformat-citations`: the worker processes' share of the work stores what one
process stores (the workers themselves need a database file: benchmarks/citations.py runs
them; here the worker function runs in-process)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from briefdesk.briefs.models import BriefPage
from briefdesk.core.reformat_workers import _format_task, _store
from briefdesk.core.stored_citations import reformat_stored_citations
from briefdesk.sources.models import Source
from tests.factories import SourceFactory, cite, make_author, make_brief, make_site_tree


@pytest.fixture
def records(db: Any) -> tuple[BriefPage, list[Source]]:
    tree = make_site_tree()
    sources = [SourceFactory(), SourceFactory()]
    brief = make_brief(
        tree,
        authors=[make_author(tree)],
        body=[("paragraph", f"<p>Aid {cite(sources[0])} and {cite(sources[1])}.</p>")],
    )
    return brief, sources


def stale(brief: BriefPage, sources: list[Source]) -> None:
    Source.objects.filter(pk__in=[s.pk for s in sources]).update(formatted={"apa": {}})
    BriefPage.objects.filter(pk=brief.pk).update(citations={"apa": {}})


def stored(brief: BriefPage, sources: list[Source]) -> tuple[Any, list[Any]]:
    return (
        BriefPage.objects.get(pk=brief.pk).citations,
        [Source.objects.get(pk=s.pk).formatted for s in sources],
    )


def test_the_workers_share_stores_what_one_process_stores(
    records: tuple[BriefPage, list[Source]],
) -> None:
    brief, sources = records
    stale(brief, sources)
    reformat_stored_citations()
    expected = stored(brief, sources)
    stale(brief, sources)

    counts = _store(
        [
            _format_task(("source", [s.pk for s in sources])),
            _format_task(("brief", [brief.pk])),
        ]
    )

    assert counts == (2, 1)
    assert stored(brief, sources) == expected
    assert expected[0]["apa"] and all(f["apa"] for f in expected[1])


def test_the_command_re_formats_every_record(records: tuple[BriefPage, list[Source]]) -> None:
    brief, sources = records
    stale(brief, sources)
    out = io.StringIO()

    call_command("reformat_citations", "--processes", "2", stdout=out)

    assert "Re-formatted 2 sources and 1 briefs." in out.getvalue()
    citations, formatted = stored(brief, sources)
    assert citations["apa"] and all(f["apa"] for f in formatted)


def test_the_command_refuses_zero_processes(db: Any) -> None:
    with pytest.raises(CommandError, match="--processes must be 1 or more"):
        call_command("reformat_citations", "--processes", "0", stdout=io.StringIO())

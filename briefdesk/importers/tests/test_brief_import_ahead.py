"""Formatting ahead (importers.format_ahead, importers.format_worker, citations.preformatted):
a large import formats its new sources in a worker process's engine and the briefs' own
citations in batches, and stores exactly what formatting each record on its own gives."""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from briefdesk.briefs.models import BriefPage
from briefdesk.citations.preformatted import format_in_every_style, formatted_ahead
from briefdesk.importers import briefs as brief_import
from briefdesk.importers.format_ahead import CitationsAhead, FormatAhead
from briefdesk.sources.models import Source, format_sources

from .test_brief_import_bulk_work import THINKTANK, assert_formatted_as_on_its_own

pytestmark = pytest.mark.django_db

# Titles that APA's sentence case changes: a batch that mixed up the APA items and the others
# would store different citations.
TITLES = ["The Talks Stall Again", "Markets Shrug Off The News", "A Deal Within Reach", "Why Now"]


def sources() -> list[Source]:
    return [
        Source(title=f"{title} {n}", url=f"https://news.example/{n}")
        for n, title in enumerate(TITLES * 2)
    ]


def formatted_one_by_one(records: list[Source]) -> list[dict]:
    out = []
    for record in records:
        copy = Source(title=record.title, url=record.url)
        format_sources([copy])
        out.append(copy.formatted)
    return out


@pytest.mark.parametrize("share_here", [0, 2])
def test_a_worker_process_formats_in_batches_what_formatting_each_source_gives(
    share_here: int,
) -> None:
    records = sources()
    ahead = FormatAhead(records, batch=3, in_worker=True, share_here=share_here)
    try:
        assert all(ahead.formatted(record) for record in records)
    finally:
        ahead.close()

    assert [r.formatted for r in records] == formatted_one_by_one(records)
    assert not multiprocessing.active_children()  # the worker is gone


def test_sources_a_dead_worker_did_not_answer_are_formatted_on_saving() -> None:
    records = sources()
    ahead = FormatAhead(records, batch=1, in_worker=True)
    try:
        assert ahead.formatted(records[0])
        worker = ahead._pipelines[-1]._worker
        os.kill(worker.pid, signal.SIGKILL)
        worker.join()
        answered = [ahead.formatted(record) for record in records]
    finally:
        ahead.close()

    assert answered[-1] is False  # at most IN_FLIGHT batches were answered before it died
    assert not multiprocessing.active_children()


def test_an_import_with_a_worker_stores_each_source_as_formatted_on_its_own(monkeypatch) -> None:
    monkeypatch.setattr(brief_import, "WORKER_FROM", 1)

    call_command("import_html", str(THINKTANK), stdout=io.StringIO())

    assert Source.objects.count() > 1
    for source in Source.objects.select_related("outlet"):
        assert_formatted_as_on_its_own(source)
    assert not multiprocessing.active_children()


def items(n: int) -> tuple[dict, dict]:
    title = f"{TITLES[n % len(TITLES)]} {n}"
    item: dict[str, Any] = {
        "id": f"brief-{n}",
        "type": "report",
        "title": title,
        "issued": {"date-parts": [[2011, 1 + n % 12, 1]]},
        "author": [{"given": "Jayshree", "family": f"Bajoria{n}"}],
    }
    return item, dict(item, title=title.capitalize())


def test_citations_ahead_answers_what_formatting_each_record_gives() -> None:
    pairs = [items(n) for n in range(7)]
    expected = [format_in_every_style(*pair) for pair in pairs]
    ahead = CitationsAhead(pairs, batch=3)
    try:
        answered = [ahead.lookup(*pair) for pair in reversed(pairs)]
        stranger = ahead.lookup(*items(99))
    finally:
        ahead.close()

    assert answered[::-1] == expected
    assert stranger is None
    assert ahead.hits == len(pairs)


def test_a_save_takes_the_citation_formatted_ahead_only_for_the_same_items() -> None:
    pair = items(1)
    other = items(2)
    ahead = CitationsAhead([pair, other], batch=10)
    try:
        with formatted_ahead(ahead.lookup):
            same = format_in_every_style(*pair)
            changed = format_in_every_style(pair[0], dict(pair[1], title="Another title"))
    finally:
        ahead.close()

    assert same == format_in_every_style(*pair)
    assert changed == format_in_every_style(pair[0], dict(pair[1], title="Another title"))
    assert ahead.hits == 1


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Council</title>
<link rel="canonical" href="https://www.thinktank.example/briefs/brief-{n}">
<meta property="article:published_time" content="2011-0{month}-1{n}"></head><body>
<main><article><div class="article-type">Backgrounder</div><h1>{title}</h1>
<div class="byline">By <a rel="author" href="/experts/a">{author}</a></div>
<div class="body-content">
<p>Pakistan's army and Washington disagree about the talks
 (<a href="https://news{n}.example/world/story-{n}">Reuters</a>), says
 <a href="https://analysis.example/papers/paper-{n}">a research centre</a>.
 See <a href="/briefs/brief-{next}">the next brief</a>.</p>
<p>Kabul "will not be rushed" (<a href="https://www.thinktank.example/files/{n}.pdf">PDF</a>).</p>
<div class="guide-box">Crisis Guide: <a href="/interactives/guide">{guide}</a></div>
</div></article>
<aside><h2>More on This Topic</h2><ul><li><a href="/briefs/brief-{next}">Next</a></li></ul></aside>
</main></body></html>
"""


def write_pages(folder: Path, count: int = 6) -> None:
    authors = ["Jayshree Bajoria", "Daniel Markey", "jayshree bajoria"]
    for n in range(count):
        (folder / f"brief-{n}.html").write_text(
            PAGE.format(
                n=n,
                next=(n + 1) % count,
                month=1 + n % 9,
                title=f"{TITLES[n % len(TITLES)]}: Brief {n}",
                author=authors[n % len(authors)],
                guide=["Pakistan", "Afghanistan"][n % 2],
            )
        )


def imported_citations(folder: Path) -> dict[str, dict]:
    call_command("import_html", str(folder), stdout=io.StringIO())
    return dict(BriefPage.objects.values_list("imported_from", "citations"))


def test_each_brief_stores_the_citation_its_save_formats_without_formatting_ahead(
    tmp_path, monkeypatch, caplog
) -> None:
    write_pages(tmp_path)
    with transaction.atomic():
        with caplog.at_level(logging.DEBUG, logger="briefdesk.importers.briefs"):
            ahead = imported_citations(tmp_path)
        transaction.set_rollback(True)
    monkeypatch.setattr(brief_import, "CITATION_BATCH", 0)  # each save formats its own

    assert ahead == imported_citations(tmp_path)
    assert len(ahead) == 6
    assert "6 briefs' own citations were formatted ahead" in caplog.text  # every new brief

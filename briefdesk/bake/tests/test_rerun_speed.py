"""The shortcuts that make a re-run fast keep it correct: the searchable pages are indexed
while the rest renders (so they must be rendered first), work is shared out slowest first,
and a process that rendered itself never forks workers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from briefdesk.bake import run
from briefdesk.bake.manifest import MANIFEST_NAME
from briefdesk.bake.run import bake_site, batches
from briefdesk.bake.targets import Seed


def search_text(outdir: Path) -> str:
    """Every page's text in the Pagefind bundles the search page lists."""
    bundles = json.loads((outdir / "pagefind-shards.json").read_text())["bundles"]
    texts = []
    for bundle in bundles:
        for fragment in (outdir / bundle / "fragment").iterdir():
            texts.append(gzip.decompress(fragment.read_bytes()).decode("utf-8", "replace"))
    return "\n".join(texts)


@pytest.mark.django_db
def test_a_rerun_indexes_the_changed_brief_as_it_now_reads(world: Any, tmp_path: Path) -> None:
    bake_site(tmp_path, with_pdfs=False)
    assert "Torkham Crossing Reopens" in search_text(tmp_path)

    world.other.title = "Torkham Crossing Closes Again"
    world.other.save_revision().publish()
    again = bake_site(tmp_path, with_pdfs=False)

    assert again.mode == "incremental"
    assert again.search_shards[0] >= 1
    text = search_text(tmp_path)
    assert "Torkham Crossing Closes Again" in text
    assert "Torkham Crossing Reopens" not in text
    assert not list(tmp_path.glob(".pagefind*")), "a half-built or old bundle was left"
    outputs = json.loads((tmp_path / MANIFEST_NAME).read_text())["outputs"]
    assert outputs[f"/briefs/{world.other.slug}/"]["ms"] > 0  # the next bake's order


def test_a_small_job_is_shared_by_every_worker_slowest_first() -> None:
    seeds = [Seed(f"/briefs/b{i}/") for i in range(40)]
    cost = {"/sitemap.xml": 900, "/briefs/b7/": 120}
    chosen = batches([*seeds, Seed("/sitemap.xml")], workers=2, cost=cost)
    assert len(chosen) >= 2 * 2
    assert [seed.url for seed in chosen[0]] == ["/sitemap.xml", "/briefs/b7/"]
    assert sorted(seed.url for batch in chosen for seed in batch) == sorted(
        [*(seed.url for seed in seeds), "/sitemap.xml"]
    )


def test_a_full_bake_sends_batches_of_at_most_chunk_urls() -> None:
    seeds = [Seed(f"/sources/{i}/") for i in range(2000)]
    chosen = batches(seeds, workers=2, cost={})
    assert max(len(batch) for batch in chosen) == run.CHUNK
    assert sum(len(batch) for batch in chosen) == 2000


@pytest.mark.django_db
def test_a_process_that_rendered_itself_never_forks_workers(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "_rendered_here", False)
    monkeypatch.setattr(run, "IN_PROCESS", 10**6)  # this small site renders in-process
    bake_site(tmp_path / "a", with_pdfs=False, search=False, workers=2)
    assert run._rendered_here

    def no_fork(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("forked after rendering in this process")

    monkeypatch.setattr(run, "IN_PROCESS", 0)
    monkeypatch.setattr(run.multiprocessing, "get_context", no_fork)
    report = bake_site(tmp_path / "b", with_pdfs=False, search=False, workers=2)
    assert report.rendered > 0


def test_the_search_digest_changes_with_what_pagefind_reads_and_nothing_else() -> None:
    from briefdesk.bake.render import search_digest

    def page(text: str, side: str = "", title: str = "A brief", attrs: str = "") -> str:
        return (
            f'<html lang="en"><body><header><h1>{title}</h1></header>'
            f'<main id="main" data-pagefind-body><p>{text}</p></main>'
            f"<aside{attrs}><h2>More on This Topic</h2>{side}</aside>"
            "<footer>x</footer></body></html>"
        )

    base = search_digest(page("Clove exports fell.", side="Torkham Reopens"))
    assert search_digest(page("Clove exports fell.", side="Torkham Closes")) == base
    assert search_digest(page("Clove exports rose.", side="Torkham Reopens")) != base
    assert search_digest(page("Clove exports fell.", "Torkham Reopens", title="B")) != base
    # Pagefind reads metadata from anywhere on the page: then the whole page counts.
    meta = ' data-pagefind-meta="related"'
    assert search_digest(page("Clove exports fell.", "Torkham Closes", attrs=meta)) != (
        search_digest(page("Clove exports fell.", "Torkham Reopens", attrs=meta))
    )


@pytest.mark.django_db
def test_a_brief_listing_a_renamed_brief_is_rewritten_but_its_search_shard_is_not_rebuilt(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefdesk.bake import search
    from briefdesk.briefs.models import BriefRelatedPin

    monkeypatch.setattr(search, "SHARD_SIZE", 1)  # a shard per page
    # Pinned by the editors (stored More on This Topic lists are recomputed on publish).
    BriefRelatedPin.objects.create(page=world.other, related=world.brief, sort_order=0)
    bake_site(tmp_path, with_pdfs=False)
    lister = tmp_path / f"briefs/{world.other.slug}/index.html"
    assert "Zanzibar Clove Exports Collapse" in lister.read_text()
    shards = json.loads((tmp_path / MANIFEST_NAME).read_text())["outputs"]
    bundle = tmp_path / search.bundle_dir(shards[f"/briefs/{world.other.slug}/"]["shard"])
    before = bundle.stat().st_ino

    world.brief.title = "Zanzibar Clove Exports Recover"
    world.brief.save_revision().publish()
    bake_site(tmp_path, with_pdfs=False)

    assert "Zanzibar Clove Exports Recover" in lister.read_text()  # rewritten...
    assert bundle.stat().st_ino == before  # ...but its shard not indexed again
    assert "Zanzibar Clove Exports Recover" in search_text(tmp_path)
    assert "Zanzibar Clove Exports Collapse" not in search_text(tmp_path)

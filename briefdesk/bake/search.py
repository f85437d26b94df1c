"""The baked site's search index: Pagefind, in shards, so a re-run indexes again only the
shards holding a changed page. No ORM.

    shards = plan_shards(indexed, changed, previous=3)   # which page goes where, what to redo
    build_index(outdir, shards, files)                    # pagefind per shard, then the list

Pagefind indexes a whole set of pages at once (about 1.7 ms a page on the shared 2-core
machine); on a big site that is most of an incremental bake. So the searchable pages (briefs,
guides, experts) are split into shards of about SHARD_SIZE pages, at most MAX_SHARDS, each its
own Pagefind bundle: `pagefind/` (which also serves the UI), `pagefind-1/`, … listed in
`pagefind-shards.json`; the search page merges them (Pagefind's `mergeIndex`: each shard costs
the reader's browser a few more requests per search, hence the cap). A page keeps its shard
across re-runs (the manifest records it); a new page goes to the shard its URL hashes to. A
small site has one shard. A full bake deals the pages out again, in URL order.

A shard is indexed into a new directory which then takes the old bundle's place, so a reader
searching during a bake finds the old bundle or the new one, never half of one.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import zlib
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .manifest import BakeError, write_file

SHARD_SIZE = 250
MAX_SHARDS = 20
SHARDS_FILE = "pagefind-shards.json"


@dataclass
class ShardPlan:
    count: int
    shard_of: dict[str, int]  # URL -> shard
    rebuild: set[int] = field(default_factory=set)
    seconds: float = 0.0  # how long indexing took


def bundle_dir(shard: int) -> str:
    return "pagefind" if shard == 0 else f"pagefind-{shard}"


def plan_shards(
    indexed: Mapping[str, int | None],
    changed: Mapping[str, int | None],
    previous: int,
    reshard: bool = False,
    hubs: Collection[str] = (),
) -> ShardPlan:
    """Shards for the searchable pages `indexed` (URL -> the shard it had, or None), given
    the pages written or removed (`changed`: URL -> the shard it had) and the last bake's
    shard count.
    Everything is dealt out again on `reshard`, when the count would change or when the
    first shard (which serves the UI) would be empty. Dealing puts the `hubs` first (topic
    guides and experts: they list briefs, so they change with any of them), so that a
    changed brief rebuilds its own shard and the first, not a third one for its guide."""
    count = 1
    if len(indexed) >= 2 * SHARD_SIZE:
        count = min(MAX_SHARDS, math.ceil(len(indexed) / SHARD_SIZE))
    if not reshard and previous == count:
        shard_of = {
            url: shard if shard is not None and shard < count else _hashed(url, count)
            for url, shard in indexed.items()
        }
        if 0 in shard_of.values() or not shard_of:
            rebuild = {shard for shard in changed.values() if shard is not None and shard < count}
            rebuild |= {shard_of[url] for url in changed if url in indexed}
            return ShardPlan(count, shard_of, rebuild)
    ordered = sorted(indexed, key=lambda url: (url not in hubs, url))
    size = math.ceil(len(ordered) / count) if ordered else 1
    shard_of = {url: index // size for index, url in enumerate(ordered)}
    return ShardPlan(count, shard_of, set(range(count)))


def _hashed(url: str, count: int) -> int:
    return zlib.crc32(url.encode("utf-8")) % count


def build_index(outdir: Path, plan: ShardPlan, files: Mapping[str, str]) -> None:
    """Run Pagefind for each shard in `plan.rebuild` over its pages' files (`files`: URL ->
    file in OUTDIR), put each new bundle in place of the old, remove the bundles of shards
    that no longer exist, and write the list the search page reads."""
    members: dict[int, list[str]] = {shard: [] for shard in range(plan.count)}
    for url, shard in plan.shard_of.items():
        members[shard].append(files[url])
    jobs = []
    for shard in sorted(plan.rebuild):
        if members[shard]:
            jobs.append((sorted(members[shard]), bundle_dir(shard)))
        else:
            _remove_tree(outdir / bundle_dir(shard))
    # One Pagefind per core at a time (each is one process, mostly on one core).
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for done in [pool.submit(_pagefind, outdir, files, output) for files, output in jobs]:
            done.result()
    for stale in outdir.glob("pagefind-*"):
        number = stale.name.removeprefix("pagefind-")
        if stale.is_dir() and number.isdigit() and int(number) >= plan.count:
            _remove_tree(stale)
    bundles = [f"{bundle_dir(shard)}/" for shard in range(plan.count) if members[shard]]
    write_file(outdir, SHARDS_FILE, json.dumps({"bundles": bundles}).encode())


def _pagefind_command() -> list[str]:
    """Pagefind's binary itself (`python -m pagefind` would start Python first, then exec it)."""
    try:
        from pagefind.service import get_executable

        binary = get_executable()
    except ImportError:
        binary = None
    return [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]


def _pagefind(outdir: Path, files: list[str], output: str) -> None:
    """Pagefind over exactly these files (a glob of alternatives), into a new directory that
    then replaces OUTDIR/`output`."""
    building = f".{output}.new"
    _remove_tree(outdir / building)  # left by a bake that was stopped
    pattern = "{" + ",".join(name.replace(",", "?") for name in files) + "}"
    command = [*_pagefind_command(), "--site", str(outdir), "--silent"]
    command += ["--glob", pattern, "--output-subdir", building]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except OSError as exc:
        raise BakeError(f"Pagefind could not start: {exc.strerror}") from exc
    if done.returncode:
        _remove_tree(outdir / building)
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BakeError(f"Pagefind failed: {lines[-1] if lines else f'exit {done.returncode}'}")
    target, old = outdir / output, outdir / f".{output}.old"
    _remove_tree(old)
    if target.is_dir():
        target.rename(old)
    (outdir / building).rename(target)
    _remove_tree(old)


def _remove_tree(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)

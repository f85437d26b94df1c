"""The static bake: the whole public site as files in OUTDIR, then Pagefind's index over them.

    report = bake_site(Path("out"), base_url="https://static.example.org")
    report.rendered, report.written, report.removed, report.broken

Which URLs are rendered:
- a first bake, `full=True`, or a bake whose fingerprint changed (the code, templates and
  static files, the base URLs, view restrictions, sites, images and documents: changes that
  leave no time on a record) renders every public URL (targets.public_seeds) and every page
  they link to (further listing pages, guide filters, archived views);
- otherwise only what changed after the last bake started (targets.changed_since: the page
  cache's purge rules), the pages that linked to a changed page when it was last baked, and
  what those link to that was never baked.
Either way a file is written only when its bytes differ from what the manifest recorded, and
the files of URLs that are no longer public are removed.

Workers: with `workers` > 1 the renders run in forked processes, unless there are fewer than
IN_PROCESS URLs (a re-run after a small change): starting workers, each with a cold
connection and cold templates, then costs more than it saves. A process that has rendered
anything itself never forks workers afterwards: a V8 context (citations) made before a fork
hangs in the child.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import multiprocessing
import queue
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone

from .links import SEARCH_PATH, LinkPlan
from .manifest import (
    BakeError,
    Manifest,
    Output,
    digest,
    open_outdir,
    remove_file,
    save_manifest,
    write_file,
)
from .render import NOT_FOUND_PAGE, Renderer, Result
from .search import SHARDS_FILE, ShardPlan, build_index, plan_shards
from .targets import INDEXED_KINDS, Seed, changed_since, filename_for, is_pdf, public_seeds

CHUNK = 64
IN_PROCESS = 200  # fewer URLs than this are rendered without workers
# Links the manifest leaves out: files that show no record (a change never re-renders them).
_NOT_PAGES = ("/static/", "/pagefind/", "/media/")


@dataclass
class BakeReport:
    mode: str = "full"  # or "incremental"
    rendered: int = 0
    written: int = 0
    removed: int = 0
    static_written: int = 0
    broken: list[str] = field(default_factory=list)  # linked, but not found when rendered
    search_shards: tuple[int, int] = (0, 0)  # search index shards rebuilt, of how many
    seconds: dict[str, float] = field(default_factory=dict)


def bake_site(
    outdir: Path,
    base_url: str = "",
    *,
    with_pdfs: bool = True,
    workers: int = 1,
    full: bool = False,
    search: bool = True,
    log: Callable[[str], None] = lambda line: None,
) -> BakeReport:
    """Bake the public site into `outdir` (see the module docstring). Raises BakeError with
    a one-line reason when `outdir` is unusable or Pagefind fails."""
    report = BakeReport()
    clock = time.perf_counter()
    manifest = open_outdir(outdir)
    from briefdesk.core.static_stamp import static_fingerprint

    static = static_fingerprint()  # stats every static file: once per bake
    _ensure_collected_static(static)
    report.seconds["collectstatic"] = time.perf_counter() - clock
    clock = time.perf_counter()
    started = timezone.now()
    site_base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    host = urlsplit(site_base).hostname or "localhost"
    fingerprint = _fingerprint(base_url, with_pdfs, static)
    plan = LinkPlan(site_base=site_base, out_base=base_url, filename=filename_for)
    incremental = bool(manifest.baked_at) and manifest.fingerprint == fingerprint and not full
    report.mode = "incremental" if incremental else "full"
    old = manifest.outputs
    if incremental:
        todo = _incremental_targets(manifest, with_pdfs)
    else:
        todo = {seed.url: seed for seed in public_seeds(with_pdfs)}
        todo[SEARCH_PATH] = Seed(SEARCH_PATH)
        todo[NOT_FOUND_PAGE] = Seed(NOT_FOUND_PAGE)
    report.seconds["plan"] = time.perf_counter() - clock

    clock = time.perf_counter()
    old_hashes = {output.file: output.sha256 for output in old.values()}
    known = set(old) if incremental else set()
    outputs: dict[str, Output] = dict(old) if incremental else {}
    search_changed: dict[str, int | None] = {}  # searchable pages written or removed: shard
    seeds: dict[str, Seed] = dict(todo)
    recorded = 0

    def record(results: list[Result]) -> None:
        """What the results rendered so far wrote, into `outputs` and the report."""
        nonlocal recorded
        for result in results[recorded:]:
            seed = seeds[result.url]
            previous = old.get(result.url)
            if result.status != 200:
                outputs.pop(result.url, None)
                if previous is not None and previous.kind in INDEXED_KINDS:
                    search_changed[result.url] = previous.shard
                if seed.page_id is None and result.url not in todo and result.status == 404:
                    report.broken.append(result.url)
                continue
            report.rendered += 1
            report.written += result.written
            page_id = seed.page_id
            if page_id is None and previous is not None:
                page_id = previous.page_id
            kind = seed.kind
            if seed.page_id is None:
                kind = previous.kind if previous else "other"
            # A searchable page re-indexes its shard when it reads differently to the search
            # (a brief whose More on This Topic changed was written, but reads the same).
            reads_anew = previous is None or not result.search or previous.search != result.search
            if result.written and kind in INDEXED_KINDS and reads_anew:
                search_changed[result.url] = previous.shard if previous else None
            outputs[result.url] = Output(
                result.file,
                result.sha256,
                page_id,
                kind,
                seed.sort_key or (previous.sort_key if previous else ""),
                sorted(link for link in result.links if not link.startswith(_NOT_PAGES))
                if result.html
                else [],
                previous.shard if previous else None,
                result.ms,
                result.search,
            )
        recorded = len(results)

    # The searchable pages are rendered first; Pagefind indexes them (another process) while
    # the rest renders.
    indexing = ThreadPoolExecutor(max_workers=1)
    search_job: Future[ShardPlan] | None = None

    def start_search(results: list[Result]) -> None:
        nonlocal search_job
        record(results)
        if not search:
            return
        indexed = {url: out.shard for url, out in outputs.items() if out.kind in INDEXED_KINDS}
        files = {url: outputs[url].file for url in indexed}
        hubs = {url for url in indexed if outputs[url].kind in ("guide", "expert")}
        # A full bake indexes every shard again (a new Pagefind, a bundle lost); a re-run
        # only the shards of pages that read differently.
        missing = not incremental or not (outdir / SHARDS_FILE).exists()
        search_job = indexing.submit(
            _index, outdir, indexed, dict(search_changed), manifest.shards, missing, files, hubs
        )

    searchable = {url for url, seed in todo.items() if seed.kind in INDEXED_KINDS}
    # Production's behaviour (no debug pages), and no access log line per rendered URL.
    logging.disable(logging.WARNING)
    try:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=[host, "localhost", "testserver"]):
            cost = {url: output.ms for url, output in old.items()}
            results = _render_all(
                Renderer(outdir, plan, old_hashes, with_pdfs),
                seeds,
                known,
                workers,
                cost,
                first=(searchable, start_search),
            )
        record(results)
    finally:
        logging.disable(logging.NOTSET)
        indexing.shutdown(wait=True)
    report.seconds["render"] = time.perf_counter() - clock

    clock = time.perf_counter()
    kept_files = {output.file for output in outputs.values()}
    for url, output in old.items():
        if output.file not in kept_files:
            remove_file(outdir, output.file)
            report.removed += 1
            outputs.pop(url, None)
    report.static_written = _copy_static(outdir, manifest)
    report.seconds["write"] = time.perf_counter() - clock

    if search_job is not None:
        shards = search_job.result()
        for url, shard in shards.shard_of.items():
            outputs[url].shard = shard
        manifest.shards = shards.count
        report.search_shards = (len(shards.rebuild), shards.count)
        report.seconds["search (while rendering)"] = shards.seconds
    manifest.outputs = outputs
    manifest.fingerprint = fingerprint
    manifest.baked_at = started.isoformat()
    save_manifest(outdir, manifest)
    report.broken.sort()
    log(
        f"{report.mode} bake: {report.rendered} URLs rendered, {report.written} files written, "
        f"{report.removed} removed, {report.static_written} static files copied"
    )
    return report


def _incremental_targets(manifest: Manifest, with_pdfs: bool) -> dict[str, Seed]:
    """What to render again after the changes since the last bake (module docstring)."""
    from .targets import page_seeds

    since = dt.datetime.fromisoformat(manifest.baked_at)
    changes = changed_since(since)
    todo: dict[str, Seed] = {path: Seed(path) for path in changes.paths}
    current = page_seeds(changes.page_ids, with_pdfs)
    for seed in current:
        todo[seed.url] = seed
        previous = manifest.outputs.get(seed.url)
        if previous is None or previous.sort_key != seed.sort_key:
            changes.reordered = True
    # The old outputs of the changed pages (removed if they no longer answer), and every page
    # that linked to them when last baked (it showed their old title, byline or position).
    own = {url for url, out in manifest.outputs.items() if out.page_id in changes.page_ids}
    for url in own:
        todo.setdefault(url, Seed(url))
    for url, output in manifest.outputs.items():
        if output.links and own.intersection(output.links):
            todo.setdefault(url, Seed(url))
    # A path stands for all its query strings (as in the page cache's purges): a download's
    # ?with=sources always; a listing's further pages when the listing's order changed (else
    # those that linked to a changed page are in already).
    paths = set(todo)
    for url in manifest.outputs:
        path = url.split("?", 1)[0]
        if "?" in url and path in paths and (changes.reordered or not path.endswith("/")):
            todo.setdefault(url, Seed(url))
    # What the last bake knew of these URLs (the page each shows, for the search index).
    for url, seed in todo.items():
        previous = manifest.outputs.get(url)
        if seed.page_id is None and previous is not None:
            todo[url] = Seed(url, previous.page_id, previous.kind, previous.sort_key)
    if not with_pdfs:
        todo = {url: seed for url, seed in todo.items() if not is_pdf(url)}
    return todo


# --- rendering, in this process or in forked workers ------------------------------------

_worker: Renderer | None = None
_rendered_here = False  # this process rendered: it must not fork (V8, module docstring)


def _render_batch(batch: list[tuple[str, str]]) -> list[Result]:
    assert _worker is not None
    return [_worker.bake(url, kind) for url, kind in batch]


def _init_worker(renderer: Renderer) -> None:
    global _worker
    _worker = renderer
    # Stopped by its pool's SIGTERM whatever handler the parent had (a worker command run in
    # the same process): a child that caught it would keep its pool waiting for ever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A client of this process's own (a forked child must not share the parent's).
    renderer.client = renderer.new_client()


def batches(seeds: list[Seed], workers: int, cost: Mapping[str, int]) -> list[list[Seed]]:
    """`seeds` in batches for `workers` processes: the slowest first (by `cost`, the
    milliseconds each took when last baked), and small enough that every worker gets a share
    (an incremental bake's few dozen URLs in one batch kept one core idle), at most CHUNK
    URLs (fewer round trips between processes on a full bake)."""
    ordered = sorted(seeds, key=lambda seed: -cost.get(seed.url, 0))
    size = max(1, min(CHUNK, len(ordered) // (workers * 8)))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _render_all(
    renderer: Renderer,
    seeds: dict[str, Seed],
    known: set[str],
    workers: int,
    cost: Mapping[str, int],
    first: tuple[set[str], Callable[[list[Result]], None]] = (set(), lambda results: None),
) -> list[Result]:
    """Render `seeds` and every URL they link to that is neither rendered in this run nor
    `known` from the last bake (a full bake passes no `known`: it finds everything); the URLs
    found are added to `seeds`. A link found is sent to a worker as soon as its batch comes
    back, not after a whole round: a listing's further pages, each found on the one before,
    would otherwise run one at a time at the end of the bake.
    `first`: URLs rendered before the others, and what to call with the results so far once
    they are all done."""
    global _rendered_here
    results: list[Result] = []
    early, then = first
    waiting_for = set(early) & set(seeds)
    if not waiting_for:
        then(results)

    def found(batch: list[Result]) -> list[Seed]:
        new: list[Seed] = []
        for result in batch:
            results.append(result)
            for link in result.links:
                if link not in seeds and link not in known:
                    seeds[link] = Seed(link)
                    new.append(seeds[link])
        if waiting_for:
            waiting_for.difference_update(result.url for result in batch)
            if not waiting_for:
                then(results)
        return new

    def jobs(pending: list[Seed]) -> list[list[tuple[str, str]]]:
        chosen = [seed for seed in pending if seed.url in early]
        rest = [seed for seed in pending if seed.url not in early]
        return [
            [(seed.url, seed.kind) for seed in batch]
            for part in (chosen, rest)
            for batch in batches(part, workers, cost)
        ]

    if workers <= 1 or len(seeds) < IN_PROCESS or _rendered_here:
        _rendered_here = True
        _init_worker(renderer)
        pending = list(seeds.values())
        while pending:
            pending = [seed for job in jobs(pending) for seed in found(_render_batch(job))]
        return results

    connections.close_all()  # each child opens its own
    context = multiprocessing.get_context("fork")
    done: queue.SimpleQueue[list[Result] | BaseException] = queue.SimpleQueue()
    # The children's garbage collector leaves what they inherit alone: scanning it would
    # copy every page of the parent's memory into each child.
    gc.freeze()
    try:
        pool = context.Pool(workers, initializer=_init_worker, initargs=(renderer,))
    finally:
        gc.unfreeze()
    with pool:
        waiting = 0
        for job in jobs(list(seeds.values())):
            pool.apply_async(_render_batch, (job,), callback=done.put, error_callback=done.put)
            waiting += 1
        while waiting:
            answer = done.get()
            waiting -= 1
            if isinstance(answer, BaseException):
                raise answer
            for job in jobs(found(answer)):
                pool.apply_async(_render_batch, (job,), callback=done.put, error_callback=done.put)
                waiting += 1
        pool.close()
        pool.join()
    return results


def _index(
    outdir: Path,
    indexed: dict[str, int | None],
    changed: dict[str, int | None],
    previous: int,
    missing: bool,
    files: dict[str, str],
    hubs: set[str],
) -> ShardPlan:
    """Plan the search shards and run Pagefind over those to rebuild (bake/search.py)."""
    clock = time.perf_counter()
    shards = plan_shards(indexed, changed, previous, reshard=missing, hubs=hubs)
    if shards.rebuild:
        build_index(outdir, shards, files)
    shards.seconds = time.perf_counter() - clock
    return shards


# --- what a re-run cannot tell from timestamps ------------------------------------------


def _fingerprint(base_url: str, with_pdfs: bool, static: str) -> str:
    """A hash of everything that changes pages without leaving a time on a record."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site

    import briefdesk
    from briefdesk.core.pagecache.purge import site_chrome

    hasher = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    # Templates by content; Python code by the package version (a code change without a
    # new version needs --full: see docs/bake.md).
    code = [briefdesk.__version__]
    for path in sorted(package.glob("**/templates/**/*")):
        if path.is_file() and "tests" not in path.parts:
            code.append(f"{path.relative_to(package)}:{digest(path.read_bytes())}")
    restrictions = PageViewRestriction.objects.values_list("page__path", "restriction_type")
    sites = Site.objects.values_list("hostname", "port", "root_page_id", "site_name")
    for part in (
        base_url,
        str(with_pdfs),
        settings.WAGTAILADMIN_BASE_URL,
        settings.WAGTAIL_SITE_NAME,
        static,
        *code,
        repr(sorted(restrictions)),
        repr(sorted(sites)),
        # Every page's navigation and footer (main topics, About, Contact).
        repr(site_chrome()),
        repr(list(get_image_model().objects.order_by("pk").values_list("pk", "file"))),
        repr(list(get_document_model().objects.order_by("pk").values_list("pk", "file"))),
    ):
        hasher.update(part.encode("utf-8", "surrogateescape") + b"\n")
    return hasher.hexdigest()


# --- static files and search -------------------------------------------------------------


def _ensure_collected_static(fingerprint: str) -> None:
    """With hashed static names (production's storage) pages name collected files: collect
    them first when STATIC_ROOT is out of date, as `briefdesk serve` does."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.utils.functional import empty
    from django.utils.module_loading import import_string

    from briefdesk.core.static_stamp import static_is_current, write_static_stamp

    backend = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    if not issubclass(backend, ManifestFilesMixin):
        return
    if static_is_current(fingerprint):
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    write_static_stamp(fingerprint)
    from django.contrib.staticfiles.storage import staticfiles_storage

    # The storage read its (then missing or old) manifest when first used: make it anew.
    storages._storages.pop("staticfiles", None)  # type: ignore[attr-defined]
    staticfiles_storage._wrapped = empty  # type: ignore[attr-defined]


def _static_files() -> Iterable[tuple[str, Path]]:
    """(name under STATIC_URL, file) of every static file the pages may name: the collected
    files (hashed names) when STATIC_ROOT has them, else the apps' files."""
    from django.contrib.staticfiles.finders import get_finders
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.utils.module_loading import import_string

    backend = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    if issubclass(backend, ManifestFilesMixin):
        root = Path(settings.STATIC_ROOT)
        for path in root.rglob("*"):
            if path.is_file() and path.suffix not in {".gz", ".br"} and path.name[0] != ".":
                yield path.relative_to(root).as_posix(), path
        return
    seen: set[str] = set()
    for finder in get_finders():
        for name, storage in finder.list(["CVS", ".*", "*~"]):
            prefix = getattr(storage, "prefix", None) or ""
            full = f"{prefix}/{name}" if prefix else name
            if full not in seen:
                seen.add(full)
                yield full, Path(storage.path(name))


def _copy_static(outdir: Path, manifest: Manifest) -> int:
    static_dir = settings.STATIC_URL.strip("/")
    if "://" in settings.STATIC_URL or not static_dir:
        return 0  # served from elsewhere (a CDN): nothing to copy
    copied = 0
    current: dict[str, str] = {}
    for name, path in _static_files():
        relative = f"{static_dir}/{name}"
        stat = path.stat()
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        current[relative] = stamp
        if manifest.static.get(relative) == stamp and (outdir / relative).exists():
            continue
        write_file(outdir, relative, path.read_bytes())
        copied += 1
    for relative in set(manifest.static) - set(current):
        remove_file(outdir, relative)
    manifest.static = current
    return copied


__all__ = ["BakeError", "BakeReport", "bake_site"]

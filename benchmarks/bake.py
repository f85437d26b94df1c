"""The static bake against Hugo on the same content: N synthetic briefs (default 10,000) with
authors, topic guides and cited sources, baked by briefdesk, then built by Hugo from the same
records with a minimal theme of equivalent pages (brief page with byline, body and sources
list; topic and author pages; home; RSS; sitemap), then one brief changed and baked again.

    .venv/bin/python benchmarks/bake.py [--briefs N] [--workers 2] [--keep DIR]

Prints the times, the ratio (target: briefdesk <= 3x Hugo) and the incremental bake after
changing one brief (target <= 2 s), with where briefdesk's time goes. Everything is written
in a temporary directory (data dir, baked site, the Hugo site and its theme), removed at the
end unless --keep names a directory to keep them in.

The records are generated in a child process (pages and rows bulk-inserted: Wagtail's
add_child and publish would take most of the run), and the one brief is changed in another:
both format citations with citeproc-js in V8, and this process forks the bake's workers,
which must not inherit a V8 context. The bake runs without PDFs (WeasyPrint takes about a
second a brief; Hugo makes none): PDFs are made once per published revision and kept, so
a re-run renders only the changed brief's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HUGO = ROOT / ".venv" / "bin" / "hugo"
WORDS = (
    "policy security border trade election reform ministry sanctions pipeline treaty "
    "negotiation militia drought inflation parliament coalition refugees tariffs nuclear "
    "envoy ceasefire corridor budget audit harvest shipping grid currency census court"
).split()


def _django(data_dir: Path) -> None:
    os.environ["BRIEFDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefdesk.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("BRIEFDESK_ENV_FILE", "")
    import django

    django.setup()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


# --- the synthetic site (child process) ---------------------------------------------------


def _bulk_pages(parent: Any, pages: list[Any]) -> None:
    """Insert live pages under `parent` in a few queries: the Page rows with bulk_create,
    the specific rows (multi-table inheritance, which bulk_create refuses) with executemany."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Page

    model = type(pages[0])
    content_type = ContentType.objects.get_for_model(model)
    parent.refresh_from_db()
    now = timezone.now()
    base_fields = [f for f in Page._meta.local_concrete_fields if f.name != "id"]
    rows = []
    for index, page in enumerate(pages, parent.numchild + 1):
        page.path = Page._get_path(parent.path, parent.depth + 1, index)
        page.depth = parent.depth + 1
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type = content_type
        page.locale_id = parent.locale_id
        page.translation_key = uuid.uuid4()
        page.live, page.has_unpublished_changes = True, False
        page.draft_title = page.title
        page.first_published_at = page.last_published_at = now
        rows.append(Page(**{f.attname: getattr(page, f.attname) for f in base_fields}))
    created = Page.objects.bulk_create(rows, batch_size=500)
    fields = model._meta.local_concrete_fields
    for page, row in zip(pages, created, strict=True):
        page.pk = page.id = page.page_ptr_id = row.pk
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [
        [f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields] for p in pages
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
            f"VALUES ({marks})",
            values,
        )
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + len(pages))


def generate(briefs: int) -> None:
    """Migrate, set up the site, and write `briefs` briefs with authors, topics and sources."""
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0, interactive=False)
    call_command("init_site", verbosity=0)
    from briefdesk.briefs.models import (
        AuthorIndexPage,
        AuthorPage,
        BriefAuthor,
        BriefIndexPage,
        BriefPage,
        BriefSource,
        BriefTopic,
        RelatedBrief,
    )
    from briefdesk.sources.models import Outlet, Source
    from briefdesk.topics.models import TopicGuidePage, TopicIndexPage

    rng = random.Random(15)
    with transaction.atomic():
        outlets = [Outlet.objects.create(name=f"Outlet {i}") for i in range(20)]
        # One source formatted the normal way (citeproc-js); the others copy its formats.
        model_source = Source(
            kind="news_article",
            title="Model source title",
            outlet=outlets[0],
            url="https://news.example.org/model",
            issued="2020-05-01",
            authors=[{"family": "Writer", "given": "Ann"}],
        )
        model_source.save()
        formatted = json.dumps(model_source.formatted)
        sources = []
        for i in range(max(10, briefs // 2)):
            title = f"{_sentence(rng, 6)} {i}"
            sources.append(
                Source(
                    kind="news_article",
                    title=title,
                    outlet=outlets[i % len(outlets)],
                    url=f"https://news.example.org/story-{i}",
                    issued=f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}",
                    authors=[{"family": f"Reporter{i % 97}", "given": "Sam"}],
                    formatted=json.loads(formatted.replace("Model source title", title)),
                )
            )
        sources = Source.objects.bulk_create(sources, batch_size=1000)

        topics_index = TopicIndexPage.objects.get()
        topics = [
            TopicGuidePage(title=f"Topic {i} {rng.choice(WORDS)}", slug=f"topic-{i}", label="")
            for i in range(max(3, briefs // 200))
        ]
        _bulk_pages(topics_index, topics)
        authors_index = AuthorIndexPage.objects.get()
        authors = [
            AuthorPage(
                title=f"Expert {i} Name",
                slug=f"expert-{i}",
                given_name=f"Expert{i}",
                family_name="Name",
                role="Senior fellow",
                bio="<p>Writes about the region.</p>",
            )
            for i in range(max(3, briefs // 50))
        ]
        _bulk_pages(authors_index, authors)

        briefs_index = BriefIndexPage.objects.get()
        pages, cited = [], []
        start = dt.date(2012, 1, 1)
        for i in range(briefs):
            title = f"{_sentence(rng, 5)} {i}"
            slug = f"brief-{i}"
            chosen = rng.sample(sources, 3)
            body = "".join(
                f"<p>{_sentence(rng, 40)} "
                f'<a id="{s.pk}" linktype="source">{s.outlet.name if s.outlet else "Source"}</a>'
                f". {_sentence(rng, 30)}.</p>"
                for s in chosen
            )
            page = BriefPage(
                title=title,
                slug=slug,
                date=start + dt.timedelta(days=i % 4000),
                number=f"{2012 + (i % 4000) // 366}-{i + 1}",
                summary=_sentence(rng, 25) + ".",
                body=[("paragraph", body)],
            )
            pages.append(page)
            cited.append(chosen)
        # The citations of one brief, formatted the normal way, copied with each one's title.
        model = pages[0]
        model.refresh_citations()
        citations = json.dumps(model.citations)
        for page in pages:
            page.citations = json.loads(
                citations.replace(model.title, page.title).replace(model.slug, page.slug)
            )
        _bulk_pages(briefs_index, pages)
        BriefAuthor.objects.bulk_create(
            [
                BriefAuthor(page_id=p.pk, author_id=authors[i % len(authors)].pk, sort_order=0)
                for i, p in enumerate(pages)
            ],
            batch_size=2000,
        )
        BriefTopic.objects.bulk_create(
            [
                BriefTopic(page_id=p.pk, topic_id=topics[i % len(topics)].pk, sort_order=0)
                for i, p in enumerate(pages)
            ],
            batch_size=2000,
        )
        BriefSource.objects.bulk_create(
            [
                BriefSource(page_id=p.pk, source_id=s.pk, position=n)
                for p, chosen in zip(pages, cited, strict=True)
                for n, s in enumerate(chosen)
            ],
            batch_size=2000,
        )
        RelatedBrief.objects.bulk_create(
            [
                RelatedBrief(
                    page_id=p.pk,
                    related_id=pages[(i + k * len(topics)) % len(pages)].pk,
                    score=1.0 / k,
                    position=k,
                )
                for i, p in enumerate(pages)
                for k in range(1, 5)
                if pages[(i + k * len(topics)) % len(pages)].pk != p.pk
            ],
            batch_size=2000,
        )
    print(
        f"generated {len(pages)} briefs, {len(authors)} experts, {len(topics)} topic guides, "
        f"{len(sources)} sources",
        flush=True,
    )


def change_one_brief(slug: str = "brief-1") -> None:
    """Publish a new revision of one brief with a new title (as an editor would)."""
    from briefdesk.briefs.models import BriefPage

    page = BriefPage.objects.get(slug=slug)
    page.title = page.title + " (revised)"
    page.save_revision().publish()


def _load() -> str:
    """The 1-minute load average (the machine is shared: compare ratios within one run)."""
    return f"load {os.getloadavg()[0]:.1f}"


# --- Hugo -----------------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "http://127.0.0.1:8000/"
title = "Briefdesk"
disableKinds = []
[pagination]
  pagerSize = 20
[taxonomies]
  topic = "topics"
  author = "authors"
[outputs]
  home = ["html", "rss"]
  section = ["html", "rss"]
  taxonomy = ["html"]
  term = ["html", "rss"]
"""

# Equivalent pages, written the way a Hugo theme would (lines joined to keep them short).
HUGO_LAYOUTS = {
    "baseof.html": [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        "<title>{{ .Title }} · {{ site.Title }}</title>",
        '<link rel="canonical" href="{{ .Permalink }}">',
        '{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml"',
        'href="{{ .RelPermalink }}">{{ end }}',
        '</head><body><header><a href="/">{{ site.Title }}</a>',
        '<nav><a href="/briefs/">Briefs</a> <a href="/topics/">Topics</a>',
        '<a href="/authors/">Experts</a></nav></header>',
        '<main>{{ block "main" . }}{{ end }}</main>',
        "<footer>© {{ site.Title }}</footer></body></html>",
    ],
    "page.html": [
        '{{ define "main" }}<article><p class="type">{{ .Params.type }}</p>',
        "<h1>{{ .Title }}</h1>",
        '<p class="byline">{{ range $i, $a := .GetTerms "authors" }}{{ if $i }}, {{ end }}',
        '<a href="{{ $a.RelPermalink }}">{{ $a.LinkTitle }}</a>{{ end }}',
        '· {{ .Date.Format "January 2, 2006" }}</p>',
        '<p class="summary">{{ .Params.summary }}</p>',
        "{{ .Content }}",
        '<section><h2>Topics</h2>{{ range .GetTerms "topics" }}',
        '<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</section>',
        '<section id="sources"><h2>Sources</h2><ol>{{ range .Params.sources }}',
        "<li>{{ .outlet }}. “{{ .title }}.” {{ .issued }}.",
        '<a href="{{ .url }}">{{ .url }}</a></li>{{ end }}</ol></section>',
        '<p class="cite-as">Cite as: {{ .Params.cite }}</p></article>{{ end }}',
    ],
    "list.html": [
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}',
        '<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>',
        '· {{ .Date.Format "2006-01-02" }} ·',
        '{{ range .GetTerms "authors" }}{{ .LinkTitle }} {{ end }}</li>{{ end }}</ul>',
        '{{ with .Paginator }}{{ if .HasPrev }}<a href="{{ .Prev.URL }}">Newer</a>{{ end }}',
        '{{ if .HasNext }}<a href="{{ .Next.URL }}">Older</a>{{ end }}{{ end }}{{ end }}',
    ],
    "taxonomy.html": [
        '{{ define "main" }}<h1>{{ .Title }}</h1>',
        '<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>',
        "({{ len .Pages }})</li>{{ end }}</ul>{{ end }}",
    ],
    "home.html": [
        '{{ define "main" }}<h1>{{ site.Title }}</h1>',
        '<ul>{{ range first 10 (where site.RegularPages "Section" "briefs") }}',
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ .Params.summary }}</li>',
        "{{ end }}</ul>{{ end }}",
    ],
}


def write_hugo_site(site: Path) -> int:
    """The same briefs as Hugo content, and the minimal theme as the site's own layouts."""
    from briefdesk.briefs.models import BriefPage
    from briefdesk.sources.models import Source

    (site / "content" / "briefs").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    layouts = site / "layouts"
    layouts.mkdir()
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text("\n".join(text))
    (site / "content" / "briefs" / "_index.md").write_text('---\ntitle: "All briefs"\n---\n')
    sources = {s.pk: s for s in Source.objects.select_related("outlet")}
    count = 0
    briefs = (
        BriefPage.objects.live()
        .prefetch_related("brief_authors__author", "brief_topics__topic", "cited_sources")
        .iterator(chunk_size=1000)
    )
    for brief in briefs:
        cited = [sources[c.source_id] for c in brief.cited_sources.all()]
        front = {
            "title": brief.title,
            "date": brief.date.isoformat() if brief.date else None,
            "type": brief.brief_type,
            "summary": brief.summary,
            "authors": [link.author.title for link in brief.brief_authors.all()],
            "topics": [link.topic.title for link in brief.brief_topics.all()],
            "sources": [
                {
                    "title": s.title,
                    "outlet": s.outlet.name if s.outlet else "",
                    "issued": s.issued,
                    "url": s.url,
                }
                for s in cited
            ],
            "cite": (brief.citations or {}).get("chicago-nb", {}).get("bibliography", ""),
        }
        body = "\n\n".join(
            str(block.value.source) if hasattr(block.value, "source") else str(block.value)
            for block in brief.body
        )
        text = "---\n" + json.dumps(front, indent=1) + "\n---\n" + body + "\n"
        (site / "content" / "briefs" / f"{brief.slug}.md").write_text(text)
        count += 1
    return count


# --- the run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="keep the data dir and outputs here")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)  # the child's job
    parser.add_argument("--repeat", type=int, default=3, help="incremental bakes to time")
    parser.add_argument("--change", nargs="?", const="brief-1", help=argparse.SUPPRESS)  # a slug
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate is not None or args.change:
        _django(args.data_dir)
        generate(args.generate) if args.generate is not None else change_one_brief(args.change)
        return

    work = args.keep or Path(tempfile.mkdtemp(prefix="briefdesk-bake-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data_dir, out, hugo_site = work / "data", work / "baked", work / "hugo"
    for path in (data_dir, out, hugo_site, work / "hugo-public"):
        shutil.rmtree(path, ignore_errors=True)
    child = [sys.executable, __file__, "--data-dir", str(data_dir)]
    try:
        started = time.perf_counter()
        subprocess.run([*child, "--generate", str(args.briefs)], check=True)
        print(f"generate: {time.perf_counter() - started:.1f} s (not part of either build)")

        _django(data_dir)
        import logging

        from briefdesk.bake.run import bake_site

        logging.disable(logging.WARNING)
        started = time.perf_counter()
        full = bake_site(out, with_pdfs=False, workers=args.workers)
        bake_seconds = time.perf_counter() - started
        html = sum(1 for _ in out.rglob("*.html"))
        print(
            f"briefdesk bake: {bake_seconds:.1f} s, {full.rendered} URLs rendered "
            f"({html} HTML pages), workers {args.workers}, {_load()}"
        )
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in full.seconds.items()))

        started = time.perf_counter()
        count = write_hugo_site(hugo_site)
        print(f"hugo content written: {count} briefs in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        subprocess.run(
            [str(HUGO), "--source", str(hugo_site), "--destination", str(work / "hugo-public"),
             "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        hugo_seconds = time.perf_counter() - started
        hugo_pages = sum(1 for _ in (work / "hugo-public").rglob("*.html"))
        print(f"hugo build: {hugo_seconds:.1f} s ({hugo_pages} HTML pages), {_load()}")
        print(f"ratio briefdesk / hugo: {bake_seconds / hugo_seconds:.1f}x (target <= 3x)")

        for attempt in range(args.repeat):
            # A different brief each time (brief-1, brief-2, ...): each change is new.
            subprocess.run([*child, "--change", f"brief-{attempt + 1}"], check=True)
            started = time.perf_counter()
            again = bake_site(out, with_pdfs=False, workers=args.workers)
            seconds = time.perf_counter() - started
            print(
                f"{again.mode} bake after changing one brief: {seconds:.2f} s (target <= 2 s), "
                f"{again.rendered} URLs rendered, {again.written} files written, "
                f"search shards rebuilt {again.search_shards[0]} of {again.search_shards[1]}, "
                f"{_load()}"
            )
            print("  " + ", ".join(f"{k} {v:.2f} s" for k, v in again.seconds.items()))
        started = time.perf_counter()
        cli = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "briefdesk"), "bake", str(out), "--no-pdfs"],
            env=dict(os.environ, BRIEFDESK_DATA_DIR=str(data_dir)),
            capture_output=True,
            text=True,
        )
        print(
            f"`briefdesk bake` with nothing changed (process start included): "
            f"{time.perf_counter() - started:.2f} s, exit {cli.returncode}, {_load()}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

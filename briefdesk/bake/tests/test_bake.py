"""`briefdesk bake`: the public site as files that work from any web server, nothing that is
not public, re-runs that rewrite only what changed, and bad output directories refused."""

from __future__ import annotations

import io
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from briefdesk.bake.manifest import MANIFEST_NAME
from briefdesk.bake.run import bake_site

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
_LINK = re.compile(r'\s(?:href|src|action)="([^"]*)"')


def bake(outdir: Path, **options: Any) -> Any:
    return bake_site(outdir, with_pdfs=False, search=False, **options)


def files(outdir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(outdir).as_posix(): path.read_bytes()
        for path in outdir.rglob("*")
        if path.is_file() and path.name != MANIFEST_NAME
    }


def test_it_bakes_every_kind_of_public_page_with_exact_file_names(
    world: Any, tmp_path: Path
) -> None:
    report = bake(tmp_path)
    baked = files(tmp_path)
    slug = world.brief.slug
    for name in [
        "index.html",
        "briefs/index.html",
        f"briefs/{slug}/index.html",
        f"briefs/{slug}/cite/index.html",
        f"briefs/{slug}/cite.bib",
        f"briefs/{slug}/cite.ris",
        f"briefs/{slug}/cite-with-sources.ris",
        "authors/jayshree-bajoria/index.html",
        "topics/pakistan/index.html",
        "feeds/index.html",
        "feeds/rss/index.xml",
        "feeds/json/index.json",
        "sitemap.xml",
        "robots.txt",
        "sources/index.html",
        "search/index.html",
        "404.html",
        "static/briefdesk/site.css",
    ]:
        assert name in baked, name
    assert report.broken == []
    page = baked[f"briefs/{slug}/index.html"].decode()
    assert '<main id="main" data-pagefind-body' in page
    assert "Zanzibar Clove Exports Collapse" in page
    assert b"/feeds/rss/index.xml" in baked["index.html"]


def test_unpublished_private_and_restricted_pages_are_never_baked(
    world: Any, tmp_path: Path
) -> None:
    bake(tmp_path)
    for name, data in files(tmp_path).items():
        for slug in world.hidden_slugs:
            assert slug not in name
            assert slug.encode() not in data, f"{slug} in {name}"


def test_every_link_in_the_baked_html_works_from_a_plain_web_server_and_none_is_dynamic(
    world: Any, tmp_path: Path, serve: Any
) -> None:
    bake_site(tmp_path, with_pdfs=False)  # with the search index: the search page links it
    base = serve(tmp_path)
    checked: set[str] = set()
    for path in tmp_path.rglob("*.html"):
        page = "/" + path.relative_to(tmp_path).as_posix().removesuffix("index.html")
        text = path.read_text()
        # Nothing a static host cannot answer: no query strings it would ignore, no forms
        # that post, no admin.
        assert "?style=" not in text, page
        assert 'method="post"' not in text.lower(), page
        assert 'href="/admin/' not in text, page
        for value in _LINK.findall(text):
            url = urllib.parse.urljoin(page, value.replace("&amp;", "&")).split("#")[0]
            if not url.startswith("/") or url in checked:
                continue  # another site (the citations' outside links)
            checked.add(url)
            try:
                urllib.request.urlopen(base + url, timeout=10).close()
            except urllib.error.HTTPError as exc:
                pytest.fail(f"{url} (linked from {page}) answers {exc.code}")
    assert "/feeds/rss/index.xml" in checked
    assert f"/briefs/{world.brief.slug}/cite-with-sources.bib" in checked


def test_a_base_url_puts_every_link_under_it(world: Any, tmp_path: Path) -> None:
    bake(tmp_path, base_url="https://static.example.org/archive")
    page = (tmp_path / f"briefs/{world.brief.slug}/index.html").read_text()
    assert 'href="/archive/briefs/"' in page
    assert 'href="https://static.example.org/archive/briefs/' in page  # canonical
    assert SITE not in page
    assert "https://static.example.org/archive/sitemap.xml" in (tmp_path / "robots.txt").read_text()


def test_a_rerun_renders_and_writes_only_what_a_changed_brief_shows_on(
    world: Any, tmp_path: Path
) -> None:
    first = bake(tmp_path)
    assert first.mode == "full"
    unchanged = bake(tmp_path)
    assert (unchanged.mode, unchanged.rendered, unchanged.written) == ("incremental", 0, 0)

    world.other.title = "Torkham Crossing Closes Again"
    world.other.save_revision().publish()
    before = files(tmp_path)
    again = bake(tmp_path)
    after = files(tmp_path)

    assert again.mode == "incremental"
    assert 0 < again.rendered < first.rendered / 2
    changed = {name for name in after if after[name] != before.get(name)}
    assert f"briefs/{world.other.slug}/index.html" in changed
    assert "briefs/index.html" in changed
    assert f"briefs/{world.brief.slug}/cite.bib" not in changed
    assert again.written == len(changed)
    # The same files as a bake from nothing (but the feeds' build time).
    fresh = tmp_path.parent / "fresh"
    bake(fresh)
    rebuilt = files(fresh)
    differ = {name for name in rebuilt if rebuilt[name] != after.get(name)}
    assert {name for name in differ if "feeds/" not in name} == set()


def test_a_rerun_after_a_main_topic_is_added_to_the_menu_rebakes_every_page(
    world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.factories import make_topic

    bake(tmp_path)
    # Committed, as an editor's change is: the purge it sets off on commit also makes pages
    # read the menu anew (core.sitecache).
    with django_capture_on_commit_callbacks(execute=True):
        make_topic(world.tree, title="Iran")  # live, in the menu, no brief filed under it

    again = bake(tmp_path)

    assert again.mode == "full"
    page = (tmp_path / f"briefs/{world.other.slug}/index.html").read_text()
    assert ">Iran</a>" in page


def test_a_rerun_removes_the_files_of_an_unpublished_brief(world: Any, tmp_path: Path) -> None:
    bake(tmp_path)
    slug = world.other.slug
    assert (tmp_path / f"briefs/{slug}/index.html").exists()
    world.other.unpublish()
    report = bake(tmp_path)
    assert report.removed >= 1
    assert not (tmp_path / f"briefs/{slug}").exists()
    assert slug.encode() not in (tmp_path / "briefs/index.html").read_bytes()
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert not [url for url in manifest["outputs"] if slug in url]


@pytest.mark.parametrize("problem", ["file", "not empty", "under a file", "not writable"])
def test_a_bad_outdir_is_refused_in_one_line(site_tree: Any, tmp_path: Path, problem: str) -> None:
    outdir = tmp_path / "out"
    if problem == "file":
        outdir.write_text("x")
    elif problem == "not empty":
        outdir.mkdir()
        (outdir / "keep.txt").write_text("mine")
    elif problem == "under a file":
        (tmp_path / "plain").write_text("x")
        outdir = tmp_path / "plain" / "out"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes to any directory")
        outdir.mkdir(mode=0o500)
    with pytest.raises(CommandError) as caught:
        call_command("bake", str(outdir), "--no-search", stdout=io.StringIO())
    message = str(caught.value)
    assert "\n" not in message
    assert str(outdir) in message
    if problem == "not empty":
        assert sorted(p.name for p in outdir.iterdir()) == ["keep.txt"]
        assert (outdir / "keep.txt").read_text() == "mine"


def test_the_command_prints_what_it_did(world: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("bake", str(tmp_path / "site"), "--no-search", "--workers", "1", stdout=out)
    assert "full bake:" in out.getvalue()
    with pytest.raises(CommandError, match="--base-url"):
        call_command("bake", str(tmp_path / "site"), "--base-url", "ftp://x", stdout=io.StringIO())


def test_the_briefs_quick_seeds_are_what_the_page_cache_purges_for_a_brief(world: Any) -> None:
    from briefdesk.bake.targets import _brief_seeds, public_seeds
    from briefdesk.core.pagecache.purge import own_paths

    seeds = _brief_seeds(with_pdfs=True)
    assert seeds is not None
    for brief in (world.brief, world.other):
        mine = {url for url, seed in seeds.items() if seed.page_id == brief.pk}
        assert mine == own_paths(brief)
    urls = {seed.url for seed in public_seeds(with_pdfs=True)}
    assert own_paths(world.brief) <= urls
    assert not [url for url in urls if any(slug in url for slug in world.hidden_slugs)]

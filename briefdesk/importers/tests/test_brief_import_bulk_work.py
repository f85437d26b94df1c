"""The brief import's bulk work (importers.briefs, importers.format_ahead): new sources are
formatted on a second thread and inserted together, and what saving each would have set off
(admin search, reference index, public search log, purges) is done for them by the end of
their brief's transaction, also when an earlier page failed halfway."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models.signals import post_save
from wagtail.models import ReferenceIndex

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.citations.styles import STYLES
from briefdesk.importers.format_ahead import FormatAhead
from briefdesk.sources.models import Outlet, Source, format_sources

THINKTANK = Path(__file__).parents[1] / "html" / "tests" / "files" / "thinktank"
KASHMIR = (THINKTANK / "kashmir-talks.html").read_text()
BBC = "https://www.bbc.co.uk/news/world-south-asia-11900000"

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_html", *args, stdout=out)
    return out.getvalue().splitlines()


def too_long_an_address(page: str) -> str:
    canonical = 'href="https://www.thinktank.example/briefs/kashmir-talks"'
    assert canonical in page
    return page.replace(canonical, canonical[:-1] + "?" + "x" * 1000 + '"')


def assert_formatted_as_on_its_own(source: Source) -> None:
    stored = source.formatted
    assert set(stored) == set(STYLES)
    format_sources([source])  # what a save would store for the record as it is now
    assert stored == source.formatted


def admin_search_ids(model: type[Any]) -> set[int]:
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.models import IndexEntry

    rows = IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
    return {int(pk) for pk in rows.values_list("object_id", flat=True)}


def test_every_new_source_is_stored_formatted_in_every_style_as_on_its_own() -> None:
    run(str(THINKTANK))

    assert Source.objects.count() > 1
    for source in Source.objects.select_related("outlet"):
        assert_formatted_as_on_its_own(source)


def admin_search_rows() -> list[tuple[Any, ...]]:
    from wagtail.search.models import IndexEntry

    fields = ["content_type_id", "object_id", "title", "autocomplete", "body"]
    return sorted(IndexEntry.objects.values_list(*fields))


def assert_admin_search_as_if_each_record_was_saved() -> None:
    from wagtail.search.index import insert_or_update_object

    imported = admin_search_rows()
    records = [*BriefPage.objects.all(), *Source.objects.all(), *Outlet.objects.all()]
    for record in records:
        insert_or_update_object(record)  # what each save does
    assert imported == admin_search_rows()
    assert admin_search_ids(BriefPage) == {b.pk for b in BriefPage.objects.all()}
    assert admin_search_ids(Source) == set(Source.objects.values_list("pk", flat=True))


def test_the_admin_search_holds_what_saving_each_record_would_have_put_there() -> None:
    run(str(THINKTANK))
    assert_admin_search_as_if_each_record_was_saved()

    run(str(THINKTANK), "--publish")  # updates: new revisions, published
    assert_admin_search_as_if_each_record_was_saved()


def test_new_sources_are_in_the_reference_index() -> None:
    run(str(THINKTANK))

    source = Source.objects.exclude(outlet=None).first()
    assert source is not None
    assert (
        ReferenceIndex.get_references_for_object(source)
        .filter(to_object_id=str(source.outlet_id))
        .exists()
    )


def test_a_source_of_a_page_that_failed_after_inserting_it_is_made_again_by_the_next(
    tmp_path,
) -> None:
    # Both pages cite the BBC story; the first fails after its sources were inserted (its
    # address is too long for the brief's imported_from), so its transaction takes them back.
    (tmp_path / "a-bad.html").write_text(too_long_an_address(KASHMIR))
    (tmp_path / "b-good.html").write_text(KASHMIR)
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_html", str(tmp_path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{tmp_path / 'a-bad.html'}: imported_from: ")
    assert lines[1].endswith("-> /briefs/kashmir-talks/ (created, draft)")
    assert list(AuthorPage.objects.values_list("family_name", flat=True)) == ["Bajoria"]
    source = Source.objects.select_related("outlet").get(url=BBC)
    assert [brief.pk for brief in BriefPage.objects.filter(cited_sources__source=source)] == [
        BriefPage.objects.get().pk
    ]
    assert_formatted_as_on_its_own(source)
    assert admin_search_ids(Source) == {source.pk}


def test_a_failed_page_leaves_no_source_and_a_later_run_formats_what_it_makes(tmp_path) -> None:
    (tmp_path / "bad.html").write_text(too_long_an_address(KASHMIR))

    with pytest.raises(CommandError):
        run(str(tmp_path))

    assert not Source.objects.exists()
    assert not Outlet.objects.exists()
    run(str(THINKTANK / "kashmir-talks.html"))
    assert all(set(s.formatted) == set(STYLES) for s in Source.objects.all())


def test_publish_makes_new_sources_live_and_in_the_public_search_log() -> None:
    from briefdesk.search.models import SearchChange

    run(str(THINKTANK), "--publish")

    source = Source.objects.get(url=BBC)
    assert source.live
    assert SearchChange.objects.filter(key=f"source:{source.pk}").exists()


def test_drafts_log_no_search_change_for_their_new_sources() -> None:
    # A draft source is in no public search result, whatever the log says.
    from briefdesk.search.models import SearchChange

    run(str(THINKTANK))

    assert not SearchChange.objects.filter(key__startswith="source:").exists()


def test_the_bulk_insert_stands_in_for_every_receiver_of_a_source_save() -> None:
    # importers.briefs._Writer._save_new does by hand what these do for a saved source. A new
    # receiver must be added there too (or shown to need nothing for a new source).
    receivers = {f"{r.__module__}.{r.__qualname__}" for r in post_save._live_receivers(Source)[0]}

    assert receivers == {
        "briefdesk.core.pagecache.signals.source_after_save",  # --publish: _save_new purges
        "briefdesk.briefs.signals.drop_citing_brief_pdfs",  # a new source: nothing cites it
        "briefdesk.search.signals.source_changed",  # --publish: _save_new logs it
        "wagtail.signal_handlers.update_reference_index_on_save",  # index_references
        "modelsearch.signal_handlers.post_save_signal_handler",  # admin_search_index
    }


def test_format_ahead_formats_in_batches_what_format_sources_would() -> None:
    sources = [Source(title=f"Story number {n}", url=f"https://example.org/{n}") for n in range(5)]
    expected = [Source(title=s.title, url=s.url) for s in sources]
    format_sources(expected)
    stranger = Source(title="Not handed in")

    ahead = FormatAhead(sources, batch=2)
    try:
        assert all(ahead.formatted(source) for source in sources)
        assert not ahead.formatted(stranger)
    finally:
        ahead.close()

    assert [s.formatted for s in sources] == [e.formatted for e in expected]
    assert not stranger.formatted


def test_a_draft_import_purges_nothing_and_a_published_one_purges_what_shows_it(
    django_capture_on_commit_callbacks,
) -> None:
    from briefdesk.core.pagecache.tests.test_page_cache import Site
    from briefdesk.core.site_tree import ensure_site

    with django_capture_on_commit_callbacks(execute=True):
        ensure_site()  # the site as the import finds it in use (it makes one if none)
    site = Site()  # briefdesk's page cache in front of the site, emptied
    paths = ["/sources/", "/sitemap.xml", "/briefs/"]
    for path in paths:
        site.get(path)
        assert site.get(path).cache == "HIT", path

    with django_capture_on_commit_callbacks(execute=True):
        run(str(THINKTANK))

    # Nothing a reader sees changed: the cached pages stay, and are what a render gives.
    cached = {path: site.get(path) for path in paths}
    assert [reply.cache for reply in cached.values()] == ["HIT"] * len(paths)
    fresh = Site()
    for path in paths:
        assert "kashmir" not in fresh.get(path).body.lower(), path

    with django_capture_on_commit_callbacks(execute=True):
        run(str(THINKTANK), "--publish")

    source = Source.objects.get(url=BBC)
    listing = site.get("/sources/")
    assert listing.cache == "MISS"
    assert f"/sources/{source.pk}/" in listing.body
    assert "/briefs/kashmir-talks/" in site.get("/sitemap.xml").body
    assert "Kashmir Talks Resume" in site.get("/briefs/").body


def test_slugs_read_once_per_run_follow_the_inputs_that_commit() -> None:
    # _Writer.free_slug reads the slugs under the briefs' index once: a slug an input took is
    # taken once its transaction commits, and free again when it was rolled back.
    from briefdesk.importers.briefs import _Writer

    run(str(THINKTANK / "kashmir-talks.html"))
    writer = _Writer(publish=False, dry_run=False)

    assert writer.free_slug("Kashmir Talks") == "kashmir-talks-2"
    writer.forget_input()  # that input failed: its slug is free again
    assert writer.free_slug("Kashmir Talks") == "kashmir-talks-2"
    writer.keep_input()  # that one committed
    assert writer.free_slug("Kashmir Talks") == "kashmir-talks-3"
    assert writer.free_slug("Drones") == "drones"

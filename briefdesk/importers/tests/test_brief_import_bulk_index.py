"""The brief import's index work in bulk (importers.bulk_index): Wagtail's reference index and
admin search end up holding exactly what saving each record would have put there, whether
the entries were written per input (--publish), every few inputs, or at the end."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from wagtail.models import Page, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from briefdesk.briefs.models import BriefPage, BriefRelatedPin
from briefdesk.importers import bulk_index
from briefdesk.importers.bulk_index import references_in_bulk
from briefdesk.sources.models import Outlet, Source

from .test_brief_import_ahead import write_pages
from .test_brief_import_bulk_work import THINKTANK, assert_admin_search_as_if_each_record_was_saved

pytestmark = pytest.mark.django_db


def run(*args: str) -> None:
    call_command("import_html", *args, stdout=io.StringIO())


def reference_rows() -> list[tuple[Any, ...]]:
    fields = [
        "content_type_id",
        "base_content_type_id",
        "object_id",
        "to_content_type_id",
        "to_object_id",
        "model_path",
        "content_path",
        "content_path_hash",
    ]
    return sorted(ReferenceIndex.objects.values_list(*fields))


def every_indexed_record() -> list[Any]:
    pages = [page.specific for page in Page.objects.exclude(depth=1)]
    return [*pages, *Source.objects.all(), *Outlet.objects.all()]


def assert_references_as_if_each_record_was_saved() -> None:
    imported = reference_rows()
    ReferenceIndex.objects.all().delete()
    with transaction.atomic():
        for record in every_indexed_record():  # what each save does, read back
            ReferenceIndex.create_or_update_for_object(record)
    assert imported == reference_rows()


def test_a_draft_import_indexes_references_as_saving_each_record_would(tmp_path) -> None:
    write_pages(tmp_path)

    run(str(tmp_path))

    assert BriefRelatedPin.objects.count() == 6  # the second pass pinned each next brief
    assert_references_as_if_each_record_was_saved()
    assert_admin_search_as_if_each_record_was_saved()


def test_entries_written_between_the_passes_follow_what_the_second_pass_changed(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(bulk_index, "FLUSH_EVERY", 2)  # flushes in pass one, before the pins
    write_pages(tmp_path)

    run(str(tmp_path))

    assert_references_as_if_each_record_was_saved()
    assert_admin_search_as_if_each_record_was_saved()


def test_a_published_import_and_a_re_import_index_as_saving_each_record_would(
    tmp_path,
) -> None:
    write_pages(tmp_path)
    run(str(tmp_path), "--publish")
    assert_references_as_if_each_record_was_saved()

    run(str(tmp_path))  # updates: new draft revisions of published briefs
    run(str(THINKTANK))
    assert_references_as_if_each_record_was_saved()
    assert_admin_search_as_if_each_record_was_saved()


def test_a_failed_page_owes_the_indexes_nothing(tmp_path) -> None:
    write_pages(tmp_path, count=3)
    page = (tmp_path / "brief-1.html").read_text()
    canonical = 'href="https://www.thinktank.example/briefs/brief-1"'
    (tmp_path / "brief-1.html").write_text(
        page.replace(canonical, canonical[:-1] + "?" + "x" * 1000 + '"')
    )

    with pytest.raises(CommandError):
        run(str(tmp_path))

    assert BriefPage.objects.count() == 2
    assert_references_as_if_each_record_was_saved()
    assert_admin_search_as_if_each_record_was_saved()


def test_references_in_bulk_adds_and_removes_what_the_per_record_update_does() -> None:
    with disable_reference_index_auto_update():
        outlets = [Outlet.objects.create(name=name) for name in ("Dawn", "Reuters")]
        stories = [
            Source.objects.create(title=f"Story {n}", url=f"https://x.example/{n}", outlet=o)
            for n, o in enumerate(outlets)
        ]
    assert not reference_rows()
    with transaction.atomic():
        references_in_bulk([*stories, *outlets])
    first = reference_rows()
    with disable_reference_index_auto_update():
        stories[0].outlet = outlets[1]
        stories[0].save()  # its outlet reference changes: one to add, one to remove
    with transaction.atomic():
        references_in_bulk(stories)
    bulk = reference_rows()

    ReferenceIndex.objects.all().delete()
    with transaction.atomic():
        for record in [*stories, *outlets]:
            ReferenceIndex.create_or_update_for_object(record)

    assert bulk == reference_rows()
    assert first != bulk

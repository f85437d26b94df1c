""" "Capture now" in the Source health report: an editor's POST captures one source's page at
once (immediate backend) and the message says what happened; anyone else gets 403, a GET 405,
a bad id a message. The report shows each source's latest snapshot, linked to its archived
view only when readers may open it, at a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.sources.models import Snapshot, Source
from briefdesk.sources.tasks import capture_source_task
from tests.factories import PASSWORD, SourceFactory, cite, make_brief, make_snapshot

pytestmark = pytest.mark.django_db

STORY = (
    "Pakistan's foreign ministry condemned the release of the diplomatic cables on Monday, "
    "saying the documents damaged the trust between Islamabad and Washington."
)


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as web:
        web.route(
            "news",
            "/story",
            Route.html(f"<html><head><title>News</title></head><body><p>{STORY}</p></body></html>"),
        )
        web.route("news", "/missing", Route(status=404, body=b"<h1>Not Found</h1>"))
        yield web


def client_for(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def capture(client: Client, source: Any, **extra: str) -> Any:
    return client.post(reverse("source_capture_now"), {"source": source, **extra})


def said(response: Any) -> list[str]:
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


def test_an_editor_captures_a_source_from_the_report(web: LocalWeb, users: Any) -> None:
    source = SourceFactory(title="Cables story", url=web.url("news", "/story"))
    client = client_for(users.editor)

    first = capture(client, source.pk)
    again = capture(client, source.pk)

    assert first.status_code == 302 and first["Location"] == reverse("source_health")
    snapshot = source.snapshots.get()
    assert (snapshot.status, snapshot.url) == (200, source.url)
    assert STORY[:40] in snapshot.text
    assert said(first) == ["Captured ‘Cables story’: a new snapshot was stored."]
    assert said(again)[-1] == (
        "‘Cables story’ is unchanged since its latest snapshot; nothing new was stored."
    )
    assert source.snapshots.count() == 1


def test_a_failed_capture_says_why(web: LocalWeb, users: Any) -> None:
    source = SourceFactory(title="Lost story", url=web.url("news", "/missing"))

    response = capture(client_for(users.editor), source.pk)

    assert response.status_code == 302
    assert said(response) == [
        "Capture of ‘Lost story’ failed: The server answered 404 Not Found, not the page."
    ]
    assert not source.snapshots.exists()


def test_an_author_may_not_capture(web: LocalWeb, users: Any) -> None:
    source = SourceFactory(url=web.url("news", "/story"))

    response = capture(client_for(users.author), source.pk)

    assert response.status_code == 403
    assert not Snapshot.objects.exists()


@pytest.mark.parametrize("bad", ["", "abc", "-1", "99999999", "9" * 30, "１２"])
def test_a_bad_source_id_gives_a_message_not_an_error(users: Any, bad: str) -> None:
    response = capture(client_for(users.editor), bad)

    assert response.status_code == 302
    assert said(response)[0].startswith("No such source")


def test_a_source_without_a_web_url_is_not_captured(users: Any) -> None:
    source = SourceFactory(url="")

    response = capture(client_for(users.editor), source.pk)

    assert response.status_code == 302
    assert said(response) == ["No such source with a web link to capture."]


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_with_a_worker_capture_now_queues_one_job_and_says_it_started(
    web: LocalWeb, users: Any
) -> None:
    source = SourceFactory(title="Cables story", url=web.url("news", "/story"))
    client = client_for(users.editor)

    first = capture(client, source.pk)
    again = capture(client, source.pk)

    assert said(first) == [
        "Capture of ‘Cables story’ started; the snapshot appears when it has run."
    ]
    assert said(again)[-1] == (
        "Capture of ‘Cables story’ is already waiting; the snapshot appears when it has run."
    )
    captures = DBTaskResult.objects.filter(task_path=capture_source_task.module_path)
    assert [job.args_kwargs["args"] for job in captures] == [[source.pk]]
    assert not source.snapshots.exists()


def test_capture_now_wants_a_post_with_a_csrf_token(web: LocalWeb, users: Any) -> None:
    source = SourceFactory(url=web.url("news", "/story"))
    client = client_for(users.editor, enforce_csrf_checks=True)

    as_get = client.get(reverse("source_capture_now"), {"source": source.pk})
    without_token = capture(client, source.pk)

    assert as_get.status_code == 405
    assert without_token.status_code == 403
    assert not Snapshot.objects.exists()


def test_capture_goes_back_to_the_report_page_it_came_from_but_not_elsewhere(
    web: LocalWeb, users: Any
) -> None:
    source = SourceFactory(url=web.url("news", "/missing"))
    client = client_for(users.editor)
    here = reverse("source_health") + "?state=gone"

    local = capture(client, source.pk, next=here)
    away = capture(client, source.pk, next="https://evil.example/")

    assert local["Location"] == here
    assert away["Location"] == reverse("source_health")


def row_of(html: str, source: Source) -> str:
    found = re.search(rf'<tr data-source="{source.pk}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row for {source.pk}"
    return found.group(1)


def test_each_row_has_capture_now_and_its_latest_snapshot_linked_only_when_public(
    site_tree: Any, users: Any
) -> None:
    public = SourceFactory(title="Cited story")
    private = SourceFactory(title="Uncited story")
    never = SourceFactory(title="New story")
    make_brief(site_tree, body=[("paragraph", f"<p>{cite(public)}</p>")])
    make_snapshot(public, STORY, days_ago=5)
    latest = make_snapshot(public, STORY, days_ago=1)
    hidden = make_snapshot(private, STORY)

    html = client_for(users.editor).get(reverse("source_health")).content.decode()

    cited = row_of(html, public)
    assert f'<a href="{reverse("sources:archive", args=[public.pk, latest.pk])}">' in cited
    assert f"{timezone.localtime(latest.captured_at):%Y-%m-%d %H:%M}" in cited
    uncited = row_of(html, private)
    assert f"{timezone.localtime(hidden.captured_at):%Y-%m-%d %H:%M}" in uncited
    assert "/archive/" not in uncited
    for row in (cited, uncited, row_of(html, never)):
        assert f'action="{reverse("source_capture_now")}"' in row
        assert "Capture now</button>" in row


def test_the_report_costs_the_same_queries_for_one_source_or_many(
    site_tree: Any, users: Any
) -> None:
    client = client_for(users.editor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("source_health")).status_code == 200
        return len(captured)

    first = SourceFactory()
    make_brief(site_tree, body=[("paragraph", f"<p>{cite(first)}</p>")])
    make_snapshot(first, STORY)
    queries()  # the first request also fills the site-structure cache (core.sitecache)
    one = queries()
    more = SourceFactory.create_batch(4)
    make_brief(
        site_tree,
        title="Another brief",
        body=[("paragraph", "<p>" + " ".join(cite(s) for s in more) + "</p>")],
    )
    for source in more:
        make_snapshot(source, STORY)
    many = queries()

    assert one == many


# --- the source's edit page -----------------------------------------------------------------


def test_the_edit_page_lists_snapshots_and_captures_back_to_itself(
    web: LocalWeb, site_tree: Any, users: Any
) -> None:
    source = SourceFactory(title="Cables story", url=web.url("news", "/story"))
    make_brief(site_tree, body=[("paragraph", f"<p>{cite(source)}</p>")])
    old = make_snapshot(source, STORY, days_ago=3)
    edit = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
    client = client_for(users.editor)

    html = client.get(edit).content.decode()
    action = re.search(r'<button[^>]*formaction="([^"]+)"[^>]*>Capture now</button>', html)
    assert action, "no Capture now button"
    url = action.group(1).replace("&amp;", "&")
    captured = client.post(url, {"source": source.pk, "title": "edited, not saved"})
    after = client.get(edit).content.decode()

    assert f'data-snapshot="{old.pk}"' in html
    assert reverse("sources:archive", args=[source.pk, old.pk]) in html
    assert reverse("sources:archive_warc", args=[source.pk, old.pk]) in html
    assert captured["Location"] == edit
    new = source.snapshots.exclude(pk=old.pk).get()
    assert f'data-snapshot="{new.pk}"' in after
    assert Source.objects.get(pk=source.pk).title == "Cables story"


def test_the_edit_page_of_an_uncited_source_links_no_copy_and_authors_get_no_button(
    users: Any,
) -> None:
    source = SourceFactory()
    snapshot = make_snapshot(source, STORY)
    edit = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])

    as_editor = client_for(users.editor).get(edit).content.decode()
    as_author = client_for(users.author).get(edit)

    assert f'data-snapshot="{snapshot.pk}"' in as_editor
    assert "/archive/" not in as_editor
    assert "Capture now</button>" in as_editor
    assert as_author.status_code == 200
    assert f'data-snapshot="{snapshot.pk}"' in as_author.content.decode()
    assert "Capture now</button>" not in as_author.content.decode()

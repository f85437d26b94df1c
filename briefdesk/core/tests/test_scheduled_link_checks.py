"""The scheduler's daily link check (run_scheduler --links-at): once its local hour has come it
checks every source's link, against a real local web, once a day however often the scheduler
restarts; with the database task backend it queues one job for the worker instead; "off"
turns it off and a bad value is refused in one line."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.core.models import ScheduledRun
from briefdesk.sources.models import LinkCheck, Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as web:
        web.route("news", "/fine", Route.html("<title>News</title><p>Still here.</p>"))
        web.route("news", "/missing", Route(status=404, body=b"<h1>Not Found</h1>"))
        yield web


@pytest.fixture
def sources(web: LocalWeb) -> list[Source]:
    return [
        SourceFactory(url=web.url("news", "/fine")),
        SourceFactory(url=web.url("news", "/missing")),
        SourceFactory(url=""),  # a cable: no link, never checked
    ]


def scheduler(*args: str) -> str:
    out = io.StringIO()
    call_command("run_scheduler", "--once", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_once_its_hour_has_come_every_link_is_checked_and_a_restart_does_not_check_again(
    web: LocalWeb, sources: list[Source]
) -> None:
    first = scheduler("--links-at", "00:00")

    assert "checked 2 link(s): 1 ok, 1 gone" in first
    assert sorted(LinkCheck.objects.values_list("state", flat=True)) == ["gone", "ok"]
    today = timezone.localdate()
    assert list(ScheduledRun.objects.values_list("job", "day")) == [("check_links", today)]
    asked = len(web.requests_to("news"))

    # The scheduler restarts (a deploy, a crash) later the same day: nothing is checked again.
    assert scheduler("--links-at", "00:00") == ""
    assert scheduler("--links-at", "00:05") == ""
    assert LinkCheck.objects.count() == 2
    assert len(web.requests_to("news")) == asked


def test_yesterdays_run_does_not_stand_for_today(web: LocalWeb, sources: list[Source]) -> None:
    ScheduledRun.objects.create(job="check_links", day=timezone.localdate() - dt.timedelta(days=1))

    assert "checked 2 link(s)" in scheduler("--links-at", "00:00")
    assert ScheduledRun.objects.filter(day=timezone.localdate()).count() == 1


def test_before_its_hour_and_when_off_nothing_is_checked(
    web: LocalWeb, sources: list[Source]
) -> None:
    if timezone.localtime().time() >= dt.time(23, 58):
        pytest.skip("too close to midnight for a later hour today")

    assert scheduler("--links-at", "23:59") == ""
    assert scheduler("--links-at", "off") == ""
    assert scheduler("--links-at", "OFF") == ""
    assert not LinkCheck.objects.exists()
    assert not ScheduledRun.objects.exists()
    assert web.requests_to("news") == []


@override_settings(TASKS=DATABASE_TASKS)
def test_with_the_database_backend_one_job_is_queued_for_the_worker(
    web: LocalWeb, sources: list[Source]
) -> None:
    from django_tasks_db.models import DBTaskResult

    from briefdesk.sources.linkhealth import check_all_task

    assert "queued the daily link check for the worker" in scheduler("--links-at", "00:00")
    assert scheduler("--links-at", "00:00") == ""

    jobs = DBTaskResult.objects.filter(task_path=check_all_task.module_path)
    assert jobs.count() == 1
    assert not LinkCheck.objects.exists()  # the worker does the checking
    # What the worker runs: the job itself, which checks every link and counts the states.
    assert check_all_task.call() == {"ok": 1, "gone": 1}
    assert LinkCheck.objects.count() == 2


@pytest.mark.parametrize("value", ["25:00", "12:60", "3pm", "3", "", "noon", "12:5"])
def test_a_bad_links_at_is_refused_in_one_line(value: str) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("run_scheduler", "--once", "--links-at", value)

    message = str(refused.value)
    assert message == (f"--links-at must be HH:MM (24-hour, local time) or off, not {value!r}")
    assert "\n" not in message
    assert not ScheduledRun.objects.exists()

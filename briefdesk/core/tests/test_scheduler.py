"""`briefdesk scheduler` (run_scheduler): scheduled briefs go live when their time comes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import make_brief, make_site_tree

pytestmark = pytest.mark.django_db


def test_a_brief_whose_go_live_time_has_passed_is_published_by_one_run() -> None:
    tree = make_site_tree()
    brief = make_brief(tree, title="Scheduled Brief", publish=False)
    brief.go_live_at = timezone.now() + dt.timedelta(hours=1)
    revision = brief.save_revision(approved_go_live_at=brief.go_live_at)
    revision.publish()  # with a future go-live this schedules instead of publishing
    brief.refresh_from_db()
    assert not brief.live
    # The time comes: move it into the past rather than waiting.
    past = timezone.now() - dt.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()

    out = io.StringIO()
    call_command("run_scheduler", "--once", "--links-at", "off", stdout=out)

    brief.refresh_from_db()
    assert brief.live
    assert "published 1 scheduled revision(s)" in out.getvalue()


def test_a_run_with_nothing_due_prints_nothing_and_publishes_nothing() -> None:
    tree = make_site_tree()
    brief = make_brief(tree, title="Not Yet", publish=False)
    brief.go_live_at = timezone.now() + dt.timedelta(days=1)
    revision = brief.save_revision(approved_go_live_at=brief.go_live_at)
    revision.publish()

    out = io.StringIO()
    call_command("run_scheduler", "--once", "--links-at", "off", stdout=out)

    brief.refresh_from_db()
    assert not brief.live
    assert out.getvalue() == ""


def test_an_interval_below_one_second_is_refused_with_a_one_line_reason() -> None:
    with pytest.raises(CommandError, match="--interval must be at least 1 second, not 0"):
        call_command("run_scheduler", "--interval", "0", "--once")

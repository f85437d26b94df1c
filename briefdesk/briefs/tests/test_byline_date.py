"""The byline date of a brief whose publication date was left empty is the day it goes live:
its go-live date when an editor scheduled it (Wagtail's publish_scheduled), else the day it
was published; a date set by hand always wins."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import Revision

from tests.factories import make_author, make_brief, make_site_tree

pytestmark = pytest.mark.django_db

GO_LIVE = timezone.make_aware(dt.datetime(2011, 5, 2, 9, 30))


def schedule(brief, go_live_at: dt.datetime) -> Revision:
    """Schedule the brief as the editor's Publish button does with a go-live date set."""
    brief.go_live_at = go_live_at
    revision = brief.save_revision()
    revision.publish()
    return revision


def let_time_pass_to(revision: Revision, go_live_at: dt.datetime) -> None:
    """Make the scheduled moment a past one, as if we had waited for it: in the revision
    (what Wagtail publishes) and in its approval (what publish_scheduled looks for)."""
    content = dict(revision.content, go_live_at=go_live_at.isoformat())
    Revision.objects.filter(pk=revision.pk).update(content=content, approved_go_live_at=go_live_at)


def byline(brief) -> str:
    return Client().get(brief.url).content.decode()


@pytest.fixture
def tree():
    return make_site_tree()


def test_a_scheduled_brief_without_a_date_takes_its_go_live_date(tree) -> None:
    brief = make_brief(tree, authors=[make_author(tree)], date=None, publish=False)
    revision = schedule(brief, timezone.now() + dt.timedelta(days=3))
    brief.refresh_from_db()
    assert not brief.live
    assert brief.date is None

    let_time_pass_to(revision, GO_LIVE)
    call_command("publish_scheduled", stdout=io.StringIO())

    brief.refresh_from_db()
    assert brief.live
    assert brief.date == dt.date(2011, 5, 2)
    assert '<time datetime="2011-05-02">May 2, 2011</time>' in byline(brief)
    assert "2011" in brief.citations["apa"]["bibliography"]


def test_a_date_set_by_hand_is_kept_when_the_brief_goes_live_as_scheduled(tree) -> None:
    brief = make_brief(tree, date=dt.date(2011, 4, 30), publish=False)
    revision = schedule(brief, timezone.now() + dt.timedelta(days=3))

    let_time_pass_to(revision, GO_LIVE)
    call_command("publish_scheduled", stdout=io.StringIO())

    brief.refresh_from_db()
    assert brief.live
    assert brief.date == dt.date(2011, 4, 30)


def test_a_brief_published_at_once_without_a_date_takes_the_day_it_was_published(tree) -> None:
    brief = make_brief(tree, date=None)

    assert brief.date == timezone.localdate()


def test_publishing_again_keeps_the_day_it_first_went_live(tree) -> None:
    brief = make_brief(tree, date=None, publish=False)
    revision = schedule(brief, timezone.now() + dt.timedelta(days=3))
    let_time_pass_to(revision, GO_LIVE)
    call_command("publish_scheduled", stdout=io.StringIO())

    brief.refresh_from_db()
    brief.title = "A Corrected Title"
    latest = brief.save_revision()
    # The editor's form still holds the empty date of the revision it was opened from.
    latest_page = latest.as_object()
    latest_page.date = None
    latest_page.save_revision().publish()

    brief.refresh_from_db()
    assert brief.title == "A Corrected Title"
    assert brief.date == dt.date(2011, 5, 2)


def test_a_draft_without_a_date_previews_its_go_live_date(tree) -> None:
    brief = make_brief(tree, date=None, publish=False)
    brief.go_live_at = timezone.make_aware(dt.datetime(2031, 1, 15, 8, 0))

    assert brief.byline_date == dt.date(2031, 1, 15)
    assert brief.to_csl()["issued"] == {"date-parts": [[2031, 1, 15]]}

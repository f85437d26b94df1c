"""Reports › Scheduled: briefs waiting to go live, with the go-live time, authors and who
scheduled them; editors see every one, an author their own only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.factories import make_author, make_brief

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def schedule(page: Any, editor: Any, days: int) -> dt.datetime:
    go_live_at = timezone.now() + dt.timedelta(days=days)
    page.go_live_at = go_live_at
    page.save_revision(user=editor).publish(user=editor)
    return go_live_at


@pytest.fixture
def scheduled(site_tree: Any, users: Any) -> dict[str, Any]:
    users.editor.first_name, users.editor.last_name = "Bob", "Editor"
    users.editor.save()
    jay = make_author(site_tree)
    own = make_brief(
        site_tree,
        title="The Authors Scheduled Brief",
        authors=[jay],
        publish=False,
        live=False,
        owner=users.author,
    )
    other = make_brief(
        site_tree,
        title="Someone Elses Scheduled Brief",
        authors=[jay],
        publish=False,
        live=False,
        owner=users.editor,
    )
    # Live, with a new revision scheduled to replace it.
    live = make_brief(site_tree, title="A Live Brief", authors=[jay], owner=users.editor)
    live.title = "A Live Brief, Revised"
    make_brief(site_tree, title="Not Scheduled At All", owner=users.author)
    return {
        "own": (own, schedule(own, users.editor, days=2)),
        "other": (other, schedule(other, users.editor, days=4)),
        "live": (live, schedule(live, users.editor, days=6)),
    }


def report(client: Client) -> str:
    response = client.get(reverse("brief_scheduled_report"))
    assert response.status_code == 200
    return text_of(response.content.decode())


def test_the_report_lists_scheduled_briefs_with_go_live_authors_and_scheduler(
    client: Client, users: Any, scheduled: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    text = report(client)
    for page, go_live_at in scheduled.values():
        assert page.get_admin_display_title() in text
        assert date_format(timezone.localtime(go_live_at), "DATETIME_FORMAT") in text
    assert "Not Scheduled At All" not in text
    assert "Jayshree Bajoria" in text
    assert "Bob Editor" in text
    # soonest first
    assert text.index("The Authors Scheduled") < text.index("Someone Elses Scheduled")


def test_a_brief_leaves_the_report_once_it_goes_live(
    client: Client, users: Any, scheduled: dict[str, Any]
) -> None:
    page, _when = scheduled["own"]
    page.refresh_from_db()
    page.go_live_at = None  # an editor publishes it now instead
    page.save_revision(user=users.editor).publish(user=users.editor)
    client.force_login(users.editor)
    assert "The Authors Scheduled Brief" not in report(client)


def test_an_author_sees_only_their_own_scheduled_briefs(
    client: Client, users: Any, scheduled: dict[str, Any]
) -> None:
    client.force_login(users.author)
    text = report(client)
    assert "The Authors Scheduled Brief" in text
    assert "Someone Elses" not in text
    assert "A Live Brief" not in text
    export = client.get(reverse("brief_scheduled_report"), {"export": "csv"})
    assert export.status_code == 200
    body = export.getvalue().decode()
    assert "The Authors Scheduled Brief" in body
    assert "Someone Elses" not in body


def test_the_reports_menu_offers_scheduled_to_editors_and_authors_with_briefs(
    client: Client, users: Any, scheduled: dict[str, Any]
) -> None:
    for user in (users.editor, users.author):
        client.force_login(user)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        assert reverse("brief_scheduled_report") in html


def test_a_reader_cannot_open_the_report(client: Client, users: Any) -> None:
    client.force_login(users.reader)
    assert client.get(reverse("brief_scheduled_report")).status_code in (302, 403)

"""The Briefs listing in the admin (menu "Briefs") and the explorer under the Briefs index:
each brief's own type ("Op-Ed"), its authors, status, publication date, go-live time and last
update; filters by type and status; an author sees their own briefs only."""

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


def schedule(page: Any, editor: Any, days: int = 3) -> dt.datetime:
    """Publish `page`'s latest content with a go-live time `days` from now."""
    go_live_at = timezone.now() + dt.timedelta(days=days)
    page.go_live_at = go_live_at
    page.save_revision(user=editor).publish(user=editor)
    return go_live_at


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def briefs(site_tree: Any, users: Any) -> dict[str, Any]:
    jay = make_author(site_tree)
    ann = make_author(site_tree, "Ann", "Zhou")
    return {
        "op_ed": make_brief(
            site_tree,
            title="Why Ports Matter",
            brief_type="Op-Ed",
            authors=[jay, ann],
            owner=users.author,
        ),
        "analysis": make_brief(
            site_tree,
            title="Grain Corridors Explained",
            brief_type="Analysis Brief",
            authors=[ann],
            owner=users.editor,
        ),
        "draft": make_brief(
            site_tree,
            title="An Editors Unfinished Draft",
            brief_type="Backgrounder",
            authors=[jay],
            publish=False,
            live=False,
            owner=users.editor,
        ),
    }


def listing(client: Client, **params: str) -> str:
    response = client.get(reverse("briefs:index"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_listing_shows_each_briefs_type_authors_and_dates(
    client: Client, users: Any, briefs: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    html = listing(client)
    text = text_of(html)
    assert "Op-Ed" in text and "Analysis Brief" in text and "Backgrounder" in text
    assert "Brief page" not in text
    assert "Jayshree Bajoria and Ann Zhou" in text or "Jayshree Bajoria, Ann Zhou" in text
    for heading in ("Type", "Authors", "Status", "Publication date", "Go-live", "Updated"):
        assert heading in text
    # The byline's date as a date, not "15 years ago".
    dated = next(b for b in briefs.values() if b.date)
    assert date_format(dated.date, "j M Y") in text


def test_the_listing_shows_the_go_live_time_of_a_scheduled_brief(
    client: Client, users: Any, briefs: dict[str, Any]
) -> None:
    go_live_at = schedule(briefs["draft"], users.editor, days=5)
    client.force_login(users.editor)
    text = text_of(listing(client))
    assert date_format(timezone.localtime(go_live_at), "DATETIME_FORMAT") in text
    # only the scheduled brief has a go-live time
    assert text_of(listing(client, status="scheduled")).count("Unfinished Draft") == 1
    assert "Why Ports Matter" not in text_of(listing(client, status="scheduled"))


def test_the_listing_filters_by_type(client: Client, users: Any, briefs: dict[str, Any]) -> None:
    client.force_login(users.editor)
    text = text_of(listing(client, brief_type="Op-Ed"))
    assert "Why Ports Matter" in text
    assert "Grain Corridors" not in text
    assert "Unfinished Draft" not in text


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        ("live", "Why Ports Matter", "Unfinished Draft"),
        ("draft", "Unfinished Draft", "Why Ports Matter"),
    ],
)
def test_the_listing_filters_by_status(
    client: Client, users: Any, briefs: dict[str, Any], status: str, shown: str, hidden: str
) -> None:
    client.force_login(users.editor)
    text = text_of(listing(client, status=status))
    assert shown in text
    assert hidden not in text


def test_an_unknown_filter_value_is_a_form_error_not_a_500(
    client: Client, users: Any, briefs: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    response = client.get(reverse("briefs:index"), {"status": "nonsense", "brief_type": "x"})
    assert response.status_code == 200


def test_an_author_sees_only_their_own_briefs(
    client: Client, users: Any, briefs: dict[str, Any]
) -> None:
    client.force_login(users.author)
    text = text_of(listing(client))
    assert "Why Ports Matter" in text
    assert "Unfinished Draft" not in text
    assert "Grain Corridors" not in text
    results = client.get(reverse("briefs:index_results"), {"q": "Draft"}).content.decode()
    assert "Unfinished Draft" not in results


def test_a_reader_cannot_open_the_listing(client: Client, users: Any) -> None:
    client.force_login(users.reader)
    response = client.get(reverse("briefs:index"))
    assert response.status_code in (302, 403)


def test_the_briefs_menu_item_leads_to_the_listing(client: Client, users: Any) -> None:
    client.force_login(users.author)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("briefs:index") in html


def test_the_explorer_under_the_briefs_index_shows_the_briefs_type(
    client: Client, site_tree: Any, users: Any, briefs: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    response = client.get(reverse("wagtailadmin_explore", args=[site_tree.briefs.pk]))
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Op-Ed" in text and "Analysis Brief" in text
    assert "Brief page" not in text
    ordered = client.get(
        reverse("wagtailadmin_explore", args=[site_tree.briefs.pk]), {"ordering": "brief_type"}
    )
    assert ordered.status_code == 200


def test_the_explorer_under_the_briefs_index_shows_an_author_their_own_briefs_only(
    client: Client, site_tree: Any, users: Any, briefs: dict[str, Any]
) -> None:
    client.force_login(users.author)
    url = reverse("wagtailadmin_explore", args=[site_tree.briefs.pk])
    text = text_of(client.get(url).content.decode())
    assert "Why Ports Matter" in text
    assert "Unfinished Draft" not in text
    searched = text_of(client.get(url, {"q": "Draft", "search_all": "1"}).content.decode())
    assert "Unfinished Draft" not in searched


def test_the_listing_finds_briefs_in_review_and_sorts_by_every_column(
    client: Client, users: Any, briefs: dict[str, Any]
) -> None:
    draft = briefs["draft"]
    draft.get_workflow().start(draft, users.editor)
    client.force_login(users.editor)
    text = text_of(listing(client, status="in_review"))
    assert "Unfinished Draft" in text
    assert "Why Ports Matter" not in text
    for key in ("title", "brief_type", "live", "date", "scheduled_go_live_at"):
        for ordering in (key, f"-{key}"):
            assert "Why Ports Matter" in text_of(listing(client, ordering=ordering))
    by_type = text_of(listing(client, ordering="brief_type"))
    assert by_type.index("Grain Corridors") < by_type.index("Why Ports Matter")

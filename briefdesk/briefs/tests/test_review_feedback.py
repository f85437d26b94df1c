"""Review between author and editor: the author sees a change request (who, when and the
comment) on the dashboard and in the editor; approving from the dashboard asks first, says
what will happen, and afterwards says what happened."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from briefdesk.core.roles import AUTHORS
from tests.factories import PASSWORD, make_author, make_brief

pytestmark = pytest.mark.django_db

COMMENT = "Cite the IMF's last staff review before the second claim."
XHR: dict[str, Any] = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def submit(page: Any, user: Any) -> Any:
    """Submit `page` for review as `user`; the editors' task state it now waits on."""
    page.get_workflow().start(page, user)
    return page.current_workflow_state.current_task_state


def action_url(page: Any, action: str, task_state: Any) -> str:
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


@pytest.fixture
def world(site_tree: Any, users: Any) -> dict[str, Any]:
    users.editor.first_name, users.editor.last_name = "Bob", "Editor"
    users.editor.save()
    jay = make_author(site_tree)
    brief = make_brief(
        site_tree,
        title="Ports and Power",
        authors=[jay],
        publish=False,
        live=False,
        owner=users.author,
    )
    return {"brief": brief, "task_state": submit(brief, users.author), "jay": jay}


def request_changes(client: Client, users: Any, page: Any, task_state: Any) -> Any:
    client.force_login(users.editor)
    return client.post(
        action_url(page, "reject", task_state),
        {"comment": COMMENT, "next": reverse("wagtailadmin_home")},
        follow=True,
    )


# --- the author sees the change request --------------------------------------------------


def test_the_author_sees_the_change_request_on_the_dashboard_with_reviewer_date_and_comment(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    request_changes(client, users, world["brief"], world["task_state"])
    client.force_login(users.author)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = html[html.index("Changes requested on your briefs") :]
    text = text_of(panel)
    assert "Ports and Power" in text
    assert "Bob Editor" in text
    assert "Cite the IMF&#x27;s last staff review" in panel or COMMENT in text
    assert reverse("wagtailadmin_pages:edit", args=[world["brief"].pk]) in panel


def test_the_author_sees_the_change_request_in_the_editor(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    request_changes(client, users, world["brief"], world["task_state"])
    client.force_login(users.author)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[world["brief"].pk]))
    assert response.status_code == 200
    text = text_of(response.content.decode()).replace("&#x27;", "'")
    assert "Bob Editor requested changes on" in text
    assert COMMENT in text


def test_the_change_request_goes_once_the_author_submits_again(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    request_changes(client, users, world["brief"], world["task_state"])
    world["brief"].current_workflow_state.resume(user=users.author)
    client.force_login(users.author)
    assert "Changes requested on your briefs" not in text_of(
        client.get(reverse("wagtailadmin_home")).content.decode()
    )
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[world["brief"].pk]))
    assert COMMENT not in text_of(edit.content.decode()).replace("&#x27;", "'")


def test_an_author_does_not_see_change_requests_on_another_authors_brief(
    client: Client, site_tree: Any, users: Any, world: dict[str, Any]
) -> None:
    other = get_user_model().objects.create_user("dora", "dora@example.org", PASSWORD)
    other.groups.add(Group.objects.get(name=AUTHORS))
    theirs = make_brief(site_tree, title="Doras Own Draft", publish=False, live=False, owner=other)
    request_changes(client, users, theirs, submit(theirs, other))
    client.force_login(users.author)
    text = text_of(client.get(reverse("wagtailadmin_home")).content.decode())
    assert "Doras Own Draft" not in text


# --- the editor approves from the dashboard ----------------------------------------------


def test_every_review_action_on_the_dashboard_opens_a_confirmation_first(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    buttons = re.findall(r"<button data-workflow-action-url=[^>]*>[^<]*</button>", html)
    assert [b.rsplit(">", 2)[-2].split("<")[0] for b in buttons] == ["Request changes", "Approve"]
    assert all("data-launch-modal" in button for button in buttons)


def test_the_confirmation_says_the_brief_will_be_published_now(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    response = client.get(action_url(world["brief"], "approve", world["task_state"]), **XHR)
    assert response.status_code == 200
    html = json.loads(response.content)["html"]
    assert "Approve ‘Ports and Power’?" in html
    assert "It will be published now." in html
    assert "Approve and publish" in html


def test_the_confirmation_says_when_a_scheduled_brief_will_go_live(
    client: Client, site_tree: Any, users: Any
) -> None:
    go_live_at = timezone.now() + dt.timedelta(days=3)
    brief = make_brief(
        site_tree,
        title="Tomorrows Brief",
        publish=False,
        live=False,
        owner=users.author,
        go_live_at=go_live_at,
    )
    task_state = submit(brief, users.author)
    client.force_login(users.editor)
    html = json.loads(client.get(action_url(brief, "approve", task_state), **XHR).content)["html"]
    when = date_format(timezone.localtime(go_live_at), "DATETIME_FORMAT")
    assert f"It will go live on {when}." in html
    assert "Approve and schedule" in html

    response = client.post(
        action_url(brief, "approve", task_state),
        {"comment": "", "next": reverse("wagtailadmin_home")},
        follow=True,
    )
    assert f"‘Tomorrows Brief’ approved and scheduled for {when}." in text_of(
        response.content.decode()
    )
    brief.refresh_from_db()
    assert not brief.live


def test_approving_says_the_brief_was_approved_and_published(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    response = client.post(
        action_url(world["brief"], "approve", world["task_state"]),
        {"comment": "Good to go.", "next": reverse("wagtailadmin_home")},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_home")
    assert "‘Ports and Power’ approved and published." in text_of(response.content.decode())
    world["brief"].refresh_from_db()
    assert world["brief"].live


def test_approving_in_the_modal_answers_json_and_the_message_waits_on_the_dashboard(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    client.force_login(users.editor)
    response = client.post(
        action_url(world["brief"], "approve", world["task_state"]),
        {"comment": "", "next": reverse("wagtailadmin_home")},
        **XHR,
    )
    assert json.loads(response.content)["step"] == "success"
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "‘Ports and Power’ approved and published." in text_of(dashboard)


def test_requesting_changes_says_so(client: Client, users: Any, world: dict[str, Any]) -> None:
    response = request_changes(client, users, world["brief"], world["task_state"])
    assert "Changes requested on ‘Ports and Power’" in text_of(response.content.decode())


def test_an_author_cannot_approve_their_own_brief(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    client.force_login(users.author)
    response = client.post(action_url(world["brief"], "approve", world["task_state"]), {})
    assert response.status_code in (302, 403)  # Wagtail's "permission denied" redirect
    assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
    world["brief"].refresh_from_db()
    assert not world["brief"].live

"""A brief's authors and topics are chosen with type-ahead choosers: a modal listing only
author pages (or topic guides), narrowed on the server as each letter is typed, instead of
Wagtail's page-tree chooser."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.admin.widgets import AdminPageChooser

from briefdesk.briefs.choosers import author_chooser_viewset, topic_chooser_viewset
from briefdesk.briefs.models import BriefPage
from tests.factories import make_author, make_brief, make_topic

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def people(site_tree: Any) -> dict[str, Any]:
    return {
        "jay": make_author(site_tree),
        "ann": make_author(site_tree, "Ann", "Zhou"),
        "pakistan": make_topic(site_tree, "Pakistan"),
        "ports": make_topic(site_tree, "Ports and Shipping", label="Explainer"),
        "brief": make_brief(site_tree, title="Baja Brief Not An Author"),
    }


def modal_html(response: Any) -> str:
    assert response.status_code == 200
    return json.loads(response.content)["html"]


def test_the_brief_form_uses_the_author_and_topic_choosers_not_the_page_tree() -> None:
    form_class = BriefPage.get_edit_handler().get_form_class()
    author = form_class.formsets["brief_authors"].form.base_fields["author"].widget
    topic = form_class.formsets["brief_topics"].form.base_fields["topic"].widget
    assert isinstance(author, author_chooser_viewset.widget_class)
    assert isinstance(topic, topic_chooser_viewset.widget_class)
    assert not isinstance(author, AdminPageChooser)
    # Pinned related briefs keep Wagtail's page chooser.
    related = form_class.formsets["related_pins"].form.base_fields["related"].widget
    assert isinstance(related, AdminPageChooser)


def test_the_add_brief_form_offers_choose_an_author(
    client: Client, site_tree: Any, users: Any
) -> None:
    client.force_login(users.author)
    url = reverse("wagtailadmin_pages:add", args=["briefs", "briefpage", site_tree.briefs.pk])
    html = client.get(url).content.decode()
    assert "Choose an author" in html
    assert reverse("brief_author_chooser:choose") in html
    assert reverse("brief_topic_chooser:choose") in html


def test_the_author_chooser_lists_author_pages_only(
    client: Client, users: Any, people: dict[str, Any]
) -> None:
    client.force_login(users.author)
    html = modal_html(client.get(reverse("brief_author_chooser:choose")))
    assert "Jayshree Bajoria" in html and "Ann Zhou" in html
    assert "Pakistan" not in html
    assert "Baja Brief" not in html
    assert 'id="id_q"' in html  # the search box the modal searches from as one types


@pytest.mark.parametrize(
    ("typed", "found", "not_found"),
    [
        ("baj", "Jayshree Bajoria", "Ann Zhou"),
        ("ZHO", "Ann Zhou", "Jayshree Bajoria"),
        ("ann zh", "Ann Zhou", "Jayshree Bajoria"),
        ("staff writer baj", "Jayshree Bajoria", "Ann Zhou"),
    ],
)
def test_typing_part_of_a_name_narrows_the_authors(
    client: Client, users: Any, people: dict[str, Any], typed: str, found: str, not_found: str
) -> None:
    client.force_login(users.author)
    response = client.get(reverse("brief_author_chooser:choose_results"), {"q": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert found in html
    assert not_found not in html


def test_typing_part_of_a_topic_narrows_the_topics(
    client: Client, users: Any, people: dict[str, Any]
) -> None:
    client.force_login(users.author)
    html = client.get(reverse("brief_topic_chooser:choose_results"), {"q": "paki"}).content
    assert b"Pakistan" in html
    assert b"Ports and Shipping" not in html
    by_label = client.get(reverse("brief_topic_chooser:choose_results"), {"q": "explainer"})
    assert b"Ports and Shipping" in by_label.content
    assert b"Pakistan" not in by_label.content


def test_choosing_an_author_returns_its_name(
    client: Client, users: Any, people: dict[str, Any]
) -> None:
    client.force_login(users.author)
    response = client.get(reverse("brief_author_chooser:chosen", args=[people["jay"].pk]))
    assert response.status_code == 200
    result = json.loads(response.content)["result"]
    assert result["id"] == str(people["jay"].pk)
    assert result["title"] == "Jayshree Bajoria"


@pytest.mark.parametrize("bad", ["abc", "1.5", "999999"])
def test_choosing_something_that_is_not_an_author_is_a_404(
    client: Client, users: Any, people: dict[str, Any], bad: str
) -> None:
    client.force_login(users.author)
    assert client.get(reverse("brief_author_chooser:chosen", args=[bad])).status_code == 404


def test_choosing_a_brief_as_an_author_is_a_404(
    client: Client, users: Any, people: dict[str, Any]
) -> None:
    client.force_login(users.author)
    url = reverse("brief_author_chooser:chosen", args=[people["brief"].pk])
    assert client.get(url).status_code == 404


def test_a_visitor_without_admin_access_cannot_open_the_chooser(client: Client, users: Any) -> None:
    client.force_login(users.reader)
    assert client.get(reverse("brief_author_chooser:choose")).status_code in (302, 403)

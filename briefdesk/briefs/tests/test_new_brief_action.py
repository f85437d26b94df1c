"""The dashboard's "New brief" button opens the add-brief form under the Briefs index in one
click, for everyone who may add a brief, and for no one else."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def add_brief_url(site_tree: Any) -> str:
    return reverse("wagtailadmin_pages:add", args=["briefs", "briefpage", site_tree.briefs.pk])


@pytest.mark.parametrize("who", ["author", "editor", "admin"])
def test_the_dashboard_offers_new_brief_to_whoever_may_add_one(
    client: Client, site_tree: Any, users: Any, who: str
) -> None:
    client.force_login(getattr(users, who))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f'<a href="{add_brief_url(site_tree)}"' in html
    assert "New brief" in html
    form = client.get(add_brief_url(site_tree))
    assert form.status_code == 200
    assert 'name="brief_authors-TOTAL_FORMS"' in form.content.decode()


def test_the_dashboard_offers_no_new_brief_to_staff_who_may_not_add_one(
    client: Client, site_tree: Any
) -> None:
    viewer = get_user_model().objects.create_user("vera", "vera@example.org", PASSWORD)
    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(viewer)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert add_brief_url(site_tree) not in html
    assert "New brief" not in html


def test_the_dashboard_works_before_there_is_a_briefs_index(client: Client, users: Any) -> None:
    client.force_login(users.editor)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert "New brief" not in response.content.decode()

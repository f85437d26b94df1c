"""Who may import references in the admin, checked through the real admin view with real
users: the stock Authors and Editors groups (briefdesk.core.roles) and roles made of single
permissions. Importing needs permission to add sources; an import that would rewrite an
existing source also needs permission to change and to publish sources, since it changes
what readers see without review. Without it the matching reference is an error, in the
preview and on confirm, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from briefdesk.sources.models import Source
from tests.factories import OutletFactory, SourceFactory, make_user_with_permissions

pytestmark = pytest.mark.django_db

URL = "import_references"
KNOWN_URL = "https://ledger.example/reactor-fuel"

# One reference matching the stored source (same URL) with a new title, and one new one.
REFERENCES = json.dumps(
    [
        {
            "id": "ledger-reactor",
            "type": "article-newspaper",
            "title": "Reactor Fuel Deal Collapses",
            "container-title": "Karachi Ledger",
            "author": [{"family": "Perlez", "given": "Jane"}],
            "issued": {"date-parts": [[2011, 2, 3]]},
            "URL": KNOWN_URL,
        },
        {
            "id": "new-report",
            "type": "report",
            "title": "A New Report on Fuel",
            "publisher": "Institute",
            "issued": {"date-parts": [[2011]]},
        },
    ]
)
NEW_ONLY = json.dumps([json.loads(REFERENCES)[1]])
REFUSED = "changing a published source needs an editor, so an editor must import this reference"


@pytest.fixture
def known() -> Source:
    return SourceFactory(
        outlet=OutletFactory(name="Karachi Ledger"),
        title="Cables Reveal Reactor Fuel Standoff",
        authors=[{"family": "Sanger", "given": "David"}],
        issued="2010-11-28",
        url=KNOWN_URL,
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def preview(client: Client, text: str = REFERENCES) -> Any:
    return client.post(reverse(URL), {"text": text, "format": "", "action": "preview"})


def confirm(client: Client, text: str = REFERENCES) -> Any:
    return client.post(reverse(URL), {"text": text, "format": "csl-json", "action": "import"})


def unchanged(source: Source) -> bool:
    row = Source.objects.get(pk=source.pk)
    return (row.title, row.authors, row.issued, row.formatted) == (
        source.title,
        source.authors,
        source.issued,
        source.formatted,
    )


# --- updating an existing source -------------------------------------------------------------


def test_an_editor_may_update_an_existing_source_by_import(users: Any, known: Source) -> None:
    response = confirm(signed_in(users.editor))

    assert response.status_code == 302
    row = Source.objects.get(pk=known.pk)
    assert row.title == "Reactor Fuel Deal Collapses"
    assert "Perlez" in row.formatted["apa"]["bibliography"]
    assert Source.objects.count() == 2


def test_an_author_is_told_in_the_preview_that_an_editor_must_import_a_change(
    users: Any, known: Source
) -> None:
    response = preview(signed_in(users.author))

    assert response.status_code == 200
    text = response.content.decode()
    assert f"matches source #{known.pk} (same URL): {REFUSED}" in text
    assert 'value="import"' not in text
    assert unchanged(known)


def test_an_author_cannot_update_an_existing_source_by_import(users: Any, known: Source) -> None:
    response = confirm(signed_in(users.author))

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert unchanged(known)
    assert Source.objects.count() == 1  # all or nothing: the new reference is not written


def test_an_author_may_import_new_sources(users: Any, known: Source) -> None:
    response = confirm(signed_in(users.author), NEW_ONLY)

    assert response.status_code == 302
    assert Source.objects.filter(title="A New Report on Fuel").exists()
    assert unchanged(known)


def test_a_user_who_may_add_but_not_change_sources_cannot_update_by_import(known: Source) -> None:
    user = make_user_with_permissions("adder", "sources.add_source", "sources.view_source")

    response = confirm(signed_in(user))

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert unchanged(known)
    assert Source.objects.count() == 1


def test_a_user_who_may_add_and_publish_but_not_change_sources_cannot_update_by_import(
    known: Source,
) -> None:
    user = make_user_with_permissions("publisher", "sources.add_source", "sources.publish_source")

    response = confirm(signed_in(user))

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert unchanged(known)


def test_a_user_who_may_add_change_and_publish_sources_may_update_by_import(
    known: Source,
) -> None:
    user = make_user_with_permissions(
        "deputy", "sources.add_source", "sources.change_source", "sources.publish_source"
    )

    response = confirm(signed_in(user))

    assert response.status_code == 302
    assert Source.objects.get(pk=known.pk).title == "Reactor Fuel Deal Collapses"


# --- importing at all ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "permissions",
    [
        (),
        ("sources.view_source",),
        ("sources.change_source", "sources.publish_source", "sources.view_source"),
    ],
    ids=["admin-access-only", "view", "change-and-publish"],
)
def test_a_user_who_may_not_add_sources_is_refused_with_403(
    known: Source, permissions: tuple[str, ...]
) -> None:
    client = signed_in(make_user_with_permissions("dana", *permissions))

    assert client.get(reverse(URL)).status_code == 403
    assert preview(client).status_code == 403
    assert confirm(client).status_code == 403
    assert confirm(client, NEW_ONLY).status_code == 403
    assert unchanged(known)
    assert Source.objects.count() == 1


@pytest.mark.parametrize("who", ["author", "editor"])
def test_authors_and_editors_may_open_the_import_screen(users: Any, who: str) -> None:
    response = signed_in(getattr(users, who)).get(reverse(URL))

    assert response.status_code == 200
    assert 'name="text"' in response.content.decode()

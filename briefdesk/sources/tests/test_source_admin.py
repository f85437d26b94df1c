"""Sources in Wagtail's admin: the snippet forms validate before anything is saved, authors are
edited as lines, every published save formats the source in every style, the rich-text chooser
finds sources, and each role may do only what it should. (Drafts and review of sources:
test_source_review.py.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from briefdesk.citations.styles import STYLES
from briefdesk.sources.models import Outlet, Source
from tests.factories import OutletFactory, SourceFactory, Users, make_users

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_sources_source:add"
EDIT = "wagtailsnippets_sources_source:edit"
DELETE = "wagtailsnippets_sources_source:delete"
CHOOSE = "wagtailsnippetchoosers_sources_source:choose"
CHOSEN = "wagtailsnippetchoosers_sources_source:chosen"
OUTLET_EDIT = "wagtailsnippets_sources_outlet:edit"


@dataclass
class World:
    users: Users
    outlet: Outlet
    source: Source
    pdf: Source


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        outlet = OutletFactory(name="The New York Times", short_label="NYT")
        yield World(
            users=make_users(),
            outlet=outlet,
            source=SourceFactory(outlet=outlet, title="Cables reveal reactor fuel standoff"),
            pdf=SourceFactory(kind="report", outlet=outlet, title="Aid report", medium="PDF"),
        )
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def editor_client(world: World, client: Any) -> Any:
    client.force_login(world.users.editor)
    return client


def source_form(world: World, **values: str) -> dict[str, str]:
    """What the add-source form posts for a valid news article."""
    data = {
        "kind": "news_article",
        "outlet": str(world.outlet.pk),
        "title": "Pakistan Condemns Leaks",
        "title_apa": "",
        "authors": "Bajoria, Jayshree",
        "issued": "2010-11-29",
        "accessed": "",
        "url": "https://www.nytimes.com/2010/11/29/world/asia/29pakistan.html",
        "number": "",
        "publisher": "",
        "publisher_place": "",
        "genre": "",
        "medium": "",
        "container_title": "",
        "label": "",
        "csl_extra": "{}",
    }
    data.update(values)
    return data


def post_source(client: Any, world: World, **values: str) -> Any:
    return client.post(reverse(ADD), source_form(world, **values))


# --- validation --------------------------------------------------------------------------


def test_a_valid_source_is_saved(world: World, editor_client: Any) -> None:
    response = post_source(editor_client, world)

    assert response.status_code == 302
    source = Source.objects.get(title="Pakistan Condemns Leaks")
    assert source.outlet == world.outlet
    assert source.issued == "2010-11-29"
    assert source.url == "https://www.nytimes.com/2010/11/29/world/asia/29pakistan.html"


@pytest.mark.parametrize(
    ("typed", "issued"),
    [
        ("2010", "2010"),
        ("2010-11", "2010-11"),
        ("2010-11-29", "2010-11-29"),
        ("", ""),
        ("29 November 2010", "2010-11-29"),
        ("Nov. 29, 2010", "2010-11-29"),
        ("November 2010", "2010-11"),
    ],
)
def test_it_accepts_a_full_partial_or_missing_date_typed_as_people_type_it(
    world: World, editor_client: Any, typed: str, issued: str
) -> None:
    response = post_source(editor_client, world, issued=typed)

    assert response.status_code == 302
    assert Source.objects.get(title="Pakistan Condemns Leaks").issued == issued


def field_errors(html: str, field: str) -> list[str]:
    """The error messages Wagtail shows under one field of the form."""
    block = re.search(rf'id="[^"]*-{field}-errors">(.*?)</div>', html, re.S)
    if block is None:
        return []
    return [
        " ".join(m.split())
        for m in re.findall(r'<p class="error-message">(.*?)</p>', block.group(1), re.S)
    ]


INVALID = [
    ("url", "not a url", "Enter a valid URL."),
    ("url", "ftp://files.example.org/report.pdf", "Enter a valid URL."),
    ("url", "javascript:alert(1)", "Enter a valid URL."),
    ("issued", "2010-13-45", "&#x27;2010-13-45&#x27; is not a real date"),
    ("issued", "2010-02-30", "&#x27;2010-02-30&#x27; is not a real date"),
    (
        "issued",
        "29/11/2010",
        "&#x27;29/11/2010&#x27; is not a date: type e.g. 27 November 2026, November 2026, "
        "2026 or 2026-11-27",
    ),
    (
        "issued",
        "Winter 2010",
        "&#x27;Winter 2010&#x27; is not a date: type e.g. 27 November 2026, November 2026, "
        "2026 or 2026-11-27",
    ),
    # An empty title is valid for an untitled work with an author (test_valid_references).
    ("title", "x" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
    ("authors", ", Jayshree", "Line 1: &#x27;, Jayshree&#x27; has no family name before the comma"),
    (
        "authors",
        "Bajoria, Jayshree\n{not json",
        "Line 2: &#x27;{not json&#x27; is not valid JSON for a name",
    ),
    ("csl_extra", '{"title": "Other"}', "Use the form&#x27;s own fields for: title."),
    (
        "csl_extra",
        '["page", "A1"]',
        "Enter a JSON object, e.g. {&quot;page&quot;: &quot;A1&quot;}.",
    ),
]


@pytest.mark.parametrize(("field", "value", "message"), INVALID)
def test_it_rejects_invalid_input_with_a_clear_message_on_the_field(
    world: World, editor_client: Any, field: str, value: str, message: str
) -> None:
    count = Source.objects.count()

    response = post_source(editor_client, world, **{field: value})

    assert response.status_code != 302
    assert field_errors(response.content.decode(), field) == [message]
    assert Source.objects.count() == count


def test_a_form_with_several_errors_reports_each_and_saves_nothing(
    world: World, editor_client: Any
) -> None:
    count = Source.objects.count()

    response = post_source(
        editor_client, world, title="", authors="", url="not a url", issued="2010-13-45"
    )

    html = response.content.decode()
    # An untitled work needs its author (test_valid_references).
    assert field_errors(html, "title") == [
        "Give a title, or for an untitled work (an interview, a letter) its author."
    ]
    assert field_errors(html, "url") == ["Enter a valid URL."]
    assert field_errors(html, "issued") == ["&#x27;2010-13-45&#x27; is not a real date"]
    assert Source.objects.count() == count


# --- authors as lines --------------------------------------------------------------------


def test_authors_are_stored_as_persons_and_organisations(world: World, editor_client: Any) -> None:
    post_source(
        editor_client,
        world,
        authors="Bajoria, Jayshree\nCouncil on Foreign Relations\n\nMadonna,\n",
    )

    source = Source.objects.get(title="Pakistan Condemns Leaks")
    assert source.authors == [
        {"family": "Bajoria", "given": "Jayshree"},
        {"literal": "Council on Foreign Relations"},
        {"family": "Madonna"},
    ]


def test_authors_are_shown_back_as_the_lines_that_were_typed(
    world: World, editor_client: Any
) -> None:
    lines = "Bajoria, Jayshree\nCouncil on Foreign Relations\nMadonna,"
    post_source(editor_client, world, authors=lines)
    source = Source.objects.get(title="Pakistan Condemns Leaks")

    html = editor_client.get(reverse(EDIT, args=[source.pk])).content.decode()

    textarea = re.search(r'<textarea name="authors"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert textarea is not None
    assert textarea.group(1) == lines


def test_a_name_with_a_particle_round_trips_as_csl_json(world: World, editor_client: Any) -> None:
    line = '{"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}'
    post_source(editor_client, world, authors=line)
    source = Source.objects.get(title="Pakistan Condemns Leaks")

    html = editor_client.get(reverse(EDIT, args=[source.pk])).content.decode()

    assert source.authors == [json.loads(line)]
    assert "&quot;non-dropping-particle&quot;: &quot;van&quot;" in html


# --- formatting on save ------------------------------------------------------------------


def test_saving_formats_and_stores_the_source_in_all_four_styles(
    world: World, editor_client: Any
) -> None:
    post_source(editor_client, world)

    source = Source.objects.get(title="Pakistan Condemns Leaks")
    assert set(source.formatted) == {"mla", "apa", "chicago-nb", "chicago-ad"} == set(STYLES)
    for style, formatted in source.formatted.items():
        assert "Bajoria" in formatted["bibliography"], style
        assert "Pakistan" in formatted["bibliography"], style
        assert formatted["bibliography_html"], style


def test_editing_a_source_formats_it_again(world: World, editor_client: Any) -> None:
    source = world.source
    data = source_form(
        world, title="Renamed cable story", authors="Sanger, David", **{"action-publish": "1"}
    )

    response = editor_client.post(reverse(EDIT, args=[source.pk]), data)

    assert response.status_code == 302
    formatted = Source.objects.get(pk=source.pk).formatted
    for style in STYLES:
        assert "Sanger" in formatted[style]["bibliography"], style
        assert "reactor" not in formatted[style]["bibliography"], style


def test_renaming_an_outlet_formats_its_sources_again(world: World, editor_client: Any) -> None:
    data = {
        "name": "The Gray Lady",
        "short_label": "NYT",
        "home_url": "https://www.nytimes.com/",
        "action-publish": "1",
    }

    response = editor_client.post(reverse(OUTLET_EDIT, args=[world.outlet.pk]), data)

    assert response.status_code == 302
    formatted = Source.objects.get(pk=world.source.pk).formatted
    assert "The Gray Lady" in formatted["chicago-nb"]["bibliography"]
    assert "New York Times" not in formatted["chicago-nb"]["bibliography"]


# --- the chooser -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["author", "editor", "admin"])
def test_staff_can_open_the_source_chooser(world: World, client: Any, who: str) -> None:
    client.force_login(getattr(world.users, who))

    response = client.get(reverse(CHOOSE))

    assert response.status_code == 200
    assert "Cables reveal reactor fuel standoff" in response.json()["html"]


@pytest.mark.parametrize("who", ["reader", "anonymous"])
def test_the_source_chooser_is_closed_to_visitors_without_admin_access(
    world: World, client: Any, who: str
) -> None:
    if who == "reader":
        client.force_login(world.users.reader)

    response = client.get(reverse(CHOOSE))

    assert response.status_code in (302, 403)
    assert "Cables reveal reactor fuel standoff" not in response.content.decode()


def test_the_chooser_searches_sources(world: World, editor_client: Any) -> None:
    results = reverse("wagtailsnippetchoosers_sources_source:choose_results")

    html = editor_client.get(results, {"q": "reactor"}).content.decode()

    assert "Cables reveal reactor fuel standoff" in html
    assert "Aid report" not in html


@pytest.mark.parametrize(("name", "label"), [("source", "NYT"), ("pdf", "PDF")])
def test_choosing_a_source_returns_the_label_the_brief_will_show(
    world: World, editor_client: Any, name: str, label: str
) -> None:
    source = getattr(world, name)

    response = editor_client.get(reverse(CHOSEN, args=[source.pk]))

    assert response.status_code == 200
    data = response.json()
    assert data["step"] == "chosen"
    assert data["result"]["id"] == str(source.pk)
    assert data["result"]["label"] == label
    assert data["result"]["title"] == str(source)


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["author", "editor"])
def test_authors_and_editors_can_add_sources(world: World, client: Any, who: str) -> None:
    client.force_login(getattr(world.users, who))

    assert client.get(reverse(ADD)).status_code == 200
    assert post_source(client, world).status_code == 302
    assert Source.objects.filter(title="Pakistan Condemns Leaks").exists()


@pytest.mark.parametrize("who", ["reader", "anonymous"])
def test_visitors_without_admin_access_cannot_add_sources(
    world: World, client: Any, who: str
) -> None:
    if who == "reader":
        client.force_login(world.users.reader)

    assert client.get(reverse(ADD)).status_code == 302
    assert post_source(client, world).status_code == 302
    assert not Source.objects.filter(title="Pakistan Condemns Leaks").exists()


def test_an_editor_can_delete_a_source(world: World, editor_client: Any) -> None:
    response = editor_client.post(reverse(DELETE, args=[world.pdf.pk]))

    assert response.status_code == 302
    assert not Source.objects.filter(pk=world.pdf.pk).exists()


def test_an_author_cannot_delete_a_source(world: World, client: Any) -> None:
    client.force_login(world.users.author)

    response = client.post(reverse(DELETE, args=[world.pdf.pk]))

    assert response.status_code in (302, 403)
    assert Source.objects.filter(pk=world.pdf.pk).exists()

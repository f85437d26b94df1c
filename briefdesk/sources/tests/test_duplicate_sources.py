"""Creating a source by hand (the Sources add screen, the chooser's create form) warns when a
source with the same URL, DOI, or title and date exists: a form error names each one, linked
to its admin page, with a "Create anyway" box that appears with the error; ticking it saves.
Editing an existing source never asks."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from briefdesk.sources.duplicates import Identifying, find_duplicates
from briefdesk.sources.forms import SourceChooserCreateForm
from briefdesk.sources.models import Source
from tests.factories import OutletFactory, SourceFactory, make_users

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_sources_source:add"
CHOOSER_CREATE = "wagtailsnippetchoosers_sources_source:create"
EDIT = "wagtailsnippets_sources_source:edit"
STORED_URL = "https://www.reuters.com/world/envoy-recalled/"


@pytest.fixture
def stored() -> Source:
    return SourceFactory(
        outlet=OutletFactory(name="Reuters"),
        title="Envoy recalled after cable leak",
        issued="2010-11-29",
        url=STORED_URL,
        csl_extra={"DOI": "https://doi.org/10.1000/Envoy.2010"},
    )


# --- the rules -----------------------------------------------------------------------------

SAME = [
    ({"url": "http://reuters.com/world/envoy-recalled#top"}, ["URL"]),
    ({"url": "https://WWW.Reuters.com/world/envoy-recalled"}, ["URL"]),
    ({"doi": "10.1000/envoy.2010"}, ["DOI"]),
    ({"doi": "https://dx.doi.org/10.1000/ENVOY.2010"}, ["DOI"]),
    ({"title": "ENVOY  recalled after cable leak", "issued": "2010-11-29"}, ["title and date"]),
    (
        {"url": STORED_URL, "title": "Envoy recalled after cable leak", "issued": "2010-11-29"},
        ["URL", "title and date"],
    ),
]


@pytest.mark.parametrize(("values", "rules"), SAME)
def test_a_source_is_found_by_url_doi_or_title_and_date(
    stored: Source, values: Identifying, rules: list[str]
) -> None:
    found = find_duplicates(**values)

    assert [(d.source.pk, d.rules) for d in found] == [(stored.pk, rules)]


DIFFERENT = [
    {"url": "https://www.reuters.com/world/envoy-recalled-again"},
    {"doi": "10.1000/envoy.2011"},
    {"title": "Envoy recalled after cable leak", "issued": "2010-11-30"},
    {"title": "Envoy recalled after cable leak", "issued": ""},  # undated titles never match
    {"title": "Envoy recalled", "issued": "2010-11-29"},
    {},
]


@pytest.mark.parametrize("values", DIFFERENT)
def test_a_different_work_is_not_a_duplicate(stored: Source, values: Identifying) -> None:
    assert find_duplicates(**values) == []


def test_the_source_itself_is_not_its_own_duplicate(stored: Source) -> None:
    assert find_duplicates(url=STORED_URL, exclude=stored.pk) == []


# --- the Sources add screen --------------------------------------------------------------


@pytest.fixture
def editor() -> Client:
    client = Client()
    client.force_login(make_users().editor)
    return client


def add_form(**values: str) -> dict[str, str]:
    data = {
        "kind": "news_article",
        "outlet": "",
        "title": "A new story",
        "title_apa": "",
        "authors": "",
        "issued": "2010-12-01",
        "accessed": "",
        "url": "https://news.example/new-story",
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


def errors_on(page: str, field: str) -> list[str]:
    block = re.search(rf'id="[^"]*-{field}-errors">(.*?)</div>', page, re.S)
    if block is None:
        return []
    return [
        " ".join(m.split())
        for m in re.findall(r'<p class="error-message">(.*?)</p>', block.group(1), re.S)
    ]


def test_the_add_screen_has_no_create_anyway_box_until_it_is_needed(editor: Client) -> None:
    page = editor.get(reverse(ADD)).content.decode()

    assert 'name="create_anyway"' not in page


def test_adding_a_source_with_a_stored_url_names_the_existing_source(
    editor: Client, stored: Source
) -> None:
    response = editor.post(reverse(ADD), add_form(url="http://reuters.com/world/envoy-recalled"))

    assert response.status_code == 200
    page = response.content.decode()
    [message] = errors_on(page, "create_anyway")
    edit_url = reverse(EDIT, args=[stored.pk])
    assert html.unescape(re.sub(r"<[^>]+>", "", message)) == (
        "A source like this exists: “Envoy recalled after cable leak” (Reuters, 2010-11-29; "
        "same URL). Cite the existing source, or tick “Create anyway”."
    )
    assert f'href="{edit_url}"' in message
    assert 'name="create_anyway"' in page
    assert Source.objects.count() == 1


def test_ticking_create_anyway_saves_the_new_source(editor: Client, stored: Source) -> None:
    response = editor.post(reverse(ADD), add_form(url=STORED_URL, create_anyway="on"))

    assert response.status_code == 302
    assert Source.objects.filter(url=STORED_URL).count() == 2


def test_the_warning_names_every_matching_source(editor: Client, stored: Source) -> None:
    other = SourceFactory(title="A new story", issued="2010-12-01", outlet=None)

    response = editor.post(reverse(ADD), add_form(url=STORED_URL))

    [message] = errors_on(response.content.decode(), "create_anyway")
    assert message.startswith("Sources like this exist:")
    assert f'href="{reverse(EDIT, args=[stored.pk])}"' in message
    assert f'href="{reverse(EDIT, args=[other.pk])}"' in message
    assert "same title and date" in message


def test_a_doi_in_the_other_csl_fields_is_checked_too(editor: Client, stored: Source) -> None:
    response = editor.post(reverse(ADD), add_form(csl_extra='{"DOI": "10.1000/ENVOY.2010"}'))

    [message] = errors_on(response.content.decode(), "create_anyway")
    assert "same DOI" in message


def test_a_title_with_html_is_named_as_text(editor: Client) -> None:
    SourceFactory(title="<script>alert(1)</script>", url="https://news.example/x", outlet=None)

    response = editor.post(reverse(ADD), add_form(url="https://news.example/x"))

    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in errors_on(page, "create_anyway")[0]


def test_editing_an_existing_source_never_asks(editor: Client, stored: Source) -> None:
    copy = SourceFactory(title="Copy", url="https://news.example/copy", outlet=None)

    response = editor.post(
        reverse(EDIT, args=[copy.pk]),
        add_form(title="Copy", url=STORED_URL, **{"action-publish": "1"}),
    )

    assert response.status_code == 302
    assert Source.objects.get(pk=copy.pk).url == STORED_URL


# --- the chooser's create form -----------------------------------------------------------


def chooser_form(**values: Any) -> SourceChooserCreateForm:
    data = {"kind": "news_article", "title": "A new story", "url": "", **values}
    return SourceChooserCreateForm(data=data)


def test_the_chooser_form_warns_about_a_stored_doi(stored: Source) -> None:
    form = chooser_form(doi="https://doi.org/10.1000/envoy.2010")

    assert not form.is_valid()
    assert next(iter(form.fields)) == "create_anyway"  # the box comes first, with the error
    [message] = form.errors["create_anyway"]
    text = html.unescape(re.sub(r"<[^>]+>", "", message))
    assert "“Envoy recalled after cable leak” (Reuters, 2010-11-29; same DOI)" in text


def test_the_chooser_form_saves_with_create_anyway(stored: Source) -> None:
    form = chooser_form(url=STORED_URL, create_anyway="on")

    assert form.is_valid(), form.errors
    assert "create_anyway" in form.fields


def test_the_chooser_asks_before_creating_a_duplicate_and_creates_it_when_told(
    editor: Client, stored: Source
) -> None:
    data = {"kind": "news_article", "title": "Envoy recalled", "url": STORED_URL}

    first = editor.post(reverse(CHOOSER_CREATE), data).json()

    assert first["step"] == "reshow_creation_form"
    assert 'name="create_anyway"' in first["htmlFragment"]
    assert "A source like this exists" in first["htmlFragment"]
    assert Source.objects.count() == 1

    second = editor.post(reverse(CHOOSER_CREATE), {**data, "create_anyway": "on"}).json()

    assert second["step"] == "chosen"
    assert Source.objects.filter(url=STORED_URL).count() == 2

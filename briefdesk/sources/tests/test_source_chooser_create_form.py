"""The chooser's "Create source" form has the fields editors need: kind, outlet or a new outlet
by name (made as a draft with the source), title, authors, dates typed as people type them,
URL, DOI, accessed date (today when a URL is given) and medium; it can be pre-filled.

The form is driven as the chooser's create view drives it: validated, then saved through
Wagtail's CreateAction as a draft by the signed-in user."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.create import CreateAction

from briefdesk.sources.forms import SourceChooserCreateForm
from briefdesk.sources.models import Outlet, Source
from tests.factories import OutletFactory, cite, make_brief, make_site_tree, make_users

pytestmark = pytest.mark.django_db

CHOOSER_CREATE = "wagtailsnippetchoosers_sources_source:create"


def form_for(user: Any = None, **values: Any) -> SourceChooserCreateForm:
    data = {"kind": "news_article", "title": "Envoy recalled after cable leak", **values}
    return SourceChooserCreateForm(data=data, for_user=user)


def create(user: Any = None, **values: Any) -> Source:
    """Validate and save as the chooser's create view does (a draft with a revision)."""
    form = form_for(user, **values)
    assert form.is_valid(), form.errors
    CreateAction(form.instance, user=user, form=form).execute(skip_permission_checks=True)
    return Source.objects.select_related("outlet").get(pk=form.instance.pk)


def test_the_form_has_the_fields_editors_need_in_order() -> None:
    assert list(SourceChooserCreateForm().fields) == [
        "kind",
        "outlet",
        "new_outlet_name",
        "title",
        "authors",
        "issued",
        "url",
        "doi",
        "accessed",
        "medium",
    ]


# --- a new outlet ----------------------------------------------------------------------


def test_a_new_outlet_typed_by_name_is_created_as_a_draft_with_the_source() -> None:
    author = make_users().author

    source = create(author, new_outlet_name="  The   Friday Times ")

    outlet = source.outlet
    assert outlet is not None
    assert outlet.name == "The Friday Times"
    assert not outlet.live
    assert outlet.latest_revision is not None
    assert outlet.latest_revision.user == author
    assert "The Friday Times" in source.formatted["chicago-nb"]["bibliography"]


def test_a_new_outlet_name_that_exists_uses_that_outlet_whatever_its_case() -> None:
    reuters = OutletFactory(name="Reuters")

    source = create(new_outlet_name="REUTERS")

    assert source.outlet == reuters
    assert Outlet.objects.count() == 1


def test_an_outlet_and_a_new_outlet_name_together_are_refused() -> None:
    reuters = OutletFactory(name="Reuters")

    form = form_for(outlet=str(reuters.pk), new_outlet_name="Dawn")

    assert not form.is_valid()
    assert form.errors["new_outlet_name"] == ["Choose an outlet or type a new one, not both."]
    assert not Outlet.objects.filter(name="Dawn").exists()


def test_an_invalid_form_creates_no_outlet() -> None:
    form = form_for(new_outlet_name="Dawn", issued="Winter 2010")

    assert not form.is_valid()
    assert not Outlet.objects.filter(name="Dawn").exists()


def test_the_new_outlet_goes_live_with_the_brief_that_cites_the_source() -> None:
    source = create(new_outlet_name="The Friday Times")

    make_brief(make_site_tree(), body=[("paragraph", f"<p>Claim {cite(source)}.</p>")])

    assert Outlet.objects.get(name="The Friday Times").live
    assert Source.objects.get(pk=source.pk).live


# --- DOI and dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["10.1016/j.jfineco.2011.04.005", "https://doi.org/10.1016/j.jfineco.2011.04.005"]
)
def test_the_doi_is_stored_with_the_other_csl_fields(typed: str) -> None:
    source = create(doi=typed)

    assert source.csl_extra == {"DOI": "10.1016/j.jfineco.2011.04.005"}
    assert "10.1016/j.jfineco.2011.04.005" in source.formatted["apa"]["bibliography"]


def test_a_bad_doi_is_a_one_line_error() -> None:
    form = form_for(doi="https://example.org/paper")

    assert not form.is_valid()
    assert form.errors["doi"] == [
        "'https://example.org/paper' is not a DOI (10.xxxx/…, e.g. 10.1016/j.jfineco.2011.04.005)"
    ]


ISSUED = [
    ("27 November 2026", "2026-11-27"),
    ("Nov. 27, 2026", "2026-11-27"),
    ("November 27, 2026", "2026-11-27"),
    ("27 Nov 2026", "2026-11-27"),
    ("2026-11-27", "2026-11-27"),
    ("November 2026", "2026-11"),
    ("2026", "2026"),
    ("", ""),
]


@pytest.mark.parametrize(("typed", "stored"), ISSUED)
def test_the_publication_date_is_typed_as_people_type_it(typed: str, stored: str) -> None:
    assert create(issued=typed).issued == stored


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("issued", "Winter 2010", "'Winter 2010' is not a date: type e.g. 27 November 2026"),
        ("issued", "31 April 2026", "'31 April 2026' is not a real date"),
        ("accessed", "27/11/2026", "'27/11/2026' is not a date: type e.g. 27 November 2026"),
        ("accessed", "November 2026", "'November 2026' has no day"),
    ],
)
def test_a_date_that_is_not_one_is_a_one_line_error(field: str, typed: str, message: str) -> None:
    form = form_for(**{field: typed})

    assert not form.is_valid()
    [error] = form.errors[field]
    assert error.startswith(message)
    assert "\n" not in error


def test_the_accessed_date_is_typed_as_people_type_it() -> None:
    source = create(url="https://news.example/a", accessed="Nov. 27, 2026")

    assert source.accessed == dt.date(2026, 11, 27)


def test_the_accessed_date_is_today_when_a_url_is_given() -> None:
    assert create(url="https://news.example/a").accessed == timezone.localdate()


def test_without_a_url_there_is_no_accessed_date() -> None:
    assert create(url="").accessed is None


# --- pre-filled ------------------------------------------------------------------------


def test_the_form_can_be_pre_filled_from_a_pasted_url() -> None:
    reuters = OutletFactory(name="Reuters")
    initial = {
        "url": "https://www.reuters.com/world/envoy",
        "title": "Envoy recalled",
        "kind": "report",
        "outlet": reuters.pk,
        "medium": "PDF",
        "doi": "10.1000/envoy",
    }

    form = SourceChooserCreateForm(initial=initial)

    assert {name: form[name].value() for name in initial} == initial
    rendered = str(form["url"])
    assert 'value="https://www.reuters.com/world/envoy"' in rendered


# --- through the chooser ---------------------------------------------------------------


def test_the_chooser_creates_a_draft_source_with_a_new_outlet_and_doi() -> None:
    client = Client()
    client.force_login(make_users().author)

    response = client.post(
        reverse(CHOOSER_CREATE),
        {
            "kind": "news_article",
            "new_outlet_name": "The Friday Times",
            "title": "Envoy recalled",
            "issued": "27 November 2026",
            "url": "https://thefridaytimes.example/envoy",
            "doi": "https://doi.org/10.1000/envoy",
        },
    )

    result = response.json()
    assert result["step"] == "chosen", result
    source = Source.objects.get(pk=result["result"]["id"])
    assert (source.issued, source.csl_extra, source.outlet_name) == (
        "2026-11-27",
        {"DOI": "10.1000/envoy"},
        "The Friday Times",
    )
    assert not source.live
    assert source.outlet is not None and not source.outlet.live

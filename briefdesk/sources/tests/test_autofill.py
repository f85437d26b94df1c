"""A source from its URL: `briefdesk source-from-url` and the admin's "Fill from URL" against
real pages served on 127.0.0.1 (LocalWeb). The editor sees the proposal and where each field
came from; nothing is saved until they confirm (`--save`, or saving the add form); a bad URL,
a 404 or a refused address is one line (stderr / a form error) and saves nothing."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from briefdesk.archive import politeness
from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.sources.autofill import (
    AutofillError,
    propose_source,
    registrable_domain,
    suggest_short_label,
)
from briefdesk.sources.models import Outlet, Source
from tests.factories import OutletFactory, make_users

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).resolve().parents[2] / "archive" / "tests" / "files" / "pages"
ADD = "wagtailsnippets_sources_source:add"
AUTOFILL = "sources_autofill"
HTML = {"Content-Type": "text/html; charset=utf-8"}
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\dT[\d:]+[+-]\d{4} [A-Z]+ ")
REFUSED = "http://10.255.255.1/report"  # a private address: the fetcher's guard refuses it


@pytest.fixture(autouse=True)
def _fresh_politeness() -> Iterator[None]:
    politeness.forget()
    yield
    politeness.forget()


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as local:
        local.route(
            "news",
            "/story",
            Route(body=(PAGES / "news_dawn_jsonld.html").read_bytes(), headers=HTML),
        )
        local.route(
            "journal",
            "/article",
            Route(body=(PAGES / "journal_sage_jpr.html").read_bytes(), headers=HTML),
        )
        local.route(
            "reports",
            "/paper.pdf",
            Route(
                body=(PAGES / "pdf_gao_report.pdf").read_bytes(),
                headers={"Content-Type": "application/pdf"},
            ),
        )
        local.route("news", "/moved", Route.redirect(local.url("news", "/story")))
        yield local


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("source_from_url", *args, stdout=out)
    return out.getvalue()


# --- the command -------------------------------------------------------------------------


def test_the_command_prints_each_field_with_where_it_came_from_and_saves_nothing(
    web: LocalWeb,
) -> None:
    out = run(web.url("news", "/story"))

    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert lines["title"] == (
        "Talks on Indus water sharing resume in Lahore after two-year pause"
        "  [JSON-LD NewsArticle.headline]"
    )
    assert lines["authors"] == "Hasnain, Khalid  [JSON-LD NewsArticle.author]"
    assert lines["issued"] == "2026-03-14  [JSON-LD NewsArticle.datePublished]"
    assert lines["kind"].startswith("news_article  [JSON-LD newsarticle]")
    assert lines["outlet"] == "Dawn (new; short label Dawn)  [site name]"
    assert not Source.objects.exists() and not Outlet.objects.exists()


def test_save_creates_the_source_and_its_proposed_outlet_as_drafts(web: LocalWeb) -> None:
    out = run(web.url("news", "/moved"), "--save")

    source = Source.objects.get()
    assert (
        out.splitlines()[-1] == f"saved: source {source.pk} with outlet 'Dawn' (a draft for review)"
    )
    assert source.title == "Talks on Indus water sharing resume in Lahore after two-year pause"
    assert source.authors == [{"family": "Hasnain", "given": "Khalid"}]
    assert (source.issued, source.kind, source.live) == ("2026-03-14", "news_article", False)
    assert source.url == web.url("news", "/story")  # where the redirect led
    assert source.csl_extra["abstract"].startswith("Commissioners from both countries")
    outlet = source.outlet
    assert outlet is not None
    assert (outlet.name, outlet.short_label, outlet.live) == ("Dawn", "Dawn", False)
    assert outlet.home_url == web.host("news") + "/"


def test_an_outlet_whose_home_page_is_at_the_domain_is_used_not_created(web: LocalWeb) -> None:
    existing = OutletFactory(name="Journal of Peace Research", home_url=web.host("journal") + "/")

    run(web.url("journal", "/article"), "--save")

    source = Source.objects.get()
    assert source.outlet == existing
    assert Outlet.objects.count() == 1
    assert source.kind == "journal_article"
    assert source.csl_extra["DOI"] == "10.1177/00223433251399871"
    assert source.issued == "2026-03-01"


def test_a_pdf_is_proposed_as_a_document_in_pdf(web: LocalWeb) -> None:
    proposal = propose_source(web.url("reports", "/paper.pdf"))

    assert proposal.initial["medium"] == "PDF"
    assert proposal.meta.kind == "report"  # 127.0.0.1 is no government host
    assert proposal.meta.title.startswith("Foreign Military Sales")
    assert proposal.new_outlet is not None
    assert proposal.new_outlet.name == "U.S. Government Accountability Office"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a web address"),
        ("ftp://example.org/file", "is not a web address"),
        ("404", "answered 404"),
        (REFUSED, "10.255.255.1"),
    ],
)
def test_a_bad_url_or_a_failed_fetch_is_one_line_and_saves_nothing(
    web: LocalWeb, url: str, message: str
) -> None:
    if url == "404":
        url = web.url("news", "/missing")
    with pytest.raises(CommandError) as raised:
        run(url, "--save")

    assert raised.value.returncode == 1
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert not Source.objects.exists() and not Outlet.objects.exists()


def test_the_command_fails_in_one_line_on_stderr_without_a_traceback(web: LocalWeb) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "briefdesk.settings.test",
        "BRIEFDESK_ENV_FILE": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "django", "source_from_url", web.url("news", "/missing")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert done.returncode == 1
    assert done.stdout == ""
    # The site's logging may add its own records (httpx logs each request at INFO).
    lines = [line for line in done.stderr.splitlines() if not LOG_RECORD.match(line)]
    assert lines == [f"CommandError: {web.url('news', '/missing')} answered 404 Not Found"]
    assert "Traceback" not in done.stderr


# --- the admin ---------------------------------------------------------------------------


@pytest.fixture
def editor(client: Any) -> Any:
    client.force_login(make_users().editor)
    return client


def fill(client: Any, url: str) -> Any:
    return client.post(reverse(AUTOFILL), {"autofill-autofill_url": url})


def posted_back(form: Any) -> dict[str, str]:
    """What the browser posts for the add form as shown (its initial values)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


def test_the_add_screen_offers_fill_from_url(editor: Any) -> None:
    html = editor.get(reverse(ADD)).content.decode()

    assert f'action="{reverse(AUTOFILL)}"' in html
    assert 'name="autofill-autofill_url"' in html


def test_an_editor_sees_the_add_form_filled_from_the_page_and_nothing_is_saved(
    editor: Any, web: LocalWeb
) -> None:
    response = fill(editor, web.url("news", "/story"))

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form["title"].value() == (
        "Talks on Indus water sharing resume in Lahore after two-year pause"
    )
    assert form["authors"].value() == "Hasnain, Khalid"
    assert form["issued"].value() == "2026-03-14"
    assert form["proposed_outlet_name"].value() == "Dawn"
    html = response.content.decode()
    assert "data-autofill-notice" in html
    assert "JSON-LD NewsArticle.headline" in html
    assert f'action="{reverse(ADD)}"' in html  # the form itself posts to the usual add screen
    assert 'name="proposed_outlet_name"' in html
    assert not Source.objects.exists() and not Outlet.objects.exists()


def test_saving_the_filled_form_creates_the_source_and_the_proposed_outlet(
    editor: Any, web: LocalWeb
) -> None:
    form = fill(editor, web.url("news", "/story")).context["form"]
    data = posted_back(form)
    data["proposed_outlet_short_label"] = "DAWN"  # the editor's correction

    response = editor.post(reverse(ADD), data)

    assert response.status_code == 302, response.context["form"].errors
    source = Source.objects.get()
    assert source.title.startswith("Talks on Indus water sharing")
    outlet = source.outlet
    assert outlet is not None
    assert (outlet.name, outlet.short_label) == ("Dawn", "DAWN")


def test_choosing_an_outlet_wins_over_the_proposed_one(editor: Any, web: LocalWeb) -> None:
    chosen = OutletFactory(name="Dawn News")
    data = posted_back(fill(editor, web.url("news", "/story")).context["form"])
    data["outlet"] = str(chosen.pk)

    assert editor.post(reverse(ADD), data).status_code == 302
    assert Source.objects.get().outlet == chosen
    assert list(Outlet.objects.all()) == [chosen]


@pytest.mark.parametrize(("url", "message"), [("404", "answered 404"), (REFUSED, "10.255.255.1")])
def test_a_404_or_a_refused_url_is_a_form_error_over_the_empty_form(
    editor: Any, web: LocalWeb, url: str, message: str
) -> None:
    if url == "404":
        url = web.url("news", "/missing")
    response = fill(editor, url)

    assert response.status_code == 200
    assert message in " ".join(response.context["autofill_form"].errors["autofill_url"])
    assert 'id="autofill-error"' in response.content.decode()
    assert response.context["form"]["title"].value() in (None, "")
    assert not Source.objects.exists()


def test_a_reader_cannot_fill_from_url(client: Any, web: LocalWeb) -> None:
    client.force_login(make_users().reader)

    response = fill(client, web.url("news", "/story"))

    assert response.status_code == 302
    assert not any(r.path == "/story" for r in web.requests)


# --- pure parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "domain", "label"),
    [
        ("Stockholm International Peace Research Institute", "sipri.org", "SIPRI"),
        ("U.S. Government Accountability Office", "gao.gov", "GAO"),
        ("The International Institute for Strategic Studies", "iiss.org", "IISS"),
        ("Human Rights Watch (HRW)", "hrw.org", "HRW"),
        ("The Guardian", "theguardian.com", "Guardian"),
        ("International Crisis Group", "crisisgroup.org", "International Crisis Group"),
        ("Chatham House – International Affairs Think Tank", "chathamhouse.org", "Chatham House"),
        ("A" * 60, "example.org", "A" * 39 + "…"),
    ],
)
def test_a_new_outlet_gets_a_short_label_suggested(name: str, domain: str, label: str) -> None:
    assert suggest_short_label(name, domain) == label


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.dawn.com/news/1", "dawn.com"),
        ("https://images.dawn.com/x", "dawn.com"),
        ("https://news.bbc.co.uk/2/hi", "bbc.co.uk"),
        ("https://ec.europa.eu/commission/presscorner", "europa.eu"),
        ("http://127.0.0.1:8123/story", "127.0.0.1"),
        ("", ""),
    ],
)
def test_outlets_are_matched_by_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


def test_the_exact_host_wins_when_outlets_share_a_registrable_domain(web: LocalWeb) -> None:
    OutletFactory(name="Elsewhere", home_url="http://localhost.example/")
    OutletFactory(name="Another site on 127.0.0.1", home_url="http://127.0.0.1:1/")
    proposal = propose_source(web.url("news", "/story"))

    assert proposal.outlet is not None and proposal.outlet.name == "Another site on 127.0.0.1"
    assert proposal.found_in["outlet"] == "home page at 127.0.0.1"


def test_an_error_is_an_autofill_error_not_a_fetch_error(web: LocalWeb) -> None:
    with pytest.raises(AutofillError):
        propose_source(web.url("news", "/missing"))

"""Finding sources in the admin: the chooser and the Sources listing find a source by outlet,
label, author, URL, DOI or title, the best match first; a pasted URL or DOI that no source
holds offers a new source pre-filled from it. (The rules as plain data: test_source_finding.)"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from briefdesk.sources.finding import Rank, parse_query, rank
from briefdesk.sources.models import Outlet, Source
from briefdesk.sources.source_search import prefill_from, search_sources
from tests.factories import OutletFactory, SourceFactory, Users, make_users

pytestmark = pytest.mark.django_db

CHOOSE = "wagtailsnippetchoosers_sources_source:choose"
RESULTS = "wagtailsnippetchoosers_sources_source:choose_results"
LISTING = "wagtailsnippets_sources_source:list_results"

NYT_URL = "https://www.nytimes.com/2010/11/29/world/asia/29pakistan.html"
DOI = "10.1080/0163660X.2010.516616"


@dataclass
class World:
    users: Users
    dawn: Outlet
    reuters: Source
    nyt: Source
    journal: Source
    editorial: Source
    mueller: Source
    decoys: list[Source]


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back after its last test. Each
    decoy would come first if the ranking were by date alone: all are newer."""
    with django_db_blocker.unblock(), transaction.atomic():
        reuters = OutletFactory(name="Reuters", short_label="Reuters")
        nyt = OutletFactory(
            name="The New York Times", short_label="NYT", home_url="https://www.nytimes.com/"
        )
        dawn = OutletFactory(name="Dawn", short_label="", home_url="https://www.dawn.com/")
        quarterly = OutletFactory(name="The Washington Quarterly", home_url="")
        blog = OutletFactory(name="Media Watch", home_url="https://mediawatch.example/")
        yield World(
            users=make_users(),
            dawn=dawn,
            reuters=SourceFactory(
                outlet=reuters,
                title="Pakistan condemns leaks",
                issued="2010-11-29",
                authors=[{"family": "Bajoria", "given": "Jayshree"}],
            ),
            nyt=SourceFactory(
                outlet=nyt,
                title="Cables reveal reactor fuel standoff",
                url=NYT_URL,
                issued="2010-11-28",
                authors=[{"family": "Sanger", "given": "David E."}],
            ),
            journal=SourceFactory(
                kind="journal_article",
                outlet=quarterly,
                title="Pakistan's nuclear dilemma",
                url="",
                issued="2010-10",
                authors=[{"family": "Markey", "given": "Daniel"}],
                csl_extra={"DOI": DOI, "volume": "33"},
            ),
            editorial=SourceFactory(
                kind="op_ed",
                outlet=dawn,
                title="Editorial: after the cables",
                url="https://www.dawn.com/news/123/editorial-after-the-cables",
                issued="2010-12-01",
            ),
            mueller=SourceFactory(
                outlet=blog,
                title="Aid flows",
                issued="2009",
                authors=[{"family": "Müller", "given": "Jörg"}],
            ),
            decoys=[
                SourceFactory(
                    outlet=blog,
                    title="What Reuters and the NYT missed in the cables",
                    url="https://mediawatch.example/nyt-reuters-dawn-sanger-markey",
                    issued="2011-01-05",
                    authors=[{"family": "Doe", "given": "Jane"}],
                ),
                SourceFactory(
                    outlet=blog,
                    title="Links of the week",
                    url=f"https://mediawatch.example/links?u={NYT_URL}&doi={DOI}",
                    issued="2011-01-06",
                ),
            ],
        )
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def editor_client(world: World, client: Any) -> Any:
    client.force_login(world.users.editor)
    return client


def rows(page_html: str, world: World) -> list[str]:
    """The titles of the world's sources, in the order the page lists them."""
    sources = [world.reuters, world.nyt, world.journal, world.editorial, world.mueller]
    titles = [s.title for s in [*sources, *world.decoys]]
    text = re.sub(r"\s*<\s*", "<", re.sub(r"\s*>\s*", ">", htmllib.unescape(page_html)))
    found = [(text.find(f">{t}<"), t) for t in titles]
    return [t for position, t in sorted(found) if position >= 0]


def chooser_rows(client: Any, world: World, query: str) -> list[str]:
    response = client.get(reverse(RESULTS), {"q": query})
    assert response.status_code == 200
    return rows(response.content.decode(), world)


CASES = [
    ("Reuters", "reuters"),
    ("reuters", "reuters"),
    ("NYT", "nyt"),
    ("New York Times", "nyt"),
    ("Dawn", "editorial"),
    (NYT_URL, "nyt"),
    ("http://nytimes.com/2010/11/29/world/asia/29pakistan.html/", "nyt"),
    (DOI, "journal"),
    (DOI.lower(), "journal"),
    (f"https://doi.org/{DOI}", "journal"),
    (f"doi:{DOI}", "journal"),
    ("Sanger", "nyt"),
    ("Markey", "journal"),
    ("Bajoria", "reuters"),
    ("Müller", "mueller"),
    ("cables reveal", "nyt"),
    ("reactor", "nyt"),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_chooser_lists_the_right_source_first(
    world: World, editor_client: Any, query: str, expected: str
) -> None:
    assert chooser_rows(editor_client, world, query)[0] == getattr(world, expected).title


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_sources_listing_lists_the_right_source_first(
    world: World, editor_client: Any, query: str, expected: str
) -> None:
    response = editor_client.get(reverse(LISTING), {"q": query})

    assert response.status_code == 200
    assert rows(response.content.decode(), world)[0] == getattr(world, expected).title


def test_a_search_lists_only_sources_that_match(world: World, editor_client: Any) -> None:
    assert chooser_rows(editor_client, world, "Reuters") == [
        world.reuters.title,
        world.decoys[0].title,  # a title word, then a mention in its URL
    ]
    assert chooser_rows(editor_client, world, "Sanger standoff") == [world.nyt.title]
    assert chooser_rows(editor_client, world, "Sanger Bajoria") == []


def test_within_a_rank_the_newest_source_comes_first(world: World, editor_client: Any) -> None:
    # Three titles have a word starting "cables".
    assert chooser_rows(editor_client, world, "cables") == [
        world.decoys[0].title,  # 2011-01-05
        world.editorial.title,  # 2010-12-01
        world.nyt.title,  # 2010-11-28
    ]


def test_the_database_ranks_as_the_plain_rules_do(world: World) -> None:
    """search_sources (ORM) and finding.rank (plain data) agree on every case."""
    for text, _ in CASES:
        found = search_sources(Source.objects.select_related("outlet"), text)
        for source in found:
            record = {
                "title": source.title,
                "url": source.url,
                "number": source.number,
                "label": source.label,
                "doi": (source.csl_extra or {}).get("DOI", ""),
                "authors": source.authors,
                "outlet_name": source.outlet_name,
                "outlet_label": source.outlet.short_label if source.outlet else "",
            }
            assert rank(record, parse_query(text)) == Rank(source.search_rank), (text, source)


def test_each_chooser_row_shows_outlet_date_kind_and_status(
    world: World, editor_client: Any
) -> None:
    html = editor_client.get(reverse(RESULTS), {"q": "Markey"}).content.decode()

    row = html[html.find("Pakistan&#x27;s nuclear dilemma") :]
    row = row[: row.find("</tr>")]
    assert "The Washington Quarterly" in row
    assert "2010-10" in row
    assert "Journal article" in row
    assert "live" in row
    for heading in ("Outlet", "Date", "Kind", "Status"):
        assert re.search(rf"<th[^>]*>\s*{heading}\s*<", html), heading


def test_a_query_longer_than_any_url_is_answered_without_error(editor_client: Any) -> None:
    for query in ["x" * 5000, "a " * 400, "%", "_", "\\", "'; DROP TABLE x; --"]:
        assert editor_client.get(reverse(RESULTS), {"q": query}).status_code == 200
        assert editor_client.get(reverse(LISTING), {"q": query}).status_code == 200


# --- paste a URL or DOI ------------------------------------------------------------------

OFFER = "Create a source from it"


def test_a_pasted_url_a_source_holds_lists_that_source_and_offers_no_new_one(
    world: World, editor_client: Any
) -> None:
    html = editor_client.get(
        reverse(RESULTS), {"q": "nytimes.com/2010/11/29/world/asia/29pakistan.html"}
    ).content.decode()

    assert rows(html, world)[0] == world.nyt.title
    assert OFFER not in html


@pytest.mark.parametrize(
    ("pasted", "kind"),
    [("https://www.dawn.com/news/999/aid-talks", "URL"), ("10.1016/j.jfineco.2011.04.005", "DOI")],
)
def test_a_pasted_url_or_doi_no_source_holds_offers_to_create_one(
    world: World, editor_client: Any, pasted: str, kind: str
) -> None:
    html = editor_client.get(reverse(RESULTS), {"q": pasted}).content.decode()

    assert f"No source has this {kind}" in html
    link = re.search(r'<a href="([^"]+)" data-chooser-modal-choice>' + OFFER, html)
    assert link is not None
    assert htmllib.unescape(link.group(1)).startswith(reverse(CHOOSE) + "?prefill=")


def test_words_never_offer_a_new_source(world: World, editor_client: Any) -> None:
    assert OFFER not in editor_client.get(reverse(RESULTS), {"q": "no such thing"}).content.decode()


def creation_form(client: Any, pasted: str) -> str:
    response = client.get(reverse(CHOOSE), {"prefill": pasted})
    assert response.status_code == 200
    html = response.json()["html"]
    return html[html.find('id="tab-create"') :]


def selected(form_html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', form_html, re.S)
    assert select is not None
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return option.group(1) if option else ""


def text_input(form_html: str, name: str) -> str:
    field = re.search(rf'<input [^>]*name="{name}"[^>]*>', form_html)
    assert field is not None
    value = re.search(r'value="([^"]*)"', field.group(0))
    return htmllib.unescape(value.group(1)) if value else ""


def test_the_offer_opens_the_create_tab_filled_from_the_url(
    world: World, editor_client: Any
) -> None:
    url = "https://www.dawn.com/news/999/aid-talks"
    response = editor_client.get(reverse(CHOOSE), {"prefill": url})

    assert 'data-w-tabs-active-panel-id-value="tab-create"' in response.json()["html"]
    form = creation_form(editor_client, url)
    assert text_input(form, "url") == url
    assert selected(form, "outlet") == str(world.dawn.pk)  # by its home page's domain
    assert selected(form, "kind") == "news_article"
    assert text_input(form, "accessed") == timezone.localdate().isoformat()


def test_a_pasted_pdf_is_a_report_in_pdf(world: World, editor_client: Any) -> None:
    form = creation_form(editor_client, "https://www.imf.org/external/pubs/ft/scr/2010/cr10384.pdf")

    assert selected(form, "kind") == "report"
    assert text_input(form, "medium") == "PDF"
    assert selected(form, "outlet") == ""  # no outlet or source at imf.org


def test_a_pasted_doi_is_a_journal_article(world: World, editor_client: Any) -> None:
    form = creation_form(editor_client, "https://doi.org/10.1016/j.jfineco.2011.04.005")

    assert selected(form, "kind") == "journal_article"
    assert text_input(form, "doi") == "10.1016/j.jfineco.2011.04.005"
    assert text_input(form, "url") == ""  # the DOI is the link citations print


def test_the_outlet_is_found_by_its_sources_urls_when_its_home_page_is_not_set(
    world: World,
) -> None:
    initial = prefill_from("https://washingtonquarterly.example/a", today=dt.date(2026, 11, 27))
    assert "outlet" not in initial
    SourceFactory(outlet=world.journal.outlet, url="https://washingtonquarterly.example/b")

    initial = prefill_from("washingtonquarterly.example/a", today=dt.date(2026, 11, 27))

    assert initial == {
        "accessed": dt.date(2026, 11, 27),
        "url": "https://washingtonquarterly.example/a",
        "outlet": world.journal.outlet_id,
    }


def test_a_prefill_parameter_that_is_no_url_leaves_the_chooser_as_it_is(
    world: World, editor_client: Any
) -> None:
    html = editor_client.get(reverse(CHOOSE), {"prefill": "just words"}).json()["html"]

    assert "data-w-tabs-active-panel-id-value" not in html
    assert text_input(creation_form(editor_client, "just words"), "url") == ""

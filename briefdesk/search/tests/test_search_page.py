"""The search page: every kind of result, ranking, facets, sort, snippets, and nothing a
reader may not see (drafts, private pages, unpublished sources), counts included."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.search.snippets import highlight, snippet
from briefdesk.sources.models import Source
from tests.db import rolled_back
from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    clara: AuthorPage
    idris: AuthorPage
    pakistan: Any
    afghanistan: Any
    floods: BriefPage
    abbottabad: BriefPage
    kabul: BriefPage
    cables_source: Source


def _publish(page: Any) -> Any:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def build_world() -> World:
    tree = make_site_tree()
    clara = make_author(tree, "Clara", "Whitcombe")
    idris = make_author(tree, "Idris", "Qamaruddin")
    pakistan = make_topic(tree, "Pakistan")
    afghanistan = make_topic(tree, "Afghanistan")
    # A guide that says "Pakistan" many times must not outrank briefs titled with it.
    afghanistan.introduction = "<p>" + " ".join(["Pakistan and Afghanistan."] * 20) + "</p>"
    afghanistan = _publish(afghanistan)
    private_guide = make_topic(tree, "Marmalade Pakistan")
    PageViewRestriction.objects.create(page=private_guide, restriction_type="login")

    reuters = OutletFactory(name="Reuters", short_label="Reuters")
    convoys = SourceFactory(
        outlet=reuters, title="Pakistan Halts NATO Convoys", issued="2010-09-30"
    )
    hidden = SourceFactory(outlet=reuters, title="Zeppelin Pakistan memo", issued="2010-09-29")
    uncited = SourceFactory(outlet=reuters, title="Okapi Pakistan story")  # noqa: F841
    draft_only = SourceFactory(outlet=reuters, title="Narwhal Pakistan leak")

    floods = make_brief(
        tree, title="Pakistan’s Floods and the Limits of Aid", slug="floods", authors=[clara],
        topics=[pakistan], date=dt.date(2010, 8, 20),
        summary="The worst floods in Pakistan’s history test disaster relief.",
        body=[("paragraph", f"<p>Relief was slow {cite(convoys)}. "
                            f"Hidden {cite(hidden)}.</p>")],
    )  # fmt: skip
    abbottabad = make_brief(
        tree, title="After Abbottabad, a Reckoning for U.S.-Pakistan Ties", slug="abbottabad",
        authors=[clara, idris], topics=[pakistan, afghanistan], date=dt.date(2011, 5, 3),
        brief_type="Backgrounder", summary="The raid forced questions on both governments.",
    )  # fmt: skip
    # Unpublished after the brief citing it went live (publishing a brief publishes its sources).
    Source.objects.filter(pk=hidden.pk).update(live=False)
    kabul = make_brief(
        tree, title="The Kabul Bank Crisis", authors=[idris], topics=[afghanistan],
        date=dt.date(2010, 9, 10), summary="A run on the bank.",
        body=[("paragraph", "<p>Depositors queued. Lenders in Pakistan watched the "
                            "<b>run</b> closely.</p>")],
    )  # fmt: skip
    make_brief(
        tree, title="Pakistan Narwhal draft", authors=[clara], topics=[private_guide],
        publish=False, body=[("paragraph", f"<p>Leak {cite(draft_only)}.</p>")],
    )  # fmt: skip
    private_brief = make_brief(tree, title="Pakistan Zeppelin private", authors=[idris],
                               topics=[pakistan], date=dt.date(1999, 1, 1))  # fmt: skip
    PageViewRestriction.objects.create(page=private_brief, restriction_type="login")
    make_brief(tree, title="<script>alert(1)</script> Marmot brief", slug="marmot", authors=[idris],
               summary="About <b>marmots</b> & more.")  # fmt: skip
    return World(clara, idris, pakistan, afghanistan, floods, abbottabad, kabul, convoys)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def search(client: Any, status: int = 200, **params: str) -> str:
    response = client.get(reverse("search"), params)
    assert response.status_code == status, response.status_code
    return response.content.decode()


def result_urls(html: str) -> list[str]:
    results = html.partition('<ol class="plain-list search-results">')[2].partition("</ol>")[0]
    return re.findall(r'<h3 class="brief-item__title"><a href="([^"]+)"', results)


def facet_counts(html: str, name: str) -> dict[str, int]:
    """{value: count} of one facet's links."""
    found = {}
    for href, count in re.findall(
        r'<a href="\?([^"]+)"[^>]*>[^<]*</a> <span class="search-facet__count">(\d+)</span>', html
    ):
        params = dict(p.split("=", 1) for p in href.replace("&amp;", "&").split("&"))
        if name in params:
            found[params[name]] = int(count)
    return found


# --- each kind is found ------------------------------------------------------------------


def test_a_brief_is_found_by_a_word_of_its_title(world: World, client: Any) -> None:
    assert world.kabul.url in result_urls(search(client, q="kabul"))


def test_a_topic_guide_is_found_by_its_title(world: World, client: Any) -> None:
    assert result_urls(search(client, q="afghanistan"))[0] == world.afghanistan.url


def test_an_expert_is_found_first_by_their_name_with_their_briefs_after(
    world: World, client: Any
) -> None:
    urls = result_urls(search(client, q="clara whitcombe"))

    assert urls[0] == world.clara.url
    assert {world.floods.url, world.abbottabad.url} <= set(urls[1:])


def test_a_source_is_found_by_its_title_and_shows_its_stored_citation(
    world: World, client: Any
) -> None:
    html = search(client, q="nato convoys")

    assert result_urls(html) == [f"/sources/{world.cables_source.pk}/"]
    assert world.cables_source.formatted["chicago-nb"]["bibliography_html"] in html


def test_a_source_is_found_by_its_outlet(world: World, client: Any) -> None:
    assert f"/sources/{world.cables_source.pk}/" in result_urls(search(client, q="reuters"))


# --- ranking -----------------------------------------------------------------------------


def test_briefs_with_the_word_in_their_title_rank_above_a_guide_that_only_mentions_it(
    world: World, client: Any
) -> None:
    urls = result_urls(search(client, q="pakistan"))

    assert urls[0] == world.pakistan.url  # the guide named for the query comes first
    assert urls.index(world.floods.url) < urls.index(world.afghanistan.url)
    assert urls.index(world.abbottabad.url) < urls.index(world.afghanistan.url)


def test_a_misspelt_query_is_corrected_from_the_titles_and_names_and_says_so(
    world: World, client: Any
) -> None:
    html = search(client, q="whitcombr")

    assert result_urls(html)[0] == world.clara.url
    assert "Nothing matched “whitcombr”: showing results for “whitcombe”." in html


# --- nothing hidden --------------------------------------------------------------------


@pytest.mark.parametrize("word", ["Zeppelin", "Narwhal", "Marmalade", "Okapi"])
def test_drafts_private_pages_and_unpublished_or_uncited_sources_never_appear(
    world: World, client: Any, word: str
) -> None:
    html = search(client, q=word)

    assert "0 results" in html
    assert word not in html.partition('<ol class="plain-list search-results">')[2]


def test_facet_counts_count_nothing_hidden(world: World, client: Any) -> None:
    html = search(client, q="pakistan")

    assert "Marmalade" not in html  # the private guide, which tags the draft brief
    assert "1999" not in facet_counts(html, "year")  # the private brief's year
    # Public briefs with Pakistan: floods, abbottabad, kabul (body). Not the draft, not the
    # private brief.
    assert facet_counts(html, "type")["brief"] == 3
    assert facet_counts(html, "topic")[world.pakistan.slug] == 3  # 2 briefs + the guide


# --- facets, sort, pages ------------------------------------------------------------------


def test_each_facet_count_is_the_number_of_results_its_link_shows(
    world: World, client: Any
) -> None:
    html = search(client, q="pakistan")

    for name in ("type", "topic", "expert", "year", "outlet", "kind"):
        counts = facet_counts(html, name)
        assert counts, name
        for value, count in counts.items():
            narrowed = search(client, 200, q="pakistan", **{name: value})
            assert f"{count} result{'s' if count != 1 else ''} for" in narrowed, (name, value)


def test_a_type_facet_keeps_only_that_kind(world: World, client: Any) -> None:
    urls = result_urls(search(client, q="pakistan", type="source"))

    assert urls == [f"/sources/{world.cables_source.pk}/"]


def test_an_expert_facet_keeps_their_briefs_and_page(world: World, client: Any) -> None:
    urls = result_urls(search(client, q="pakistan", expert="idris-qamaruddin"))

    assert set(urls) == {world.abbottabad.url, world.kabul.url}


def test_sort_by_date_lists_the_newest_first(world: World, client: Any) -> None:
    urls = result_urls(search(client, q="pakistan", sort="date"))

    dated = [u for u in urls if u.startswith(("/briefs/", "/sources/"))]
    assert dated[:4] == [
        world.abbottabad.url,
        f"/sources/{world.cables_source.pk}/",
        world.kabul.url,
        world.floods.url,
    ]
    assert urls[-1] == world.pakistan.url or urls[-1] == world.afghanistan.url  # undated last


# --- snippets ----------------------------------------------------------------------------


def test_a_snippet_marks_the_query_words_in_the_body_passage(world: World, client: Any) -> None:
    html = search(client, q="lenders")

    assert "<mark>Lenders</mark> in Pakistan watched the run closely." in html


def test_a_title_with_markup_is_shown_as_text(world: World, client: Any) -> None:
    html = search(client, q="marmot")

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Marmot brief" in html


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Pakistan's floods", ["floods"], "Pakistan&#x27;s <mark>floods</mark>"),
        ("<b>Cables</b>", ["cables"], "&lt;b&gt;<mark>Cables</mark>&lt;/b&gt;"),
        ("cable cables", ["cable"], "<mark>cable</mark> <mark>cable</mark>s"),
        ("a & b", ["amp"], "a &amp; b"),  # the entity escaping made is never marked
        ("nothing here", [], "nothing here"),
    ],
)
def test_highlight_escapes_then_marks(text: str, words: list[str], expected: str) -> None:
    assert highlight(text, words) == expected


def test_a_long_snippet_starts_near_the_first_match_with_an_ellipsis() -> None:
    text = "Lead words here. " * 40 + "The Torkham crossing closed. " + "Tail words. " * 40

    shown = snippet(text, ["torkham"])

    assert shown.startswith("…") and shown.endswith("…")
    assert "<mark>Torkham</mark> crossing closed." in shown

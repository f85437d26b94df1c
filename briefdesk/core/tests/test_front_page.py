"""The front page: the lead brief (the editors' choice when a reader may open it, else the
newest), the latest briefs by type, the topic guides with their newest event, the featured
experts; nothing a reader may not open; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from wagtail.models import PageViewRestriction

from briefdesk.core.front_page import latest_event
from briefdesk.core.models import HomeFeaturedExpert
from tests.factories import SiteTree, make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of, section

pytestmark = pytest.mark.django_db


def lead_of(html: str) -> str:
    return section(html, '<section class="front-lead"', "</section>")


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="brief-item__title"><a href="[^"]+">([^<]+)</a></h3>', html)


def type_sections(html: str) -> dict[str, list[str]]:
    found = re.findall(r'class="front-heading">Latest ([^<]+)</h2>(.*?)</section>', html, re.S)
    return {heading: titles(body) for heading, body in found}


def brief(tree: SiteTree, title: str, day: int, **fields: Any) -> Any:
    return make_brief(tree, title=title, date=dt.date(2011, 1, day), **fields)


def test_without_a_chosen_lead_the_newest_brief_leads(client: Any) -> None:
    tree = make_site_tree()
    brief(tree, "Older brief", 1)
    brief(tree, "Newest brief", 9)

    html = html_of(client, tree.home.url)

    assert titles(lead_of(html)) == ["Newest brief"]
    assert type_sections(html) == {"analysis briefs": ["Older brief"]}


def test_the_editors_lead_brief_leads_and_is_not_listed_again(client: Any) -> None:
    tree = make_site_tree()
    chosen = brief(tree, "Chosen lead", 1)
    brief(tree, "Newest brief", 9)
    tree.home.lead_brief = chosen
    tree.home.save_revision().publish()

    html = html_of(client, tree.home.url)

    assert titles(lead_of(html)) == ["Chosen lead"]
    assert type_sections(html) == {"analysis briefs": ["Newest brief"]}


@pytest.mark.parametrize("how", ["unpublished", "private"])
def test_a_lead_brief_readers_may_not_open_gives_way_to_the_newest(client: Any, how: str) -> None:
    tree = make_site_tree()
    chosen = brief(tree, "Hidden lead", 12)
    brief(tree, "Public brief", 3)
    tree.home.lead_brief = chosen
    tree.home.save_revision().publish()
    if how == "unpublished":
        chosen.unpublish()
    else:
        PageViewRestriction.objects.create(page=chosen, restriction_type="login")

    html = html_of(client, tree.home.url)

    assert titles(lead_of(html)) == ["Public brief"]
    assert "Hidden lead" not in html


def test_the_latest_briefs_come_by_type_three_each_freshest_type_first(client: Any) -> None:
    tree = make_site_tree()
    brief(tree, "Lead", 20)
    for day in (1, 2, 3, 4):
        brief(tree, f"Analysis {day}", day)
    brief(tree, "Background 10", 10, brief_type="Backgrounder")
    brief(tree, "Draft op-ed", 15, brief_type="Op-Ed", publish=False)

    html = html_of(client, tree.home.url)

    assert type_sections(html) == {
        "backgrounders": ["Background 10"],
        "analysis briefs": ["Analysis 4", "Analysis 3", "Analysis 2"],
    }
    assert "Draft op-ed" not in html


def test_top_level_guides_show_their_newest_event_without_its_citations(client: Any) -> None:
    tree = make_site_tree()
    pakistan = make_topic(tree, "Pakistan")
    pakistan.timeline = [
        (
            "event",
            {"date": dt.date(2010, 11, 28), "text": "<p>Cables published.</p>", "briefs": []},
        ),
        (
            "event",
            {
                "date": dt.date(2011, 5, 2),
                "text": '<p>Raid in Abbottabad <a id="1" linktype="source">(AP)</a>.</p>',
                "briefs": [],
            },
        ),
    ]
    pakistan.save_revision().publish()
    sub = make_topic(tree, "Kashmir")
    sub.move(pakistan, pos="last-child")
    hidden = make_topic(tree, "Secret guide")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")

    html = html_of(client, tree.home.url)
    guides = section(html, '<section class="front-guides"', "</section>")

    assert re.findall(r'class="front-guide__title"[^>]*>.*?</span> ([^<]+)</a>', guides) == [
        "Pakistan"
    ]
    assert '<time datetime="2011-05-02">May 2, 2011</time> Raid in Abbottabad.' in guides


def test_featured_experts_are_shown_in_order_and_only_when_visible(client: Any) -> None:
    tree = make_site_tree()
    first = make_author(tree, "Clara", "Whitcombe")
    second = make_author(tree, "Idris", "Qamaruddin")
    hidden = make_author(tree, "Jonah", "Eberly")
    tree.home.featured_experts = [
        HomeFeaturedExpert(expert=second),
        HomeFeaturedExpert(expert=hidden),
        HomeFeaturedExpert(expert=first),
    ]
    tree.home.save_revision().publish()
    hidden.unpublish()

    html = html_of(client, tree.home.url)
    experts = section(html, '<section class="front-experts"', "</section>")

    names = re.findall(r'class="front-expert__name" href="[^"]+">([^<]+)</a>', experts)
    assert names == ["Idris Qamaruddin", "Clara Whitcombe"]


def test_an_empty_site_has_a_front_page(client: Any) -> None:
    tree = make_site_tree()

    html = html_of(client, tree.home.url)

    assert "No briefs are published yet." in html


def test_the_front_page_takes_the_same_queries_however_much_it_shows(
    client: Any, django_assert_max_num_queries: Any
) -> None:
    tree = make_site_tree()
    authors = [make_author(tree, "A", f"Author{n}") for n in range(3)]
    tree.home.featured_experts = [HomeFeaturedExpert(expert=a) for a in authors]
    tree.home.save_revision().publish()
    for n in range(3):
        make_topic(tree, f"Topic {n}")
    for n, kind in enumerate(["Analysis Brief", "Backgrounder", "Op-Ed", "Interview"] * 3):
        brief(tree, f"Brief {n}", n + 1, brief_type=kind, authors=authors[:2])
    html_of(client, tree.home.url)  # warm Wagtail's site-root cache

    # Wagtail's own (site, page, its restrictions: 4), the private sections, the lead and its
    # authors, the latest by type and their authors, guides, experts, portraits, the header's
    # topics and the footer's pages: 15 at most, however many of each there are.
    with django_assert_max_num_queries(15):
        html = html_of(client, tree.home.url)

    assert len(titles(html)) == 1 + 4 * 3 - 1  # the lead, three per type, the lead not again


LATEST_EVENT_CASES = [
    ([], None),
    ([{"type": "event", "value": {"date": "bad", "text": "<p>x</p>"}}], None),
    (
        [
            {"type": "event", "value": {"date": "2010-01-02", "text": "<p>Old.</p>"}},
            {
                "type": "event",
                "value": {"date": "2011-03-04", "text": "<p>New &amp; <b>bold</b>.</p>"},
            },
            {"type": "event", "value": {"date": "2011-03-04", "text": "<p>Same day, later.</p>"}},
        ],
        (dt.date(2011, 3, 4), "New & bold."),
    ),
]


@pytest.mark.parametrize(("raw", "expected"), LATEST_EVENT_CASES)
def test_the_newest_event_is_read_from_the_raw_timeline(raw: Any, expected: Any) -> None:
    event = latest_event(raw)

    assert (event and (event.date, event.text)) == expected

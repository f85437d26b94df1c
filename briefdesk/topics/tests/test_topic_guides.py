"""A topic guide as a topic's home: its timeline (newest first, citations as in a brief's
body), key facts, briefs filterable by type, most cited sources and sub-topics; the box on a
brief and the topic index. Nothing a reader may not open shows on any of them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text import RichText

from briefdesk.briefs.models import BriefPage
from briefdesk.sources.models import Source
from briefdesk.topics.models import TopicGuidePage
from briefdesk.topics.timeline import timeline_events
from tests.db import rolled_back
from tests.factories import (
    OutletFactory,
    SiteTree,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)
from tests.pages import html_of, section

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: SiteTree
    guide: TopicGuidePage
    empty: TopicGuidePage
    sub: TopicGuidePage
    reuters: Source
    cable: Source
    draft_source: Source
    analysis: BriefPage
    op_ed: BriefPage
    boxed: BriefPage


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def event(date: str, text: str, briefs: list[Any] | None = None) -> tuple[str, dict[str, Any]]:
    return (
        "event",
        {"date": dt.date.fromisoformat(date), "text": RichText(text), "briefs": briefs or []},
    )


def build_world() -> World:
    tree = make_site_tree()
    author = make_author(tree)
    guide = make_topic(tree, "Pakistan")
    empty = make_topic(tree, "Empty Quarter")
    sub = TopicGuidePage(title="Tribal Areas", slug="tribal-areas", description="The border.")
    guide.add_child(instance=sub)
    sub = _publish(sub)
    hidden_sub = TopicGuidePage(title="Secret Saffron Valley", slug="saffron")
    guide.add_child(instance=hidden_sub)
    _publish(hidden_sub)
    PageViewRestriction.objects.create(page=hidden_sub, restriction_type="login")

    reuters = SourceFactory(outlet=OutletFactory(name="Reuters"), title="Convoys halted")
    cable = SourceFactory(outlet=OutletFactory(name="WikiLeaks", short_label="Cable"))
    draft_source = SourceFactory(outlet=OutletFactory(name="Draft Daily"), live=False)
    # Not cited by any brief: no page on the site (sources.views), so no link to one.
    uncited = SourceFactory(outlet=OutletFactory(name="Lonely Gazette"), url="")

    def brief(title: str, **kwargs: Any) -> BriefPage:
        return make_brief(tree, title=title, authors=[author], topics=[guide], **kwargs)

    para = ("paragraph", f"<p>Claim {cite(reuters)} and {cite(cable)}.</p>")
    analysis = brief("Torkham analysis", date=dt.date(2010, 10, 5), body=[para])
    op_ed = brief(
        "An op-ed on aid",
        date=dt.date(2010, 11, 1),
        brief_type="Op-Ed",
        body=[("paragraph", f"<p>Aid {cite(reuters)}.</p>")],
    )
    draft = brief("Draft Narwhal brief", body=[para], publish=False)
    private = brief("Private Zeppelin brief", body=[para])
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    guide.description = "Relations between Washington and Islamabad."
    guide.key_facts = [("fact", {"label": "Capital", "value": "Islamabad"})]
    guide.timeline = [
        event("2010-01-05", "<p>Oldest event.</p>"),
        event(
            "2011-05-02",
            f"<p>Newest event {cite(reuters)} and {cite(draft_source, 'Drafty')}.</p>",
            [analysis, draft, private],
        ),
        event("2010-09-30", f"<p>Middle event {cite(uncited)}.</p>", [op_ed]),
    ]
    guide = _publish(guide)
    boxed = make_brief(
        tree,
        title="A brief with a box",
        date=dt.date(2009, 1, 1),
        body=[("topic_box", {"topic": guide, "text": "Fallback line."})],
    )
    return World(tree, guide, empty, sub, reuters, cable, draft_source, analysis, op_ed, boxed)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def listed_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="brief-item__title"><a href="[^"]+">([^<]+)</a>', html)


def timeline_of(html: str) -> str:
    return section(html, 'id="timeline-title"', "</section>")


# --- the timeline ------------------------------------------------------------------------


def test_the_timeline_lists_events_newest_first(world: World, client: Any) -> None:
    html = timeline_of(html_of(client, world.guide.url))

    assert re.findall(r'<time datetime="([\d-]+)">', html) == [
        "2011-05-02",
        "2010-09-30",
        "2010-01-05",
    ]
    assert '<time datetime="2011-05-02">May 2, 2011</time>' in html


def test_an_event_shows_its_cited_sources_as_a_brief_body_does(world: World, client: Any) -> None:
    html = timeline_of(html_of(client, world.guide.url))

    assert re.search(
        rf'Newest event <span class="cite">\(<a href="{world.reuters.url}" '
        rf'data-source="{world.reuters.pk}"[^>]*>Reuters</a>\)',
        html,
    )


def test_a_draft_source_cited_in_an_event_is_its_text_unlinked(world: World, client: Any) -> None:
    html = timeline_of(html_of(client, world.guide.url))

    assert '<span class="cite cite--missing">(Drafty)</span>' in html
    assert f'data-source="{world.draft_source.pk}"' not in html
    assert "Draft Daily" not in html


def test_a_source_without_a_public_page_is_listed_but_not_linked_to_one(
    world: World, client: Any
) -> None:
    html = html_of(client, world.guide.url)
    lonely = Source.objects.get(outlet__name="Lonely Gazette")

    assert f'<li id="source-{lonely.pk}">' in html
    assert f"/sources/{lonely.pk}/" not in html
    assert f'href="/sources/{world.reuters.pk}/"' in html  # cited by a public brief


def test_an_event_links_only_the_briefs_a_reader_may_open(world: World, client: Any) -> None:
    html = timeline_of(html_of(client, world.guide.url))

    assert f'href="{world.analysis.url}">Torkham analysis</a>' in html
    assert f'href="{world.op_ed.url}">An op-ed on aid</a>' in html
    assert "Narwhal" not in html
    assert "Zeppelin" not in html


# --- the guide's briefs ------------------------------------------------------------------


def test_the_guide_lists_its_published_public_briefs_newest_first(
    world: World, client: Any
) -> None:
    html = html_of(client, world.guide.url)

    assert listed_titles(html) == ["An op-ed on aid", "Torkham analysis"]
    assert "Narwhal" not in html
    assert "Zeppelin" not in html


@pytest.mark.parametrize(
    ("value", "titles"),
    [("op-ed", ["An op-ed on aid"]), ("Analysis Brief", ["Torkham analysis"]), ("", None)],
)
def test_the_type_filter_lists_only_briefs_of_that_type(
    world: World, client: Any, value: str, titles: list[str] | None
) -> None:
    html = html_of(client, f"{world.guide.url}?type={value}")

    assert listed_titles(html) == (titles or ["An op-ed on aid", "Torkham analysis"])


def test_a_type_without_briefs_on_the_guide_says_so(world: World, client: Any) -> None:
    html = html_of(client, f"{world.guide.url}?type=interview")

    assert listed_titles(html) == []
    assert "No Interview on Pakistan yet." in html


@pytest.mark.parametrize("value", ["nonsense", "<script>", "op-ed'--", "x" * 5000])
def test_an_unknown_type_is_not_found(world: World, client: Any, value: str) -> None:
    assert client.get(world.guide.url, {"type": value}).status_code == 404


@pytest.mark.parametrize("number", ["abc", "999999", "-1", "0", "1.5"])
def test_a_bad_page_number_shows_a_page_of_briefs(world: World, client: Any, number: str) -> None:
    html = html_of(client, f"{world.guide.url}?page={number}")

    assert listed_titles(html) == ["An op-ed on aid", "Torkham analysis"]


# --- side panels -------------------------------------------------------------------------


def test_the_most_cited_sources_are_counted_over_published_public_briefs(
    world: World, client: Any
) -> None:
    html = section(html_of(client, world.guide.url), 'id="most-cited-title"', "</section>")

    rows = re.findall(r'<li><a href="/sources/(\d+)/">[^<]+</a> <span[^>]*>([^<]+)</span>', html)
    # Reuters: the analysis and the op-ed (the draft and private briefs do not count).
    assert rows == [
        (str(world.reuters.pk), "Reuters · cited in 2 briefs"),
        (str(world.cable.pk), "Cable · cited in 1 brief"),
    ]


def test_key_facts_and_public_sub_topics_are_shown(world: World, client: Any) -> None:
    html = html_of(client, world.guide.url)

    assert "<dt>Capital</dt><dd>Islamabad</dd>" in html
    subtopics = section(html, 'id="subtopics-title"', "</section>")
    assert f'href="{world.sub.url}">Tribal Areas</a><p>The border.</p>' in subtopics
    assert "Saffron" not in html


def test_a_sub_guide_names_its_parent(world: World, client: Any) -> None:
    html = html_of(client, world.sub.url)

    assert f'Part of <a href="{world.guide.url}">Crisis Guide: Pakistan</a>' in html


def test_a_guide_without_events_briefs_or_facts_renders(world: World, client: Any) -> None:
    html = html_of(client, world.empty.url)

    assert "<h1>Empty Quarter</h1>" in html
    assert "No events on the timeline yet." in html
    assert "No published briefs on this topic yet." in html
    assert "Key facts" not in html
    assert "Most cited sources" not in html


def test_the_guide_page_takes_a_bounded_number_of_queries(
    world: World, client: Any, django_assert_max_num_queries: Any
) -> None:
    client.get(world.guide.url)  # warm the site-root cache

    # About half are Wagtail's routing and the site's chrome (menus, footer); the guide's own
    # are a fixed dozen, however many events, briefs and sources it has.
    with django_assert_max_num_queries(26):
        assert client.get(world.guide.url).status_code == 200


# --- the box on a brief and the topic index ----------------------------------------------


def test_the_box_on_a_brief_shows_description_and_latest_event(world: World, client: Any) -> None:
    html = html_of(client, world.boxed.url)
    box = section(html, '<aside class="topic-box"', "</aside>")

    assert '<span class="topic-box__label">Crisis Guide:</span>' in box
    assert "Relations between Washington and Islamabad." in box
    assert "Fallback line." not in box
    assert '<time datetime="2011-05-02">May 2, 2011</time> — Newest event and.' in box
    assert "Reuters" not in box  # no nested citations in the box


def test_the_box_falls_back_to_its_own_text_without_a_description(
    world: World, client: Any
) -> None:
    brief = make_brief(
        world.tree,
        title="A brief boxing the empty guide",
        body=[("topic_box", {"topic": world.empty, "text": "Fallback line."})],
    )
    box = section(html_of(client, brief.url), '<aside class="topic-box"', "</aside>")

    assert "Fallback line." in box
    assert "Latest:" not in box


def test_the_topic_index_shows_guides_with_their_latest_event_and_sub_guides(
    world: World, client: Any
) -> None:
    html = html_of(client, world.tree.topics.url)

    pakistan = section(html, f'card__title"><a href="{world.guide.url}">Pakistan</a>', "</ul>")
    assert "Relations between Washington and Islamabad." in pakistan
    assert "May 2, 2011</time> — Newest event and." in pakistan
    assert f'href="{world.sub.url}">Tribal Areas</a>' in pakistan
    assert "Saffron" not in html
    assert html.index(">Empty Quarter</a>") < html.index(">Pakistan</a>")


# --- timeline data -----------------------------------------------------------------------


def raw(date: Any, text: str = "<p>x</p>", briefs: Any = None) -> dict[str, Any]:
    return {"type": "event", "value": {"date": date, "text": text, "briefs": briefs or []}}


@pytest.mark.parametrize(
    ("items", "dates"),
    [
        ([raw("2010-01-01"), raw("2011-01-01")], ["2011-01-01", "2010-01-01"]),
        ([raw("2010-13-01"), raw(None), raw("2010-01-01")], ["2010-01-01"]),
        ([{"type": "other", "value": {}}, "junk", raw("2009-02-03")], ["2009-02-03"]),
        ([], []),
    ],
)
def test_timeline_events_are_newest_first_and_skip_what_is_not_an_event(
    items: list[Any], dates: list[str]
) -> None:
    assert [e.date.isoformat() for e in timeline_events(items)] == dates


def test_events_on_one_date_keep_the_editors_order() -> None:
    events = timeline_events([raw("2010-01-01", "<p>a</p>"), raw("2010-01-01", "<p>b</p>")])

    assert [e.text for e in events] == ["<p>a</p>", "<p>b</p>"]


@pytest.mark.parametrize(
    ("briefs", "ids"),
    [
        ([{"type": "item", "value": 3, "id": "u"}, {"type": "item", "value": None}], (3,)),
        ([4, "5", "x", True], (4, 5)),
        (None, ()),
    ],
)
def test_an_events_brief_ids_are_read_from_either_list_format(briefs: Any, ids: tuple) -> None:
    assert timeline_events([raw("2010-01-01", briefs=briefs)])[0].brief_ids == ids


def test_an_events_summary_is_plain_text_without_citations() -> None:
    text = '<p>Floods <b>spread</b> <a linktype="source" id="4">Reuters</a>; aid &amp; relief.</p>'

    assert timeline_events([raw("2010-01-01", text)])[0].summary == "Floods spread; aid & relief."

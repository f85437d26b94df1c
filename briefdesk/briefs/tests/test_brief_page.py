"""The brief page at /briefs/<slug>/: every part a reader sees, from the type label to the
Sources list, and what it costs to render.

Most tests read one fully furnished brief built once for the module (inside a transaction that
is rolled back afterwards); tests that change something do it inside their own transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.rich_text import RichText

from briefdesk.briefs.models import BriefPage, BriefRelatedPin
from briefdesk.sources.models import Outlet, Source
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
from tests.pages import page_html, section

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: SiteTree
    author: Any
    second_author: Any
    topic: Any
    reuters: Source
    bbc: Source
    nyt: Source
    crs: Source
    cable: Source
    dawn: Source
    brief: BriefPage
    two_authors: BriefPage
    second: BriefPage


def build_world() -> World:
    tree = make_site_tree()
    author = make_author(tree, "Jayshree", "Bajoria")
    second_author = make_author(tree, "Greg", "Bruno")
    topic = make_topic(tree, "Pakistan")
    other_topic = make_topic(tree, "Afghanistan")
    reuters = SourceFactory(
        outlet=OutletFactory(name="Reuters"),
        title="Pakistan condemns leaks",
        issued="2010-11-29",
        url="https://www.reuters.com/pakistan-condemns",
    )
    bbc = SourceFactory(outlet=OutletFactory(name="BBC News"), title="Reaction in Pakistan")
    nyt = SourceFactory(outlet=OutletFactory(name="The New York Times", short_label="NYT"))
    crs = SourceFactory(
        kind="report", outlet=OutletFactory(name="Congressional Research Service"), medium="PDF"
    )
    cable = SourceFactory(kind="diplomatic_cable", outlet=OutletFactory(name="WikiLeaks"), url="")
    dawn = SourceFactory(outlet=OutletFactory(name="Dawn"), title="What the cables leave out")
    brief = make_brief(
        tree,
        authors=[author],
        topics=[topic],
        date=dt.date(2010, 12, 6),
        body=[
            ("paragraph", f"<p>Islamabad was restrained {cite(bbc)} and firm {cite(reuters)}.</p>"),
            (
                "paragraph",
                f"<p>Fuel talks {cite(nyt)}; aid {cite(crs)}; the army chief {cite(cable)}; "
                f"again {cite(bbc)}.</p>",
            ),
            (
                "paragraph",
                '<p>Writing <a href="https://thenews.example/op-ed">in an op-ed</a>, '
                "a columnist disagreed.</p>",
            ),
            ("quote", {"quote": "They told us nothing new.", "attribution": "Rehana Qadri"}),
            ("topic_box", {"topic": topic, "text": ""}),
        ],
        additional_analysis=[
            f"<p>Saima Gulzar argues for an account {cite(dawn)}.</p>",
            "<p>Matthew Varga cautions against reading too much.</p>",
        ],
    )
    # The same story: they cite the brief's sources (More on This Topic is scored).
    story = [
        ("paragraph", f"<p>Islamabad was restrained {cite(bbc)} and firm {cite(reuters)}.</p>")
    ]
    for day, title in [(1, "Oldest"), (3, "Third"), (7, "Newest")]:
        make_brief(tree, title=title, topics=[topic], date=dt.date(2010, 11, day), body=story)
    second = make_brief(
        tree,
        title="Second",
        brief_type="Backgrounder",
        topics=[topic],
        authors=[author],
        date=dt.date(2010, 11, 5),
        summary="How a bank run became a test of the Karzai government.",
        # Closest to the brief: it cites all of the brief's body sources.
        body=[
            ("paragraph", f"<p>Islamabad was restrained {cite(bbc)} and firm {cite(reuters)}.</p>"),
            (
                "paragraph",
                f"<p>Fuel talks {cite(nyt)}; aid {cite(crs)}; the chief {cite(cable)}.</p>",
            ),
        ],
    )
    # Newer than every published brief on the topic, but never published.
    make_brief(
        tree, title="Draft", topics=[topic], date=dt.date(2011, 1, 1), publish=False, live=False
    )
    two_authors = make_brief(
        tree,
        title="Elsewhere",
        topics=[other_topic],
        authors=[author, second_author],
        date=dt.date(2011, 1, 2),
    )
    return World(
        tree=tree,
        author=author,
        second_author=second_author,
        topic=topic,
        reuters=reuters,
        bbc=bbc,
        nyt=nyt,
        crs=crs,
        cable=cable,
        dawn=dawn,
        brief=brief,
        two_authors=two_authors,
        second=second,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


# --- helpers -----------------------------------------------------------------------------


def brief_body(html: str) -> str:
    return section(html, '<div class="brief-body">', '<section class="additional-analysis"')


def cite_link(source: Source, label: str, href: str | None = None) -> str:
    href = source.url if href is None else href
    robust = ""
    if source.url.startswith(("http://", "https://")):  # Robust Links: URL and day linked
        linked = source.accessed or source.created_at.date()
        robust = f' data-originalurl="{source.url}" data-versiondate="{linked:%Y-%m-%d}"'
    return f'(<a href="{href}" data-source="{source.pk}"{robust}>{label}</a>)'


def note(number: int) -> str:
    """The endnote number print shows after a citation."""
    return f'<sup class="cite-note" aria-hidden="true">{number}</sup>'


def sources_order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li id="source-(\d+)">', html)]


def set_fields(page: BriefPage, **fields: Any) -> None:
    """Change columns of the live row directly, as a published revision would."""
    BriefPage.objects.filter(pk=page.pk).update(**fields)


def set_body(page: BriefPage, db_html: str) -> None:
    live = BriefPage.objects.get(pk=page.pk)
    live.body = [("paragraph", RichText(db_html))]
    live.save(update_fields=["body"])


# --- header ------------------------------------------------------------------------------


def test_it_serves_a_brief_under_briefs_slug(world: World, client: Any) -> None:
    assert world.brief.url == "/briefs/how-wikileaks-hurts-us-pakistan-ties/"
    assert client.get(world.brief.url).status_code == 200


def test_it_shows_the_type_label_and_the_title(world: World, client: Any) -> None:
    set_fields(world.brief, brief_type="Backgrounder")

    html = page_html(client, world.brief)

    header = section(html, '<header class="brief-header">', "</header>")
    assert '<p class="type-label">Backgrounder No. 2010-1</p>' in header
    assert (
        '<h1 id="brief-title" class="brief-title">How WikiLeaks Hurts U.S.-Pakistan Ties</h1>'
    ) in header


def test_it_links_a_single_author_byline_to_the_author_page(world: World, client: Any) -> None:
    html = page_html(client, world.brief)

    assert world.author.url == "/authors/jayshree-bajoria/"
    assert (
        f'<p class="byline">Author: <a href="{world.author.url}">Jayshree Bajoria</a></p>'
    ) in html


def test_it_joins_two_authors_with_and_under_authors(world: World, client: Any) -> None:
    html = page_html(client, world.two_authors)

    assert (
        f'<p class="byline">Authors: <a href="{world.author.url}">Jayshree Bajoria</a> and '
        f'<a href="{world.second_author.url}">Greg Bruno</a></p>'
    ) in html


@pytest.mark.parametrize(
    ("date", "written"),
    [
        (dt.date(2010, 12, 6), "December 6, 2010"),
        (dt.date(2011, 2, 15), "February 15, 2011"),
        (dt.date(2009, 7, 1), "July 1, 2009"),
    ],
)
def test_it_writes_the_date_out_in_full(
    world: World, client: Any, date: dt.date, written: str
) -> None:
    set_fields(world.brief, date=date)

    html = page_html(client, world.brief)

    dateline = section(html, '<p class="dateline">', "</p>")
    assert dateline == f'<time datetime="{date:%Y-%m-%d}">{written}</time>'


def test_it_shows_updated_when_the_updated_date_is_after_the_date(
    world: World, client: Any
) -> None:
    set_fields(world.brief, date=dt.date(2010, 10, 5), updated=dt.date(2010, 10, 11))

    html = page_html(client, world.brief)

    assert 'Updated <time datetime="2010-10-11">October 11, 2010</time>' in html


@pytest.mark.parametrize(
    "updated",
    [None, dt.date(2010, 10, 5), dt.date(2010, 10, 1)],
    ids=["no-updated-date", "same-day", "before-the-date"],
)
def test_it_does_not_show_updated_unless_it_is_after_the_date(
    world: World, client: Any, updated: dt.date | None
) -> None:
    set_fields(world.brief, date=dt.date(2010, 10, 5), updated=updated)

    html = page_html(client, world.brief)

    assert "Updated" not in html


def test_it_shows_updated_on_the_day_a_later_revision_was_published(
    world: World, client: Any
) -> None:
    set_fields(
        world.brief,
        date=dt.date(2010, 10, 5),
        updated=None,
        first_published_at=timezone.make_aware(dt.datetime(2010, 10, 5, 9)),
        last_published_at=timezone.make_aware(dt.datetime(2010, 10, 12, 9)),
    )

    html = page_html(client, world.brief)

    assert 'Updated <time datetime="2010-10-12">October 12, 2010</time>' in html


def test_it_offers_a_print_button_and_a_cite_link_to_the_cite_page(
    world: World, client: Any
) -> None:
    brief = world.brief

    actions = section(page_html(client, brief), '<div class="brief-actions">', "</div>")

    cite_url = brief.url + brief.reverse_subpage("cite")
    assert cite_url == f"/briefs/{brief.slug}/cite/"
    assert re.search(r'<button type="button"[^>]*data-action="print"[^>]*>Print</button>', actions)
    assert re.search(rf'<a [^>]*href="{re.escape(cite_url)}"[^>]*>Cite</a>', actions)


# --- cite dialog -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "label"), [("mla", "MLA"), ("apa", "APA"), ("chicago-nb", "Chicago")]
)
def test_the_cite_dialog_shows_the_stored_citation_in_each_style(
    world: World, client: Any, key: str, label: str
) -> None:
    stored = world.brief.citations[key]["bibliography_html"]

    dialog = section(page_html(client, world.brief), '<dialog id="cite-dialog"', "</dialog>")

    assert "Bajoria" in stored
    assert re.search(rf'<input type="radio" name="cite-style" value="{key}"[^>]*> {label}<', dialog)
    assert re.search(
        rf'<p class="cite-text" data-style="{key}"[^>]*>{re.escape(stored)}</p>', dialog
    )


def test_the_cite_dialog_has_a_close_button(world: World, client: Any) -> None:
    dialog = section(page_html(client, world.brief), '<dialog id="cite-dialog"', "</dialog>")

    assert re.search(r'<button type="button"[^>]*data-cite="close"[^>]*>Close</button>', dialog)


def test_the_cite_dialog_shows_what_is_stored_without_formatting_again(
    world: World, client: Any
) -> None:
    stored = {
        key: {"bibliography": f"{key} plain", "bibliography_html": f"<i>{key}</i> stored"}
        for key in ("mla", "apa", "chicago-nb", "chicago-ad")
    }
    set_fields(world.brief, citations=stored)

    dialog = section(page_html(client, world.brief), '<dialog id="cite-dialog"', "</dialog>")

    for key in ("mla", "apa", "chicago-nb", "chicago-ad"):
        assert f"<i>{key}</i> stored" in dialog
    assert "Bajoria" not in dialog


# --- body --------------------------------------------------------------------------------


def test_it_renders_outlet_label_in_parentheses_linked_to_the_source(
    world: World, client: Any
) -> None:
    html = page_html(client, world.brief)
    number = sources_order(html).index(world.reuters.pk) + 1

    assert (
        f'firm <span class="cite">{cite_link(world.reuters, "Reuters")}{note(number)}</span>.</p>'
        in brief_body(html)
    )


def test_it_prefers_the_outlet_short_label_to_its_name(world: World, client: Any) -> None:
    body = brief_body(page_html(client, world.brief))

    assert cite_link(world.nyt, "NYT") in body
    assert "The New York Times" not in body


def test_it_labels_a_pdf_source_pdf(world: World, client: Any) -> None:
    body = brief_body(page_html(client, world.brief))

    assert cite_link(world.crs, "PDF") in body
    assert "Congressional Research Service</a>)" not in body


def test_a_source_without_a_url_links_to_its_source_page(world: World, client: Any) -> None:
    html = page_html(client, world.brief)

    cable = world.cable
    href = reverse("sources:detail", args=[cable.pk])
    assert cite_link(cable, "WikiLeaks", href=href) in brief_body(html)
    assert f'<li id="source-{cable.pk}">' in html


def test_it_keeps_plain_inline_links(world: World, client: Any) -> None:
    body = brief_body(page_html(client, world.brief))

    assert (
        '<p>Writing <a href="https://thenews.example/op-ed">in an op-ed</a>, '
        "a columnist disagreed.</p>"
    ) in body


def test_it_renders_a_block_quote_with_its_attribution(world: World, client: Any) -> None:
    body = brief_body(page_html(client, world.brief))

    quote = section(body, '<figure class="brief-quote">', "</figure>")
    assert "<blockquote><p>They told us nothing new.</p></blockquote>" in quote
    assert "<figcaption>— Rehana Qadri</figcaption>" in quote


def test_it_renders_the_topic_box_linking_to_the_topic_page(world: World, client: Any) -> None:
    body = brief_body(page_html(client, world.brief))

    box = section(body, '<aside class="topic-box"', "</aside>")
    assert world.topic.url == "/topics/pakistan/"
    assert 'aria-label="Crisis Guide: Pakistan"' in box
    assert (
        f'<a href="{world.topic.url}"><span class="topic-box__label">Crisis Guide:</span> '
        '<span class="topic-box__title">Pakistan</span></a>'
    ) in box


def test_it_lists_additional_analysis_items(world: World, client: Any) -> None:
    html = page_html(client, world.brief)

    analysis = section(html, '<section class="additional-analysis"', "</section>")
    assert ">Additional Analysis</h2>" in analysis
    assert re.findall(r"<li>(.*?)</li>", analysis) == [
        '<p>Saima Gulzar argues for an account <span class="cite">'
        f"{cite_link(world.dawn, 'Dawn')}{note(sources_order(html).index(world.dawn.pk) + 1)}"
        "</span>.</p>",
        "<p>Matthew Varga cautions against reading too much.</p>",
    ]


def test_it_leaves_out_additional_analysis_when_there_is_none(world: World, client: Any) -> None:
    assert "Additional Analysis" not in page_html(client, world.two_authors)


# --- More on This Topic ------------------------------------------------------------------


def more_on_topic(html: str) -> str:
    return section(html, '<aside class="more-on-topic"', "</aside>")


def listed_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="brief-item__title"><a href="[^"]+">([^<]+)</a></h3>', html)


STORY = {"Oldest", "Third", "Newest", "Second"}  # citing the brief's sources; Draft never


def test_more_on_this_topic_lists_three_published_briefs_of_the_same_story(
    world: World, client: Any
) -> None:
    aside = more_on_topic(page_html(client, world.brief))

    assert ">More on This Topic</h2>" in aside
    listed = listed_titles(aside)
    assert len(listed) == 3
    assert set(listed) <= STORY
    assert "Second" in listed  # it cites every source the brief's body cites


def test_more_on_this_topic_shows_type_title_byline_and_teaser_for_each_brief(
    world: World, client: Any
) -> None:
    aside = more_on_topic(page_html(client, world.brief))

    item = section(aside, '<p class="type-label">Backgrounder</p>', "</article>")
    assert f'<a href="{world.second.url}">Second</a>' in item
    assert '<p class="brief-item__people">Author: Jayshree Bajoria</p>' in item
    assert (
        '<p class="brief-item__teaser">How a bank run became a test of the Karzai government.</p>'
    ) in item


def test_more_on_this_topic_never_lists_the_brief_itself(world: World, client: Any) -> None:
    aside = more_on_topic(page_html(client, world.second))

    listed = listed_titles(aside)
    assert "Second" not in listed
    assert listed[0] == "How WikiLeaks Hurts U.S.-Pakistan Ties"  # the most sources shared
    assert set(listed[1:]) <= STORY


def test_more_on_this_topic_is_left_out_when_no_other_brief_shares_a_topic(
    world: World, client: Any
) -> None:
    assert "More on This Topic" not in page_html(client, world.two_authors)


def test_pinned_related_briefs_come_before_the_automatic_choice(world: World, client: Any) -> None:
    BriefRelatedPin.objects.create(page=world.brief, related=world.two_authors)

    aside = more_on_topic(page_html(client, world.brief))

    listed = listed_titles(aside)
    assert listed[0] == "Elsewhere"  # pinned, though it shares no source
    assert len(listed) == 3
    assert set(listed[1:]) <= STORY


# --- Sources -----------------------------------------------------------------------------


def test_it_lists_sources_in_order_of_first_citation(world: World, client: Any) -> None:
    sources = section(page_html(client, world.brief), '<ol class="source-list">', "</ol>")

    ids = [int(i) for i in re.findall(r'<li id="source-(\d+)">', sources)]
    w = world
    assert ids == [w.bbc.pk, w.reuters.pk, w.nyt.pk, w.crs.pk, w.cable.pk, w.dawn.pk]


def test_each_source_entry_shows_outlet_title_date_and_link(world: World, client: Any) -> None:
    sources = section(page_html(client, world.brief), '<ol class="source-list">', "</ol>")
    entry = section(sources, f'<li id="source-{world.reuters.pk}">', "</li>")

    assert "<i>Reuters</i>" in entry
    assert "Pakistan Condemns Leaks" in entry or "Pakistan condemns leaks" in entry
    assert "November 29, 2010" in entry
    assert (
        '<a href="https://www.reuters.com/pakistan-condemns">'
        "https://www.reuters.com/pakistan-condemns</a>"
    ) in entry


def test_editing_an_outlet_label_changes_the_label_on_the_brief_without_resaving_it(
    world: World, client: Any
) -> None:
    saved = BriefPage.objects.filter(pk=world.brief.pk).values().get()

    assert world.reuters.outlet_id is not None
    outlet = Outlet.objects.get(pk=world.reuters.outlet_id)
    outlet.short_label = "Reuters wire"
    outlet.save()

    body = brief_body(page_html(client, world.brief))
    assert cite_link(world.reuters, "Reuters wire") in body
    assert cite_link(world.reuters, "Reuters") not in body
    assert BriefPage.objects.filter(pk=world.brief.pk).values().get() == saved


def test_a_deleted_source_renders_its_stored_text_in_parentheses_unlinked(
    world: World, client: Any
) -> None:
    source_id = world.reuters.pk

    Source.objects.get(pk=source_id).delete()

    response = client.get(world.brief.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'firm <span class="cite cite--missing">(Reuters)</span>.</p>' in brief_body(html)
    assert f'data-source="{source_id}"' not in html
    assert f'id="source-{source_id}"' not in html


# --- safety ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "forbidden"),
    [
        ("<p>Hello<script>alert('body')</script></p>", "alert('body')"),
        ('<p><a href="https://ok.example/" onclick="steal()">link</a></p>', "steal()"),
        ('<p><a href="javascript:alert(1)">link</a></p>', "javascript:"),
        ('<p><img src="x" onerror="boom()">text</p>', "boom()"),
        ('<p style="color:red" onmouseover="hover()">text</p>', "hover()"),
    ],
    ids=["script", "onclick", "javascript-href", "img-onerror", "paragraph-handler"],
)
def test_it_strips_html_injected_into_a_stored_paragraph(
    world: World, client: Any, stored: str, forbidden: str
) -> None:
    set_body(world.brief, stored)

    body = brief_body(page_html(client, world.brief))

    assert forbidden not in body
    assert "<script" not in body


def test_it_keeps_the_text_of_a_link_whose_javascript_href_was_stripped(
    world: World, client: Any
) -> None:
    set_body(world.brief, '<p>See <a href="javascript:alert(1)">this</a>.</p>')

    body = brief_body(page_html(client, world.brief))

    assert "See <a>this</a>." in body


def test_it_escapes_a_title_containing_a_script_tag(world: World, client: Any) -> None:
    brief = make_brief(world.tree, title="Ties <script>alert('title')</script>", slug="ties")

    html = page_html(client, brief)

    assert "<script>alert('title')</script>" not in html
    assert "Ties &lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html


# --- cost --------------------------------------------------------------------------------


def brief_citing(world: World, n: int, slug: str) -> BriefPage:
    # Sources are inserted in bulk: the page reads their labels, not their stored formatting.
    outlets = Outlet.objects.bulk_create(
        Outlet(name=f"{slug} outlet {i}", short_label=f"O{i}") for i in range(n)
    )
    sources = Source.objects.bulk_create(
        Source(title=f"Story {i}", outlet=o, url=f"https://news.example/{slug}/{i}")
        for i, o in enumerate(outlets)
    )
    cites = " ".join(cite(s) for s in sources)
    return make_brief(
        world.tree,
        title=f"Brief {slug}",
        slug=slug,
        authors=[world.author],
        topics=[world.topic],
        body=[("paragraph", f"<p>Claims {cites}.</p>")],
        additional_analysis=[f"<p>More {cite(sources[0])}.</p>"],
    )


TRANSACTION_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK|BEGIN|COMMIT)\b", re.I)


def count_queries(client: Any, page: BriefPage) -> tuple[int, str]:
    """Data queries made to render a page (the savepoints of ATOMIC_REQUESTS aside)."""
    with CaptureQueriesContext(connection) as context:
        html = page_html(client, page)
    queries = [q for q in context.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]
    return len(queries), html


def test_rendering_a_brief_takes_the_same_queries_for_2_or_30_sources(
    world: World, client: Any
) -> None:
    small = brief_citing(world, 2, "two-sources")
    large = brief_citing(world, 30, "thirty-sources")
    for page in (small, large):  # warm the site-root cache both requests share
        page_html(client, page)

    small_count, _ = count_queries(client, small)
    large_count, large_html = count_queries(client, large)

    assert large_html.count('<span class="cite">(<a href=') == 31
    assert small_count == large_count
    assert large_count <= 15


def test_each_citation_carries_the_number_of_its_sources_entry(world: World, client: Any) -> None:
    html = page_html(client, world.brief)
    order = sources_order(html)

    cited = re.findall(
        r'data-source="(\d+)"[^>]*>[^<]*</a>\)<sup class="cite-note"[^>]*>(\d+)</sup>', html
    )

    assert cited
    for source_id, number in cited:
        assert order[int(number) - 1] == int(source_id)


def test_the_brief_names_its_topics_in_their_order_whether_or_not_they_have_a_box(
    world: World, client: Any
) -> None:
    import json

    tree = world.tree
    iran, india, yemen = (make_topic(tree, name) for name in ("Iran", "India", "Yemen"))
    brief = make_brief(
        tree,
        slug="topics-in-order",
        topics=[yemen, india, iran],
        body=[
            ("paragraph", RichText("<p>Text.</p>")),
            ("topic_box", {"topic": yemen, "text": ""}),
        ],
    )
    links = list(brief.brief_topics.order_by("sort_order"))
    for order, link in zip((2, 0, 1), links, strict=True):  # India, Iran, Yemen by sort order
        type(link).objects.filter(pk=link.pk).update(sort_order=order)

    head = section(page_html(client, brief), "<head>", "</head>")
    json_ld = json.loads(section(head, '<script type="application/ld+json">', "</script>"))

    assert json_ld["keywords"] == ["India", "Iran", "Yemen"]

"""Nothing private or unpublished reaches a reader.

A reader may see a page that is live and not under a PageViewRestriction (Wagtail's
`.live().public()`). One site where every kind of page has a private, an unpublished and a
public twin, read as an anonymous reader: listings, the header menu, boxes on a public brief,
its metadata, the sitemap and search. Cached PDFs and private sections: test_private_pdfs.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from briefdesk.briefs.models import BriefPage, BriefRelatedPin
from tests.db import rolled_back
from tests.factories import SiteTree, make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of, section

pytestmark = pytest.mark.django_db


def make_private(page: Page, kind: str = PageViewRestriction.PASSWORD) -> PageViewRestriction:
    """Restrict a page (and so its subtree) the way the admin's privacy dialog does."""
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, password="pw")


def unpublish(page: Page) -> Page:
    page.unpublish()
    page.refresh_from_db()
    return page


@dataclass
class World:
    tree: SiteTree
    public_brief: BriefPage
    # Unique words in each hidden page's title and summary: none may appear publicly.
    hidden_words: dict[str, str]


def build_world() -> World:
    tree = make_site_tree()
    author = make_author(tree, "Open", "Writer")
    private_author = make_author(tree, "Hidden", "Quillfeather")
    make_private(private_author)
    gone_author = make_author(tree, "Former", "Inkwright")
    unpublish(gone_author)

    topic = make_topic(tree, "Open Topic")
    private_topic = make_topic(tree, "Marmalade Affairs")
    make_private(private_topic, PageViewRestriction.LOGIN)
    gone_topic = make_topic(tree, "Withdrawn Quagmires")
    unpublish(gone_topic)

    def brief(title: str, summary: str, **kwargs: Any) -> BriefPage:
        return make_brief(
            tree, title=title, summary=summary, authors=[author], topics=[topic], **kwargs
        )

    private_brief = brief(
        "Private Zeppelin brief", "Members read about zeppelinography.", date=dt.date(2011, 3, 1)
    )
    make_private(private_brief)
    draft_brief = brief(
        "Draft Narwhal brief",
        "Nobody reads about narwhalology yet.",
        date=dt.date(2011, 3, 2),
        publish=False,
    )
    gone_brief = unpublish(
        brief(
            "Withdrawn Okapi brief", "Nobody reads about okapiology now.", date=dt.date(2011, 3, 3)
        )
    )
    public_brief = make_brief(
        tree,
        title="Public brief",
        summary="Everyone reads about quokkas.",
        date=dt.date(2010, 12, 6),
        authors=[author, private_author, gone_author],
        topics=[topic, private_topic, gone_topic],
        body=[
            ("paragraph", "<p>Everyone may read this.</p>"),
            ("topic_box", {"topic": topic, "text": "The open guide."}),
            ("topic_box", {"topic": private_topic, "text": "Jam secrets box."}),
            ("topic_box", {"topic": gone_topic, "text": "Withdrawn box."}),
        ],
    )
    for n, pinned in enumerate((private_brief, draft_brief, gone_brief)):
        BriefRelatedPin.objects.create(page=public_brief, related=pinned, sort_order=n)
    return World(
        tree=tree,
        public_brief=public_brief,
        hidden_words={
            "private brief": "Zeppelin",
            "private brief's summary": "zeppelinography",
            "draft brief": "Narwhal",
            "draft brief's summary": "narwhalology",
            "unpublished brief": "Okapi",
            "unpublished brief's summary": "okapiology",
            "private topic": "Marmalade",
            "private topic's box": "Jam secrets",
            "unpublished topic": "Quagmires",
            "unpublished topic's box": "Withdrawn box",
            "private author": "Quillfeather",
            "unpublished author": "Inkwright",
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def leaks(world: World, html: str, *, allowed: tuple[str, ...] = ()) -> dict[str, str]:
    """The hidden pages whose words appear in `html` (ignoring those in `allowed`)."""
    return {
        what: word
        for what, word in world.hidden_words.items()
        if word in html and what not in allowed
    }


# Author names stay in a byline even when their page is private or unpublished (a byline
# credits a person); only the link to the page goes.
BYLINE_NAMES = ("private author", "unpublished author")


# --- a public brief ------------------------------------------------------------------------


def test_more_on_this_topic_leaves_out_private_and_unpublished_pinned_briefs(
    world: World, client: Any
) -> None:
    html = html_of(client, world.public_brief.url)

    assert leaks(world, html, allowed=BYLINE_NAMES) == {}


def test_a_public_brief_shows_no_box_for_a_private_or_unpublished_topic(
    world: World, client: Any
) -> None:
    body = section(html_of(client, world.public_brief.url), 'class="brief-body"', "</div>")

    assert "The open guide." in body
    assert "Jam secrets box." not in body
    assert "Withdrawn box." not in body
    assert body.count('class="topic-box"') == 1


def test_the_byline_links_only_to_author_pages_a_reader_can_open(world: World, client: Any) -> None:
    byline = section(html_of(client, world.public_brief.url), '<p class="byline">', "</p>")

    assert re.search(r'<a href="/authors/open-writer/">Open Writer</a>', byline)
    assert "Hidden Quillfeather" in byline and "Former Inkwright" in byline
    assert "hidden-quillfeather" not in byline
    assert "former-inkwright" not in byline


def test_the_metadata_names_only_public_topics_and_links_only_public_author_pages(
    world: World, client: Any
) -> None:
    html = html_of(client, world.public_brief.url)
    head = section(html, "<head>", "</head>")
    json_ld = json.loads(section(head, '<script type="application/ld+json">', "</script>"))

    assert json_ld["keywords"] == ["Open Topic"]
    assert "Marmalade" not in head and "Quagmires" not in head
    assert "/authors/hidden-quillfeather/" not in head
    assert "/authors/former-inkwright/" not in head
    urls = [person.get("url") for person in json_ld["author"]]
    assert urls == [f"{settings.WAGTAILADMIN_BASE_URL}/authors/open-writer/", None, None]


def test_the_cite_page_of_a_public_brief_leaks_nothing(world: World, client: Any) -> None:
    html = html_of(client, f"{world.public_brief.url}cite/")

    assert leaks(world, html, allowed=BYLINE_NAMES) == {}


# --- listings, menus, sitemap and search -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/briefs/", "/topics/", "/authors/", "/authors/open-writer/", "/topics/open-topic/"],
)
def test_public_listings_and_the_header_menu_show_nothing_hidden(
    world: World, client: Any, url: str
) -> None:
    # Author names are in bylines of the public brief; the author index lists pages.
    allowed = () if url == "/authors/" else BYLINE_NAMES
    assert leaks(world, html_of(client, url), allowed=allowed) == {}


def test_the_sitemap_lists_only_public_live_pages(world: World, client: Any) -> None:
    xml = client.get("/sitemap.xml").content.decode()

    assert "/briefs/public-brief/" in xml
    for slug in (
        "private-zeppelin-brief",
        "draft-narwhal-brief",
        "withdrawn-okapi-brief",
        "marmalade-affairs",
        "withdrawn-quagmires",
        "hidden-quillfeather",
        "former-inkwright",
    ):
        assert slug not in xml


@pytest.mark.parametrize("word", ["Zeppelin", "Narwhal", "Okapi", "Marmalade", "Quagmires"])
def test_search_finds_no_hidden_page(world: World, client: Any, word: str) -> None:
    html = html_of(client, f"{reverse('search')}?q={word}")

    assert "0 results" in html
    assert leaks(world, html.replace(word, "")) == {}  # (the page repeats the query)


def test_search_finds_no_private_author(world: World, client: Any) -> None:
    html = html_of(client, f"{reverse('search')}?q=Quillfeather")

    # Her public briefs may be found by their bylines; her own page never is.
    assert "/authors/hidden-quillfeather/" not in html
    assert "search-result--expert" not in html


def test_search_still_finds_public_pages(world: World, client: Any) -> None:
    assert "1 result " in html_of(client, f"{reverse('search')}?q=quokkas")


@pytest.mark.parametrize("fmt", ["txt", "json", "bib", "ris"])
def test_a_private_briefs_cite_downloads_answer_404(world: World, client: Any, fmt: str) -> None:
    assert client.get(f"/briefs/private-zeppelin-brief/cite.{fmt}").status_code == 404


def test_a_private_briefs_pages_show_only_the_password_form(world: World, client: Any) -> None:
    for url in ("/briefs/private-zeppelin-brief/", "/briefs/private-zeppelin-brief/cite/"):
        html = client.get(url).content.decode()
        assert "zeppelinography" not in html
        assert "password" in html.lower()

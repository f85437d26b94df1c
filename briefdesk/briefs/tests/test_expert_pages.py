"""Expert pages (/authors/<slug>/): photo, links, topics with counts and briefs; and the
experts index grouped by topic. Only what a reader may open is shown or counted."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from wagtail.images.models import Image
from wagtail.models import PageViewRestriction

from briefdesk.briefs.models import AuthorPage
from briefdesk.core.demo.loader import _portrait_png
from briefdesk.topics.models import TopicGuidePage
from tests.db import rolled_back
from tests.factories import SiteTree, make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of, section

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: SiteTree
    clara: AuthorPage
    idris: AuthorPage
    newcomer: AuthorPage
    pakistan: TopicGuidePage
    nuclear: TopicGuidePage
    sub: TopicGuidePage


def build_world() -> World:
    tree = make_site_tree()
    clara = make_author(tree, "Clara", "Whitcombe")
    idris = make_author(tree, "Idris", "Qamaruddin")
    newcomer = make_author(tree, "Nora", "Newcomer")
    pakistan = make_topic(tree, "Pakistan")
    nuclear = make_topic(tree, "Nuclear Security", label="Topic Guide")
    secret = make_topic(tree, "Secret Saffron")
    PageViewRestriction.objects.create(page=secret, restriction_type="login")
    sub = TopicGuidePage(title="Tribal Areas", slug="tribal-areas")
    pakistan.add_child(instance=sub)
    sub.save_revision().publish()

    for n in range(3):
        make_brief(
            tree,
            title=f"Pakistan brief {n}",
            authors=[clara],
            topics=[pakistan, secret],
            date=dt.date(2010, 1, 1 + n),
        )
    make_brief(tree, title="Draft Narwhal brief", authors=[clara], topics=[nuclear], publish=False)
    private = make_brief(tree, title="Private Zeppelin brief", authors=[clara], topics=[nuclear])
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    # Idris writes under a sub-guide only: he is grouped under its parent.
    make_brief(tree, title="Tribal brief", authors=[idris], topics=[sub, nuclear])

    clara.links = [
        ("link", {"label": "Personal site", "url": "https://www.example.org/people/clara/"})
    ]
    clara.photo = Image.objects.create(
        title="Portrait of Clara", file=ContentFile(_portrait_png("CW", "#174ea6"), "cw.png")
    )
    clara.save_revision().publish()
    clara.refresh_from_db()
    return World(tree, clara, idris, newcomer, pakistan, nuclear, sub)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def listed_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="brief-item__title"><a href="[^"]+">([^<]+)</a>', html)


# --- an expert's page ----------------------------------------------------------------------


def test_an_expert_page_shows_a_square_photo_named_for_the_expert(
    world: World, client: Any
) -> None:
    html = html_of(client, world.clara.url)

    img = re.search(r'<img [^>]*class="expert__photo"[^>]*>', html)
    assert img, "no photo"
    assert 'alt="Clara Whitcombe"' in img.group(0)
    assert 'width="240"' in img.group(0)
    assert 'height="240"' in img.group(0)


def test_an_expert_page_links_their_own_pages_elsewhere(world: World, client: Any) -> None:
    html = html_of(client, world.clara.url)

    assert (
        '<a href="https://www.example.org/people/clara/" rel="me noopener">Personal site</a>'
        in html
    )


def test_an_expert_page_lists_the_topics_of_their_public_briefs_with_counts(
    world: World, client: Any
) -> None:
    html = section(html_of(client, world.clara.url), 'id="expert-topics-title"', "</section>")

    topics = re.findall(r'<a href="/topics/[^"]+">([^<]+)</a> <span[^>]*>([^<]+)</span>', html)
    # Not Nuclear Security (only a draft and a private brief), nor the private guide.
    assert topics == [("Pakistan", "3 briefs")]


def test_an_expert_page_lists_only_their_published_public_briefs(world: World, client: Any) -> None:
    html = html_of(client, world.clara.url)

    assert listed_titles(html) == ["Pakistan brief 2", "Pakistan brief 1", "Pakistan brief 0"]
    assert "Narwhal" not in html
    assert "Zeppelin" not in html
    assert "Saffron" not in html


@pytest.mark.parametrize("number", ["abc", "999999", "-3"])
def test_a_bad_page_number_on_an_expert_page_shows_a_page(
    world: World, client: Any, number: str
) -> None:
    assert len(listed_titles(html_of(client, f"{world.clara.url}?page={number}"))) == 3


def test_an_expert_without_photo_links_or_briefs_renders(world: World, client: Any) -> None:
    html = html_of(client, world.newcomer.url)

    assert "<h1>Nora Newcomer</h1>" in html
    assert "No published briefs yet." in html
    assert "expert__photo" not in html
    assert 'rel="me' not in html
    assert 'id="expert-topics-title"' not in html


# --- the experts index ---------------------------------------------------------------------


def groups(html: str) -> dict[str, list[str]]:
    found = {}
    for part in html.split('<section class="experts__group"')[1:]:
        heading = re.search(r"<h2[^>]*>(?:<a [^>]*>)?([^<]+)", part).group(1)  # type: ignore[union-attr]
        found[heading] = re.findall(r'class="expert-card__name" href="[^"]+">([^<]+)</a>', part)
    return found


def test_the_experts_index_groups_experts_by_the_top_level_guides_they_wrote_under(
    world: World, client: Any
) -> None:
    html = html_of(client, world.tree.authors.url)

    assert groups(html) == {
        "Nuclear Security": ["Idris Qamaruddin"],
        "Pakistan": ["Idris Qamaruddin", "Clara Whitcombe"],
        "Other experts": ["Nora Newcomer"],
    }
    assert "Saffron" not in html
    assert "Tribal Areas" not in html


def test_the_experts_index_shows_a_small_photo_without_repeating_the_name(
    world: World, client: Any
) -> None:
    html = html_of(client, world.tree.authors.url)

    assert re.search(r'<img alt="" class="expert-card__photo"[^>]*fill-96x96[^>]*width="96"', html)

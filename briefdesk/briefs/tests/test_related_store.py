"""More on This Topic on real pages: lists stored on publish (briefs.related_store, through
briefs.related_signals), read by the brief page, and the `related` command."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import PageViewRestriction

from briefdesk.briefs.models import (
    BriefPage,
    BriefRelatedExclusion,
    BriefRelatedPin,
    RelatedBrief,
)
from briefdesk.briefs.related_store import forget_index
from tests.factories import SiteTree, make_brief, make_site_tree, make_topic
from tests.pages import html_of

pytestmark = pytest.mark.django_db

FUEL = (
    "Kayani and Zardari argued over the reactor fuel. The Khushab reactor needs enriched "
    "fuel; the cables on the Khushab fuel standoff name Anne Patterson."
)


@pytest.fixture(autouse=True)
def fresh_index() -> Any:
    forget_index()
    yield
    forget_index()


@pytest.fixture
def tree() -> SiteTree:
    return make_site_tree()


def fuel_brief(tree: SiteTree, title: str, day: int, **fields: Any) -> BriefPage:
    return make_brief(
        tree,
        title=title,
        date=dt.date(2011, 3, day),
        body=[("paragraph", f"<p>{FUEL} {title}.</p>")],
        **fields,
    )


def stored(page: BriefPage) -> list[int]:
    return list(RelatedBrief.objects.filter(page=page).values_list("related_id", flat=True))


def shown(client: Any, page: BriefPage) -> list[str]:
    html = html_of(client, page.url).partition('<aside class="more-on-topic"')[2]
    return re.findall(r'<h3 class="brief-item__title"><a href="[^"]+">([^<]+)</a></h3>', html)


def test_publishing_a_brief_stores_its_list_and_enters_the_lists_of_related_briefs(
    tree: SiteTree,
) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    second = fuel_brief(tree, "Reactor fuel and the cables", 2)

    assert stored(second) == [first.pk]
    assert stored(first) == [second.pk]
    assert 0 < RelatedBrief.objects.get(page=first).score <= 1


def test_the_page_shows_the_stored_related_briefs(tree: SiteTree, client: Any) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    fuel_brief(tree, "Reactor fuel and the cables", 2)

    assert shown(client, first) == ["Reactor fuel and the cables"]


def test_a_brief_sharing_only_a_topic_is_not_shown(tree: SiteTree, client: Any) -> None:
    topic = make_topic(tree, "Pakistan")
    fuel = fuel_brief(tree, "Khushab fuel standoff", 1, topics=[topic])
    make_brief(
        tree,
        title="Cricket season opens",
        topics=[topic],
        body=[("paragraph", "<p>Batting, bowling and wickets in Lahore.</p>")],
    )

    assert stored(fuel) == []
    assert "More on This Topic" not in html_of(client, fuel.url)


def test_an_unpublished_brief_leaves_the_others_lists(tree: SiteTree, client: Any) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    second = fuel_brief(tree, "Reactor fuel and the cables", 2)
    third = fuel_brief(tree, "Fuel talks stall", 3)
    assert set(stored(first)) == {second.pk, third.pk}

    second.unpublish()

    assert stored(first) == [third.pk]
    assert stored(second) == []
    assert shown(client, first) == ["Fuel talks stall"]


def test_a_deleted_brief_leaves_the_others_lists(tree: SiteTree) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    second = fuel_brief(tree, "Reactor fuel and the cables", 2)

    second.delete()

    assert stored(first) == []


def test_a_private_brief_is_never_shown(tree: SiteTree, client: Any) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    second = fuel_brief(tree, "Reactor fuel and the cables", 2)

    PageViewRestriction.objects.create(
        page=second, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )

    assert stored(first) == []
    assert "Reactor fuel and the cables" not in html_of(client, first.url)


def test_a_draft_is_never_shown(tree: SiteTree, client: Any) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    make_brief(
        tree,
        title="Draft on reactor fuel",
        body=[("paragraph", f"<p>{FUEL}</p>")],
        publish=False,
        live=False,
    )

    assert stored(first) == []
    assert "Draft on reactor fuel" not in html_of(client, first.url)


def test_pinned_briefs_come_first_then_the_stored_choice(tree: SiteTree, client: Any) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    fuel_brief(tree, "Reactor fuel and the cables", 2)
    elsewhere = make_brief(tree, title="Cricket season opens", body=[])
    BriefRelatedPin.objects.create(page=first, related=elsewhere)

    assert shown(client, first) == ["Cricket season opens", "Reactor fuel and the cables"]


def test_an_excluded_brief_is_never_shown_and_the_next_best_takes_its_place(
    tree: SiteTree, client: Any
) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    second = fuel_brief(tree, "Reactor fuel and the cables", 2)
    fuel_brief(tree, "Fuel talks stall", 3)
    BriefRelatedExclusion.objects.create(page=first, excluded=second)

    assert shown(client, first) == ["Fuel talks stall"]  # excluded as the page reads
    first.save_revision().publish()
    assert second.pk not in stored(first)


def test_the_rebuild_command_scores_every_brief_and_says_so(tree: SiteTree) -> None:
    first = fuel_brief(tree, "Khushab fuel standoff", 1)
    second = fuel_brief(tree, "Reactor fuel and the cables", 2)
    RelatedBrief.objects.all().delete()
    out = io.StringIO()

    call_command("related", "--rebuild", stdout=out)

    assert re.fullmatch(r"Scored 2 briefs in \d+\.\d s\n", out.getvalue())
    assert stored(first) == [second.pk]


def test_the_command_without_rebuild_fails_in_one_line() -> None:
    with pytest.raises(CommandError, match="use briefdesk related --rebuild"):
        call_command("related", stdout=io.StringIO())


def test_the_benchmark_runs_at_a_tiny_size() -> None:
    from benchmarks.related import quality, scale

    figures = quality(60, seed=1)
    assert figures["engine"] > figures["newest sharing a topic"]
    assert scale(60, updates=2)["briefs"] == 60

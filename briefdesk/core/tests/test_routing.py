"""Routing in fewer queries than Wagtail's (core.routing): every path still reaches the page
Wagtail's own routing reaches, a brief in one query once the site's structure is cached, and
the front page never from a stale copy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from briefdesk.core import sitecache
from briefdesk.core.models import HomePage, StandardPage
from briefdesk.topics.models import TopicGuidePage
from tests.factories import make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of

pytestmark = pytest.mark.django_db


def routed(path: str) -> int | None:
    """The id of the page the site's routing serves at `path`, else None."""
    request = RequestFactory().get(path, HTTP_HOST="localhost")
    # As CachedSiteMiddleware does:
    request._wagtail_site = sitecache.site_for_request(request)  # type: ignore[attr-defined]
    result = Page.route_for_request(request, path)
    return result[0].pk if result is not None else None


def wagtail_routed(path: str) -> int | None:
    """The page Wagtail's plain routing reaches: each segment a child by slug, the last one
    live (Page.route), with no shortcut of ours."""
    page: Any = HomePage.objects.get(depth=2)
    for slug in [part for part in path.split("/") if part]:
        child = page.get_children().filter(slug=slug).first()
        if child is None:
            return (
                page.pk if slug == "cite" and page.specific_class.__name__ == "BriefPage" else None
            )
        page = child
    return page.pk if page.live else None


def test_every_path_reaches_the_page_wagtails_own_routing_reaches(client: Any) -> None:
    tree = make_site_tree()
    author = make_author(tree)
    guide = make_topic(tree, "Pakistan")
    nested = TopicGuidePage(title="Swat Valley", slug="swat-valley", label="Crisis Guide")
    guide.add_child(instance=nested)
    nested.save_revision().publish()
    brief = make_brief(tree, slug="pakistan")  # the same slug as the guide
    draft = make_brief(tree, slug="draft", title="Not yet", publish=False)
    about = StandardPage(title="About", slug="about")
    tree.home.add_child(instance=about)
    about.save_revision().publish()
    paths = [
        "/", brief.url, f"{brief.url}cite/", guide.url, nested.url, author.url, "/about/",
        "/briefs/", "/topics/", "/authors/", draft.url, "/briefs/nope/", "/nope/", "/nope/x/",
        "/topics/pakistan/nope/", "/about/pakistan/", f"{brief.url}nope/",
    ]  # fmt: skip

    for cold in (True, False):
        if cold:
            sitecache.forget()
        for path in paths:
            assert routed(path) == wagtail_routed(path), path
    assert routed(brief.url) == brief.pk
    assert routed(draft.url) is None


def test_a_brief_is_found_in_one_query_once_the_site_structure_is_cached(client: Any) -> None:
    tree = make_site_tree()
    brief = make_brief(tree)
    routed(brief.url)

    with CaptureQueriesContext(connection) as queries:
        assert routed(brief.url) == brief.pk

    assert len(queries) == 1


def test_the_front_page_is_served_as_stored_not_as_the_cached_copy_routing_starts_from(
    client: Any,
) -> None:
    tree = make_site_tree()
    html_of(client, "/")
    # Changed behind every cache's back: nothing is purged or forgotten.
    HomePage.objects.filter(pk=tree.home.pk).update(tagline="Analysis you can check")

    assert "Analysis you can check" in html_of(client, "/?fresh")


def test_briefs_are_found_under_a_renamed_section_before_the_cache_forgets_it() -> None:
    tree = make_site_tree()
    brief = make_brief(tree)
    old = brief.url
    assert routed(old) == brief.pk
    generation = sitecache.generation()
    tree.briefs.slug = "analysis"
    tree.briefs.save()
    cache.set(sitecache.GENERATION_KEY, generation, None)  # as if nothing had forgotten it

    assert routed(f"/analysis/{brief.slug}/") == brief.pk
    assert routed(old) is None

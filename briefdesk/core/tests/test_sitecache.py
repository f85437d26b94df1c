"""The site's structure kept between changes (core.sitecache): which Site answers a host, the
menu's guides and footer pages, the private sections. Readers never see it stale: each purge of
everything forgets it, and so does a move."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname

from briefdesk.briefs.models import BriefIndexPage, BriefRelatedPin
from briefdesk.core import sitecache
from tests.factories import make_brief, make_site_tree, make_topic
from tests.pages import html_of, section

pytestmark = pytest.mark.django_db

HOSTS = ["localhost", "example.org", "news.example.org", "unknown.test"]
PORTS = [80, 443, 8000]
# Site tables an operator can set up: (hostname, port, is default) per extra site.
LAYOUTS = [
    [],
    [("example.org", 80, False)],
    [("example.org", 80, False), ("example.org", 8000, False)],
    [("example.org", 8000, False), ("news.example.org", 80, False)],
    [("example.org", 443, False), ("example.org", 80, False), ("unknown.test", 8000, False)],
]


def wagtail_choice(hostname: str, port: int) -> int | None:
    try:
        return int(get_site_for_hostname(hostname, port).pk)
    except Site.DoesNotExist:
        return None


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: f"{len(layout)} more sites")
@pytest.mark.parametrize("default_host", ["localhost", "example.org"])
def test_the_site_found_without_a_query_is_the_one_wagtail_finds_for_every_host_and_port(
    layout: list[tuple[str, int, bool]], default_host: str
) -> None:
    tree = make_site_tree()
    Site.objects.filter(is_default_site=True).update(hostname=default_host)
    for hostname, port, default in layout:
        if (hostname, port) != (default_host, 80):
            Site.objects.create(
                hostname=hostname, port=port, is_default_site=default, root_page=tree.home
            )
    sitecache.forget()
    sites = sitecache.remember("sites", sitecache._sites)
    for hostname, port in itertools.product(HOSTS, PORTS):
        assert sitecache.match_site(sites["rows"], hostname, port) == wagtail_choice(
            hostname, port
        ), (hostname, port)
        request = RequestFactory().get("/", HTTP_HOST=hostname, SERVER_PORT=str(port))
        found = sitecache.site_for_request(request)
        assert (found.pk if found else None) == wagtail_choice(hostname, port)


def test_a_warm_page_reads_neither_the_site_nor_the_menus_nor_every_private_section(
    client: Any,
) -> None:
    tree = make_site_tree()
    make_topic(tree, "Pakistan")
    brief = make_brief(tree, topics=[])
    html_of(client, brief.url)
    with CaptureQueriesContext(connection) as queries:
        html = html_of(client, brief.url)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if "wagtailcore_site" in q]
    assert not [q for q in sql if "topics_topicguidepage" in q]
    # Only Wagtail's check of the served page's own restrictions reads them.
    assert len([q for q in sql if "wagtailcore_pageviewrestriction" in q]) == 1
    assert ">Pakistan</a>" in section(html, '<nav class="topic-strip"', "</nav>")


def test_a_guide_renamed_on_the_menu_shows_its_new_name_on_every_page_once_it_commits(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tree = make_site_tree()
    guide = make_topic(tree, "Pakistan")
    brief = make_brief(tree)
    assert ">Pakistan</a>" in html_of(client, brief.url)
    guide.title = "Pakistan and Afghanistan"
    with django_capture_on_commit_callbacks(execute=True):
        guide.save_revision().publish()
    strip = section(html_of(client, brief.url), '<nav class="topic-strip"', "</nav>")
    assert ">Pakistan and Afghanistan</a>" in strip


def test_a_guide_made_private_leaves_the_menu_once_it_commits(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tree = make_site_tree()
    make_topic(tree, "Pakistan")
    secret = make_topic(tree, "Marmalade")
    brief = make_brief(tree)
    assert ">Marmalade</a>" in html_of(client, brief.url)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=secret, restriction_type="login")
    assert "Marmalade" not in html_of(client, brief.url)


def test_a_reader_who_built_the_menu_before_a_change_cannot_put_it_back_after_the_purge() -> None:
    before_the_change = sitecache.generation()
    sitecache.forget()  # the change commits and purges everything
    sitecache.remember("main_topics:1", lambda: ["old menu"], token=before_the_change)
    assert sitecache.remember("main_topics:1", lambda: ["new menu"]) == ["new menu"]


def test_a_private_brief_moved_to_another_section_stays_out_of_more_on_this_topic(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tree = make_site_tree()
    archive = BriefIndexPage(title="Archive", slug="archive")
    tree.home.add_child(instance=archive)
    archive.save_revision().publish()
    secret = make_brief(tree, title="Zeppelin secrets")
    PageViewRestriction.objects.create(page=secret, restriction_type="login")
    reader = make_brief(tree, title="Public brief", related_pins=[BriefRelatedPin(related=secret)])
    sitecache.forget()
    assert "Zeppelin" not in html_of(client, reader.url)
    with django_capture_on_commit_callbacks(execute=True):
        secret.move(archive, pos="last-child")
    assert "Zeppelin" not in html_of(client, reader.url)


def test_a_request_reads_each_entry_once_and_forgets_what_it_read_when_it_forgets() -> None:
    builds: list[int] = []

    def build() -> int:
        builds.append(len(builds))
        return len(builds)

    with sitecache.reading_once():
        assert sitecache.remember("answer", build) == 1
        sitecache.cache.set(sitecache.GENERATION_KEY, "another process forgot", None)
        assert sitecache.remember("answer", build) == 1  # the rest of the request reads its own
        sitecache.forget()
        assert sitecache.remember("answer", build) == 2

    sitecache.forget()
    assert sitecache.remember("answer", build) == 3
    assert sitecache.remember("answer", build) == 3  # kept in the cache between requests

"""The page cache in front of Django: readers get stored pages with validators and 304s,
editors never do, and a change purges exactly the pages that show it.

The site here is Django's own WSGI handler behind `CachedApplication`, as briefdesk.wsgi builds
it, with the directory store of the settings (a fresh one per test); requests are WSGI calls.
Purges wait for the commit: `django_capture_on_commit_callbacks` runs them as a commit would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone

from briefdesk.briefs.models import BriefPage, BriefRelatedExclusion, BriefRelatedPin
from briefdesk.core.pagecache import page_store
from briefdesk.core.pagecache.app import CachedApplication
from briefdesk.sources.models import LinkCheck, LinkState
from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_topic,
)


@dataclass
class Reply:
    status: str
    headers: dict[str, str]
    body: str

    @property
    def cache(self) -> str:
        return self.headers.get("x-cache", "")


class Site:
    def __init__(self) -> None:
        store = page_store()
        assert store is not None
        store.clear()
        self.app = CachedApplication(WSGIHandler(), store, session_cookie="sessionid")

    def get(self, path: str, **headers: Any) -> Reply:
        path, _, query = path.partition("?")
        environ = RequestFactory().get(path, QUERY_STRING=query, **headers).environ
        environ["QUERY_STRING"] = query
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
            seen["status"], seen["headers"] = status, {k.lower(): v for k, v in headers}

        # As Django's test client does: the test's transaction keeps its connection (the
        # request signals would close it at the end of each request).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = self.app(environ, start_response)
            body = b"".join(result)
            close = getattr(result, "close", None)
            if close is not None:
                close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Reply(seen["status"], seen["headers"], body.decode())


@pytest.fixture
def site(db: Any) -> Iterator[Site]:
    yield Site()
    store = page_store()
    assert store is not None
    store.clear()


@dataclass
class Content:
    brief: BriefPage
    other: BriefPage
    shows_brief: BriefPage
    source: Any
    author: Any
    guide: Any
    other_guide: Any


@pytest.fixture
def content(site_tree: Any) -> Content:
    author = make_author(site_tree)
    other_author = make_author(site_tree, given="Steven", family="Cook")
    guide = make_topic(site_tree)
    other_guide = make_topic(site_tree, title="Turkey")
    outlet = OutletFactory(name="Reuters")
    source = SourceFactory(outlet=outlet, title="Cables and the Army")
    brief = make_brief(
        site_tree,
        title="The Cables Brief",
        slug="cables",
        authors=[author],
        topics=[guide],
        body=[("paragraph", f"<p>A claim {cite(source)}.</p>")],
    )
    other = make_brief(
        site_tree,
        title="Unrelated Brief",
        slug="unrelated",
        authors=[other_author],
        topics=[other_guide],
        date=dt.date(2009, 1, 1),
    )
    shows_brief = make_brief(
        site_tree,
        title="Pins the Cables Brief",
        slug="pins",
        authors=[other_author],
        topics=[other_guide],
        date=dt.date(2009, 2, 1),
    )
    BriefRelatedPin.objects.create(page=shows_brief, related=brief, sort_order=0)
    # Unrelated indeed: its More on This Topic never lists the brief under test.
    BriefRelatedExclusion.objects.create(page=other, excluded=brief, sort_order=0)
    return Content(brief, other, shows_brief, source, author, guide, other_guide)


def test_a_readers_second_request_is_served_from_the_cache_with_validators(
    site: Site, content: Content
) -> None:
    first = site.get("/briefs/cables/")
    second = site.get("/briefs/cables/")

    assert (first.status, first.cache) == ("200 OK", "MISS")
    assert (second.status, second.cache) == ("200 OK", "HIT")
    assert second.body == first.body and "The Cables Brief" in second.body
    cache_control = second.headers["cache-control"]
    assert "public" in cache_control and "s-maxage=" in cache_control
    assert second.headers["etag"] == first.headers["etag"]
    assert "last-modified" in second.headers
    assert "content-security-policy" in second.headers  # the page's own headers, replayed
    assert "x-request-id" not in second.headers or second.headers[
        "x-request-id"
    ] != first.headers.get("x-request-id")


def test_a_reader_holding_the_etag_or_the_date_gets_304_from_the_cache(
    site: Site, content: Content
) -> None:
    first = site.get("/briefs/cables/")

    by_etag = site.get("/briefs/cables/", HTTP_IF_NONE_MATCH=first.headers["etag"])
    by_date = site.get("/briefs/cables/", HTTP_IF_MODIFIED_SINCE=first.headers["last-modified"])
    stale = site.get("/briefs/cables/", HTTP_IF_NONE_MATCH='"something-else"')

    assert (by_etag.status, by_etag.body, by_etag.cache) == ("304 Not Modified", "", "HIT")
    assert by_date.status == "304 Not Modified"
    assert stale.status == "200 OK" and "The Cables Brief" in stale.body


def test_uncached_responses_also_answer_304_to_a_matching_etag(
    site: Site, content: Content, settings: Any
) -> None:
    etag = site.get("/briefs/cables/").headers["etag"]
    site.app.store.clear()  # as with PAGE_CACHE=false: Django answers

    again = site.get("/briefs/cables/", HTTP_IF_NONE_MATCH=etag)

    assert (again.status, again.cache) == ("304 Not Modified", "MISS")


def test_a_reader_with_a_session_never_gets_a_stored_page_and_the_page_is_not_stored(
    site: Site, content: Content
) -> None:
    cookie = f"{settings.SESSION_COOKIE_NAME}=whatever"
    site.get("/briefs/cables/")

    editor = site.get("/briefs/cables/", HTTP_COOKIE=cookie)
    editor_again = site.get("/briefs/cables/", HTTP_COOKIE=cookie)

    assert editor.cache != "HIT" and editor_again.cache != "HIT"
    assert "private" in editor.headers["cache-control"]
    assert site.get("/briefs/cables/").cache == "HIT"


@pytest.mark.parametrize(
    "path", ["/admin/login/", "/search/?q=cables", "/api/v1/briefs", "/healthz"]
)
def test_private_paths_are_never_stored(site: Site, content: Content, path: str) -> None:
    site.get(path)

    assert site.get(path).cache != "HIT"


def test_query_strings_are_stored_apart_and_purged_with_their_path(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    assert site.get("/briefs/").cache == "MISS"
    assert site.get("/briefs/?page=2").cache == "MISS"
    assert site.get("/briefs/?page=2").cache == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        content.brief.title = "Renamed"
        content.brief.save_revision().publish()

    assert site.get("/briefs/?page=2").cache == "MISS"
    assert site.get("/briefs/").cache == "MISS"


# --- exact invalidation ----------------------------------------------------------------------

BRIEF_SHOWN_ON = [
    "/briefs/cables/",
    "/briefs/cables/cite/",
    "/briefs/cables/cite.bib",
    "/",
    "/briefs/",
    "/topics/pakistan/",
    "/authors/jayshree-bajoria/",
    "/briefs/pins/",
    "/feeds/rss/",
    "/feeds/topics/pakistan/atom/",
    "/feeds/experts/jayshree-bajoria/json/",
    "/sitemap.xml",
]
# Pages that cannot show the brief. (Other briefs may: More on This Topic is scored again
# after every publish, and a brief whose list changes is purged.)
UNRELATED = ["/topics/turkey/", "/authors/steven-cook/", "/feeds/topics/turkey/rss/"]


def warm(site: Site, paths: list[str]) -> dict[str, Reply]:
    replies = {path: site.get(path) for path in paths}
    for path, reply in replies.items():
        assert reply.status == "200 OK", (path, reply.status)
        assert site.get(path).cache == "HIT", path
    return replies


def test_publishing_an_edit_of_a_brief_purges_every_page_showing_it_and_nothing_else(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    before = warm(site, BRIEF_SHOWN_ON + UNRELATED)

    with django_capture_on_commit_callbacks(execute=True):
        content.brief.title = "The Renamed Cables Brief"
        content.brief.save_revision().publish()

    for path in BRIEF_SHOWN_ON:
        after = site.get(path)
        assert after.cache == "MISS", path
        if path != "/sitemap.xml":  # its dates are days: the same body today
            assert after.body != before[path].body, path
    for path in ["/briefs/cables/", "/", "/topics/pakistan/", "/briefs/pins/", "/feeds/rss/"]:
        assert "Renamed Cables Brief" in site.get(path).body, path
    for path in UNRELATED:
        assert site.get(path).cache == "HIT", path


def test_a_brief_listing_the_edited_one_keeps_its_cite_dialog_and_downloads_cached(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    # Only the page shows More on This Topic: not the cite dialog, the downloads or the PDF.
    kept = ["/briefs/pins/cite/", "/briefs/pins/cite.ris", "/briefs/pins/cite.json"]
    warm(site, ["/briefs/pins/", *kept])

    with django_capture_on_commit_callbacks(execute=True):
        content.brief.title = "The Renamed Cables Brief"
        content.brief.save_revision().publish()

    assert "Renamed Cables Brief" in site.get("/briefs/pins/").body
    for path in kept:
        assert site.get(path).cache == "HIT", path


def test_saving_a_draft_of_a_live_brief_purges_nothing(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/briefs/cables/", "/"])

    with django_capture_on_commit_callbacks(execute=True):
        content.brief.title = "A draft title"
        content.brief.save_revision()

    assert site.get("/briefs/cables/").cache == "HIT"
    assert "A draft title" not in site.get("/briefs/cables/").body


def test_unpublishing_a_brief_takes_it_off_every_page_at_once(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/briefs/cables/", "/", "/topics/pakistan/", "/topics/turkey/"])

    with django_capture_on_commit_callbacks(execute=True):
        content.brief.unpublish()

    assert site.get("/briefs/cables/").status.startswith("404")
    assert "The Cables Brief" not in site.get("/").body
    assert "The Cables Brief" not in site.get("/topics/pakistan/").body
    # (Every other brief's More on This Topic is scored again without it: those purge too.)
    assert site.get("/topics/turkey/").cache == "HIT"


def test_moving_a_brief_to_another_topic_purges_the_old_guide_and_the_new(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    from briefdesk.briefs.models import BriefTopic

    warm(site, ["/topics/pakistan/", "/topics/turkey/", "/authors/steven-cook/"])

    with django_capture_on_commit_callbacks(execute=True):
        brief = BriefPage.objects.get(pk=content.brief.pk)
        brief.brief_topics = [BriefTopic(topic=content.other_guide)]
        brief.save_revision().publish()

    assert "The Cables Brief" not in site.get("/topics/pakistan/").body
    assert "The Cables Brief" in site.get("/topics/turkey/").body
    assert site.get("/authors/steven-cook/").cache == "HIT"


def test_changing_a_source_purges_its_page_and_the_briefs_citing_it_only(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    source_page = f"/sources/{content.source.pk}/"
    warm(site, ["/briefs/cables/", source_page, "/sources/", *UNRELATED, "/briefs/pins/"])

    with django_capture_on_commit_callbacks(execute=True):
        content.source.title = "Cables and the Generals"
        content.source.save()

    assert "Cables and the Generals" in site.get(source_page).body
    assert site.get("/briefs/cables/").cache == "MISS"
    assert site.get("/sources/").cache == "MISS"
    for path in [*UNRELATED, "/briefs/pins/"]:
        assert site.get(path).cache == "HIT", path


def test_renaming_an_outlet_purges_the_briefs_citing_its_sources(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/briefs/cables/", "/briefs/unrelated/"])

    with django_capture_on_commit_callbacks(execute=True):
        outlet = content.source.outlet
        outlet.name = "Thomson Reuters"
        outlet.save()

    assert "Thomson Reuters" in site.get("/briefs/cables/").body
    assert site.get("/briefs/unrelated/").cache == "HIT"


def test_a_link_going_dead_purges_the_briefs_citing_it(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/briefs/cables/", f"/sources/{content.source.pk}/", "/briefs/unrelated/"])

    with django_capture_on_commit_callbacks(execute=True):
        LinkCheck.objects.create(
            source=content.source,
            url=content.source.url or "https://example.org/",
            checked_at=timezone.now(),
            state=LinkState.GONE,
        )

    assert site.get("/briefs/cables/").cache == "MISS"
    assert site.get(f"/sources/{content.source.pk}/").cache == "MISS"
    assert site.get("/briefs/unrelated/").cache == "HIT"


def test_publishing_an_expert_purges_their_page_their_briefs_and_the_home_page(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/authors/jayshree-bajoria/", "/briefs/cables/", "/", "/briefs/unrelated/"])

    with django_capture_on_commit_callbacks(execute=True):
        content.author.family_name = "Bajoria-Khan"
        content.author.save_revision().publish()

    assert site.get("/briefs/cables/").cache == "MISS"
    assert site.get("/authors/jayshree-bajoria/").cache == "MISS"
    assert site.get("/").cache == "MISS"
    assert site.get("/briefs/unrelated/").cache == "HIT"


def test_publishing_a_guide_purges_it_and_the_briefs_filed_under_it(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/topics/pakistan/", "/briefs/cables/", "/topics/", "/briefs/unrelated/"])

    with django_capture_on_commit_callbacks(execute=True):
        content.guide.label = "Country Guide"
        content.guide.save_revision().publish()

    assert "Country Guide" in site.get("/briefs/cables/").body
    assert site.get("/topics/pakistan/").cache == "MISS"
    assert site.get("/topics/").cache == "MISS"
    assert site.get("/briefs/unrelated/").cache == "HIT"


def test_making_a_section_private_empties_the_whole_cache(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    from wagtail.models import PageViewRestriction

    warm(site, ["/briefs/cables/", "/topics/turkey/", "/"])

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=content.brief.get_parent(), restriction_type=PageViewRestriction.LOGIN
        )

    assert not site.get("/briefs/cables/").status.startswith("200")  # now behind a login
    assert site.get("/topics/turkey/").cache == "MISS"
    assert "The Cables Brief" not in site.get("/").body


def test_renaming_a_guide_in_the_main_topics_purges_every_page_whose_navigation_shows_it(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/briefs/unrelated/", "/authors/"])
    assert ">Pakistan</a>" in site.get("/briefs/unrelated/").body

    with django_capture_on_commit_callbacks(execute=True):
        content.guide.title = "Pakistan and Afghanistan"
        content.guide.save_revision().publish()

    reply = site.get("/briefs/unrelated/")
    assert reply.cache == "MISS"
    assert ">Pakistan and Afghanistan</a>" in reply.body
    assert site.get("/authors/").cache == "MISS"


def test_taking_a_guide_off_the_menu_purges_every_page(
    site: Site, content: Content, django_capture_on_commit_callbacks: Any
) -> None:
    warm(site, ["/briefs/unrelated/"])

    with django_capture_on_commit_callbacks(execute=True):
        content.guide.show_in_menus = False
        content.guide.save_revision().publish()

    reply = site.get("/briefs/unrelated/")
    assert reply.cache == "MISS"
    assert ">Pakistan</a>" not in reply.body


def test_deleting_a_guide_in_the_main_topics_purges_every_page(
    site: Site, content: Content, site_tree: Any, django_capture_on_commit_callbacks: Any
) -> None:
    iran = make_topic(site_tree, title="Iran")  # no brief is filed under it
    warm(site, ["/briefs/unrelated/"])
    assert ">Iran</a>" in site.get("/briefs/unrelated/").body

    with django_capture_on_commit_callbacks(execute=True):
        iran.delete()

    reply = site.get("/briefs/unrelated/")
    assert reply.cache == "MISS"
    assert ">Iran</a>" not in reply.body


def test_a_publish_purges_the_page_cache_at_once_when_jobs_wait_for_a_worker(
    site: Site, content: Content, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Wagtail sends purge batches as background jobs; this backend keeps jobs and never runs
    # them, as the database queue does until a worker picks them up.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    warm(site, ["/briefs/cables/"])

    with django_capture_on_commit_callbacks(execute=True):
        content.brief.title = "The Cables Brief, Revised"
        content.brief.save_revision().publish()

    reply = site.get("/briefs/cables/")
    assert reply.cache == "MISS"
    assert "The Cables Brief, Revised" in reply.body

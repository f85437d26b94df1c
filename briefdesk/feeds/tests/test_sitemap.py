"""/sitemap.xml lists every public page a crawler should know — the home page and indexes,
briefs, topic guides and sub-guides, experts — and every public source page, each with a
<lastmod>, on the site's origin; a page that lists briefs is dated by the newest of them.
Nothing private, draft, unpublished or unreviewed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Page

from briefdesk.core.origin import sync_default_site

from .conftest import World, leaks

pytestmark = pytest.mark.django_db

BASE = settings.WAGTAILADMIN_BASE_URL


@pytest.fixture
def on_base_url(world: World) -> Iterator[None]:
    """The Site on the base URL, as migrate and the demo leave it (rolled back after the
    test, and Wagtail's cached Site URLs with it)."""
    sync_default_site()
    yield
    cache.clear()


def sitemap_dates(client: Any) -> dict[str, str | None]:
    """Each <loc> of the sitemap with its <lastmod> (None when it has none)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    return {
        loc: lastmod or None
        for loc, lastmod in re.findall(
            r"<url><loc>([^<]+)</loc>(?:<lastmod>([^<]+)</lastmod>)?", xml
        )
    }


def test_the_sitemap_lists_every_kind_of_public_page_with_a_date_on_the_origin(
    world: World, on_base_url: None, client: Any
) -> None:
    dates = sitemap_dates(client)

    expected = [
        "/",
        "/briefs/",
        world.analysis.url,
        world.op_ed.url,
        "/topics/",
        "/topics/open-topic/",
        "/topics/open-topic/kashmir-valley/",
        "/authors/",
        "/authors/open-writer/",
        f"/sources/{world.source.pk}/",
    ]
    assert {f"{BASE}{path}" for path in expected} <= set(dates)
    assert all(loc.startswith(f"{BASE}/") for loc in dates)
    assert all(dates.values())


def test_the_sitemap_lists_nothing_private_draft_unpublished_or_unreviewed(
    world: World, client: Any
) -> None:
    xml = client.get("/sitemap.xml").content.decode()

    assert leaks(world, xml) == {}
    for hidden in (
        "private-zeppelin",
        "draft-narwhal",
        "withdrawn-okapi",
        "marmalade",
        "quagmires",
    ):
        assert hidden not in xml
    for source in world.hidden_sources:
        assert f"/sources/{source.pk}/<" not in xml


def test_a_page_that_lists_briefs_is_dated_by_the_newest_of_them(world: World, client: Any) -> None:
    sync_default_site()
    Page.objects.update(last_published_at=dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC))
    Page.objects.filter(pk=world.analysis.pk).update(
        last_published_at=dt.datetime(2021, 5, 5, 12, tzinfo=dt.UTC)
    )
    Page.objects.filter(pk=world.op_ed.pk).update(
        last_published_at=dt.datetime(2021, 3, 3, 12, tzinfo=dt.UTC)
    )

    dates = sitemap_dates(client)

    assert dates[f"{BASE}/"] == "2021-05-05"
    assert dates[f"{BASE}/briefs/"] == "2021-05-05"
    assert dates[f"{BASE}/topics/open-topic/"] == "2021-05-05"
    assert dates[f"{BASE}/topics/open-topic/kashmir-valley/"] == "2021-03-03"
    assert dates[f"{BASE}/authors/open-writer/"] == "2021-05-05"
    assert dates[f"{BASE}{world.op_ed.url}"] == "2021-03-03"
    # Pages that list no briefs keep their own date.
    assert dates[f"{BASE}/topics/"] == "2020-01-01"


# --- the writer: Django's template, without the engine -------------------------------------


def test_the_sitemap_writer_writes_the_bytes_djangos_sitemap_template_does() -> None:
    from decimal import Decimal

    from django.template.loader import render_to_string

    from briefdesk.feeds.sitemaps import URLSET_XML

    early_morning_utc = dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)  # Nov 30 in New York
    urlsets: list[list[dict[str, Any]]] = [
        [],
        [{"location": "https://briefs.example/"}],
        [
            {
                "location": "https://briefs.example/briefs/café-&-<tea>/?a=1&b=2",
                "lastmod": early_morning_utc,
                "changefreq": "daily",
                "priority": 0.5,
                "alternates": [
                    {"lang_code": "fr", "location": "https://briefs.example/fr/?x=<1>"},
                    {"lang_code": "x-default", "location": "https://briefs.example/"},
                ],
            },
            {"location": "https://briefs.example/sources/2/", "lastmod": dt.date(2010, 12, 6)},
            {"location": "https://b.example/", "lastmod": None, "priority": Decimal("0.8")},
            {"location": "", "changefreq": "", "priority": 0, "alternates": []},
        ],
    ]
    for zone in ("UTC", "America/New_York"):  # the template dates in the current time zone
        with timezone.override(zone):
            for urlset in urlsets:
                expected = render_to_string("sitemap.xml", {"urlset": urlset})
                assert URLSET_XML.render({"urlset": urlset}) == expected


def test_the_sitemap_served_is_the_one_djangos_template_would_serve(
    world: World, on_base_url: None, rf: Any
) -> None:
    from django.contrib.sitemaps.views import sitemap as django_sitemap
    from wagtail.contrib.sitemaps.views import prepare_sitemaps

    from briefdesk.feeds.sitemaps import PageSitemap
    from briefdesk.sources.sitemaps import SourceSitemap
    from briefdesk.urls import urlpatterns

    def body(template: Any) -> bytes:
        request = rf.get("/sitemap.xml", HTTP_HOST="localhost")
        maps = prepare_sitemaps(request, {"pages": PageSitemap, "sources": SourceSitemap})
        response = django_sitemap(request, maps, template_name=template)
        response.render()
        return bytes(response.content)

    served = next(p for p in urlpatterns if str(getattr(p, "pattern", "")) == "sitemap.xml")
    ours = body(served.default_args["template_name"])
    assert ours.count(b"<url>") >= 5
    assert ours == body("sitemap.xml")


def test_a_page_type_that_says_what_the_sitemap_lists_of_it_is_asked(
    world: World, on_base_url: None, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sitemap reads pages as base Page objects; a type with its own get_sitemap_urls is
    # read as itself and asked.
    from briefdesk.topics.models import TopicGuidePage

    def guide_urls(self: Any, request: Any = None) -> list[dict[str, Any]]:
        return [{"location": f"{BASE}/guides-of-{self.slug}/", "lastmod": None}]

    monkeypatch.setattr(TopicGuidePage, "get_sitemap_urls", guide_urls)
    dates = sitemap_dates(client)

    assert f"{BASE}/guides-of-open-topic/" in dates
    assert f"{BASE}/topics/open-topic/" not in dates
    assert f"{BASE}{world.analysis.url}" in dates

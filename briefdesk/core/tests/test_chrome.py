"""Site chrome: the masthead and navigation (aria-current on the section being read), the
footer (About, Contact, copyright, feeds), the head metadata of every public page (description,
canonical link on the site's origin, OpenGraph, Twitter card), robots.txt and the favicon."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any

import pytest
from django.conf import settings
from wagtail.models import PageViewRestriction

from briefdesk.core.models import StandardPage
from tests.factories import SiteTree, make_author, make_brief, make_site_tree, make_topic
from tests.pages import html_of, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> SiteTree:
    return make_site_tree()


def current_sections(html: str) -> list[str]:
    nav = section(html, '<nav class="site-nav" aria-label="Main">', "</nav>")
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


def meta(html: str, key: str) -> list[str]:
    """The content of every <meta name|property="key">, unescaped."""
    found = re.findall(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)">', html)
    return [html_lib.unescape(value) for value in found]


def canonical(html: str) -> list[str]:
    return re.findall(r'<link rel="canonical" href="([^"]+)">', html)


def add_page(tree: SiteTree, slug: str, title: str, publish: bool = True) -> StandardPage:
    page = StandardPage(title=title, slug=slug, body="<p>We write briefs.</p>")
    tree.home.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    else:
        page.unpublish()
    return page


# --- masthead and navigation ----------------------------------------------------------------


def test_the_masthead_names_the_site_and_the_nav_has_the_four_sections(
    tree: SiteTree, client: Any
) -> None:
    html = html_of(client, tree.home.url)

    assert f'<a class="site-name" href="/">{settings.WAGTAIL_SITE_NAME}</a>' in html
    nav = section(html, '<nav class="site-nav" aria-label="Main">', "</nav>")
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav) == [
        ("/briefs/", "Briefs"),
        ("/topics/", "Topics"),
        ("/authors/", "Experts"),
        ("/search/", "Search"),
    ]
    assert current_sections(html) == []


def test_the_current_section_is_marked_on_its_pages_and_their_children(
    tree: SiteTree, client: Any
) -> None:
    author = make_author(tree)
    topic = make_topic(tree)
    brief = make_brief(tree, authors=[author], topics=[topic])

    assert current_sections(html_of(client, tree.briefs.url)) == ["/briefs/"]
    assert current_sections(html_of(client, brief.url)) == ["/briefs/"]
    assert current_sections(html_of(client, topic.url)) == ["/topics/"]
    assert current_sections(html_of(client, author.url)) == ["/authors/"]
    assert current_sections(html_of(client, tree.authors.url)) == ["/authors/"]


# --- footer ---------------------------------------------------------------------------------


def test_the_footer_links_live_about_and_contact_pages_the_feeds_and_the_copyright(
    tree: SiteTree, client: Any
) -> None:
    add_page(tree, "contact", "Contact")
    add_page(tree, "about", "About us")
    add_page(tree, "terms", "Terms")
    add_page(tree, "draft", "Draft page", publish=False)

    footer = section(html_of(client, tree.home.url), '<footer class="site-footer">', "</footer>")

    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer)
    assert links[1:3] == [("/about/", "About us"), ("/contact/", "Contact")]
    assert ("/feeds/", "Feeds") in links
    assert "Terms" not in footer
    assert "Draft page" not in footer
    year = dt.date.today().year
    assert f"© {year} {settings.BRIEFDESK_PUBLISHER}." in footer


def test_a_private_about_page_is_not_in_the_footer(tree: SiteTree, client: Any) -> None:
    about = add_page(tree, "about", "About")
    PageViewRestriction.objects.create(page=about, restriction_type="login")

    footer = section(html_of(client, tree.home.url), '<footer class="site-footer">', "</footer>")

    assert "/about/" not in footer


def test_a_standard_page_shows_its_body_and_title(tree: SiteTree, client: Any) -> None:
    add_page(tree, "about", "About")

    html = html_of(client, "/about/")

    assert "<h1>About</h1>" in html
    assert "<p>We write briefs.</p>" in html
    assert meta(html, "description") == ["We write briefs."]


# --- head metadata --------------------------------------------------------------------------


def public_pages(tree: SiteTree) -> dict[str, str]:
    author = make_author(tree)
    topic = make_topic(tree)
    topic.description = "Pakistan's politics, army and foreign relations."
    topic.save_revision().publish()
    brief = make_brief(tree, authors=[author], topics=[topic], summary="Cables strain ties.")
    add_page(tree, "about", "About")
    return {
        "home": tree.home.url,
        "brief": brief.url,
        "brief index": tree.briefs.url,
        "topic index": tree.topics.url,
        "topic guide": topic.url,
        "author index": tree.authors.url,
        "author": author.url,
        "about": "/about/",
    }


PAGE_TYPES = [
    "home",
    "brief",
    "brief index",
    "topic index",
    "topic guide",
    "author index",
    "author",
    "about",
]


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_public_page_has_one_description_canonical_link_and_link_preview_tags(
    tree: SiteTree, client: Any, page_type: str
) -> None:
    url = public_pages(tree)[page_type]

    html = html_of(client, url)

    origin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    assert canonical(html) == [f"{origin}{url}"]
    assert len(meta(html, "description")) == 1
    assert meta(html, "description")[0].strip()
    assert meta(html, "og:url") == [f"{origin}{url}"]
    assert len(meta(html, "og:title")) == 1
    assert meta(html, "og:site_name") == [settings.WAGTAIL_SITE_NAME]
    assert len(meta(html, "og:type")) == 1
    assert len(meta(html, "og:description")) == 1
    assert len(meta(html, "twitter:card")) == 1


def test_the_guide_description_and_author_role_describe_their_pages(
    tree: SiteTree, client: Any
) -> None:
    urls = public_pages(tree)

    guide = html_of(client, urls["topic guide"])
    author = html_of(client, urls["author"])

    assert meta(guide, "description") == ["Pakistan’s politics, army and foreign relations."]
    assert meta(author, "description") == ["Staff writer. Writes about South Asia."]
    assert meta(author, "og:type") == ["profile"]
    assert meta(html_of(client, urls["home"]), "og:title") == [settings.WAGTAIL_SITE_NAME]


def test_a_listing_page_beyond_the_first_is_its_own_canonical_page(
    tree: SiteTree, client: Any
) -> None:
    for day in range(1, 23):
        make_brief(tree, title=f"Brief {day}", date=dt.date(2011, 1, day))
    origin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")

    assert canonical(html_of(client, "/briefs/?page=2")) == [f"{origin}/briefs/?page=2"]
    assert canonical(html_of(client, "/briefs/?page=1&utm=x")) == [f"{origin}/briefs/"]


# --- robots.txt and the favicon -------------------------------------------------------------


def test_robots_txt_names_the_sitemap_on_the_sites_origin_and_keeps_crawlers_out_of_the_admin(
    client: Any,
) -> None:
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    origin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {origin}/sitemap.xml",
    ]


def test_favicon_ico_answers_with_an_icon_cached_for_a_week(client: Any) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert "max-age=604800" in response["Cache-Control"]


def test_pages_link_the_svg_icon(tree: SiteTree, client: Any) -> None:
    html = html_of(client, tree.home.url)

    assert re.search(r'<link rel="icon" href="/static/briefdesk/favicon[^"]*\.svg"', html)
    assert client.get("/static/briefdesk/favicon.svg").status_code == 200

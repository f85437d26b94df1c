"""Where baked URLs live and how links are rewritten (bake/links.py): no database."""

from __future__ import annotations

import pytest

from briefdesk.bake.links import LinkPlan, rewrite_html, rewrite_text

FEEDS = {"/feeds/rss/": "index.xml", "/briefs/x/pdf/": "x.pdf"}


def plan(out_base: str = "") -> LinkPlan:
    return LinkPlan("http://127.0.0.1:8000", out_base, filename=FEEDS.get)


@pytest.mark.parametrize(
    ("url", "request_url", "link"),
    [
        ("/briefs/", "/briefs/", "/briefs/"),
        ("/briefs/?page=2", "/briefs/?page=2", "/briefs/page/2/"),
        ("/briefs/?page=1", "/briefs/", "/briefs/"),
        ("/topics/pakistan/?type=op-ed&page=3", "/topics/pakistan/?type=op-ed&page=3",
         "/topics/pakistan/type/op-ed/page/3/"),
        ("/briefs/x/?style=apa", "/briefs/x/", "/briefs/x/"),
        ("/briefs/x/cite.bib?with=sources", "/briefs/x/cite.bib?with=sources",
         "/briefs/x/cite-with-sources.bib"),
        ("/feeds/rss/", "/feeds/rss/", "/feeds/rss/index.xml"),
        ("/briefs/x/pdf/?style=apa", "/briefs/x/pdf/", "/briefs/x/pdf/x.pdf"),
        ("/search/?q=pakistan", "/search/", "/search/"),
    ],
)  # fmt: skip
def test_it_gives_each_url_a_static_address(url: str, request_url: str, link: str) -> None:
    address = plan().address(url)
    assert address is not None
    assert (address.request, address.link) == (request_url, link)


@pytest.mark.parametrize("url", ["/admin/", "/admin/pages/3/", "/api/v2/briefs/", "/healthz"])
def test_it_never_bakes_the_admin_the_api_or_the_health_check(url: str) -> None:
    assert plan().address(url) is None


@pytest.mark.parametrize(
    ("link", "file"),
    [("/", "index.html"), ("/briefs/x/", "briefs/x/index.html"),
     ("/feeds/rss/index.xml", "feeds/rss/index.xml"), ("/robots.txt", "robots.txt")],
)  # fmt: skip
def test_it_writes_directories_as_index_html_and_files_by_name(link: str, file: str) -> None:
    assert plan().file_for(link) == file


def test_it_rewrites_relative_root_relative_and_absolute_links_of_the_site() -> None:
    html = (
        '<a href="?page=2">Older</a> <a href="/feeds/rss/">RSS</a> '
        '<link rel="canonical" href="http://127.0.0.1:8000/briefs/x/"> '
        '<a href="https://example.org/a/">out</a> <a href="#sources">in</a> '
        '<form action="/search/" method="get"></form> <a href="/admin/">edit</a>'
    )
    result = rewrite_html(html, "/briefs/", plan())
    assert '<a href="/briefs/page/2/">Older</a>' in result.text
    assert '<a href="/feeds/rss/index.xml">RSS</a>' in result.text
    assert 'href="http://127.0.0.1:8000/briefs/x/"' in result.text
    assert 'href="https://example.org/a/"' in result.text
    assert 'href="#sources"' in result.text
    assert 'action="/search/"' in result.text
    assert "<a>edit</a>" in result.text
    assert result.found == {"/briefs/?page=2", "/feeds/rss/", "/briefs/x/", "/search/"}


def test_a_base_url_moves_absolute_links_and_prefixes_root_relative_ones() -> None:
    html = (
        '<a href="/briefs/">All</a> <meta property="og:url" '
        'content="http://127.0.0.1:8000/briefs/x/"> <img srcset="/media/a.png 1x, /media/b.png 2x">'
    )
    text = rewrite_html(html, "/", plan("https://cdn.example.org/site/")).text
    assert '<a href="/site/briefs/">All</a>' in text
    assert 'content="https://cdn.example.org/site/briefs/x/"' in text
    assert 'srcset="/site/media/a.png 1x, /site/media/b.png 2x"' in text


def test_it_leaves_sentence_punctuation_after_a_url_in_text_alone() -> None:
    text = "Briefdesk, http://127.0.0.1:8000/briefs/x/. url = {http://127.0.0.1:8000/feeds/rss/},"
    result = rewrite_text(text, plan("https://static.example.org"))
    assert result.text == (
        "Briefdesk, https://static.example.org/briefs/x/. "
        "url = {https://static.example.org/feeds/rss/index.xml},"
    )

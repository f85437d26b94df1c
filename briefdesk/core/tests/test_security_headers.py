"""Security headers: a strict Content-Security-Policy and DENY framing on public pages, no inline
script or style in public HTML (citations included), SAMEORIGIN only for Wagtail's preview
frames, and a looser policy for the admin."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from briefdesk.citations.engine import format_items
from briefdesk.sources.models import Source
from tests.factories import PASSWORD, SourceFactory, cite, make_author, make_brief, make_topic

pytestmark = pytest.mark.django_db

PUBLIC_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
SMALL_CAPS_TITLE = 'The <span style="font-variant:small-caps;">un</span> report'


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


class InlineCode(HTMLParser):
    """Everything a strict policy would block or that the site promises not to write: style
    attributes, on* handlers, <style> elements and scripts without src (JSON-LD is data, not
    script, and is allowed)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.found.append("<style>")
        is_data = names.get("type") == "application/ld+json"
        if tag == "script" and not names.get("src") and not is_data:
            self.found.append("<script> without src")
        if tag == "script" and (names.get("src") or "").startswith(("http:", "https:", "//")):
            self.found.append(f"<script src={names['src']}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def public_site(site_tree: Any) -> dict[str, str]:
    """One of every public page kind, the brief citing a source whose title has small caps."""
    author = make_author(site_tree)
    topic = make_topic(site_tree)
    source = SourceFactory(title=SMALL_CAPS_TITLE)
    plain = SourceFactory(url="")
    brief = make_brief(
        site_tree,
        authors=[author],
        topics=[topic],
        summary="A summary.",
        body=[
            ("paragraph", f"<p>The report {cite(source)} and a reply {cite(plain)}.</p>"),
            ("topic_box", {"topic": topic, "text": "Background."}),
        ],
        additional_analysis=[f"<p>More {cite(plain)}.</p>"],
    )
    base = f"/briefs/{brief.slug}/"
    return {
        "home": "/",
        "brief": base,
        "brief in APA": base + "?style=apa",
        "Sources list alone": base + "?style=mla&partial=sources",
        "cite page": base + "cite/",
        "source page": reverse("sources:detail", args=[source.pk]),
        "brief index": "/briefs/",
        "topics": "/topics/",
        "topic": topic.url,
        "authors": "/authors/",
        "author": author.url,
        "search": reverse("search") + "?q=report",
        "not found": "/no-such-page/",
    }


def test_every_public_page_sends_the_strict_policy_and_denies_framing(
    client: Client, public_site: dict[str, str]
) -> None:
    for name, url in public_site.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not found" else 200), name
        policy = directives(response["Content-Security-Policy"])
        for directive, value in PUBLIC_DIRECTIVES.items():
            assert policy.get(directive) == value, (name, directive, policy)
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name


def test_public_pages_have_no_inline_script_style_or_event_handlers(
    client: Client, public_site: dict[str, str]
) -> None:
    for name, url in public_site.items():
        html = client.get(url).content.decode()
        assert inline_code(html) == [], name
    # The check can fail: it sees each kind of inline code.
    assert len(inline_code('<p style="x" onclick="y"><style></style><script>1</script>')) == 4
    assert inline_code('<script type="application/ld+json">{}</script>') == []


def test_the_brief_page_shows_small_caps_as_a_class_not_a_style(
    client: Client, public_site: dict[str, str]
) -> None:
    html = client.get(public_site["brief"]).content.decode()
    assert '<span class="csl-sc">un</span>' in html
    assert "<span style=" not in html


def test_stored_citations_carry_no_style_attributes() -> None:
    item = {
        "id": "x",
        "type": "article-journal",
        "title": 'A <span style="font-variant:small-caps;">sc</span> title <span '
        'style="color:red">kept as text</span>',
        "container-title": "Journal <i>of</i> things",
        "author": [{"family": "Doe", "given": "Jane"}],
        "issued": {"date-parts": [[2020]]},
    }
    for style in ("mla", "apa", "chicago-nb"):
        formatted = format_items([item], style)[0]
        for html in (formatted.bibliography_html, formatted.citation_html):
            assert "style=" not in html.replace("&#60;span style=", ""), (style, html)
        assert '<span class="csl-sc">sc</span>' in formatted.bibliography_html
        # An author's own markup that citeproc-js does not know stays escaped text.
        assert "&#60;span" in formatted.bibliography_html


def test_sources_saved_through_the_model_store_classes(site_tree: Any) -> None:
    source = SourceFactory(title=SMALL_CAPS_TITLE)
    stored = Source.objects.get(pk=source.pk).formatted
    assert stored, "citations are formatted on save"
    for style, forms in stored.items():
        for key, value in forms.items():
            if key.endswith("_html"):
                assert "style=" not in value, (style, key, value)
    assert any("csl-sc" in forms["bibliography_html"] for forms in stored.values())


def test_pdfs_are_served_without_a_policy_but_are_not_frameable(
    client: Client, public_site: dict[str, str]
) -> None:
    """Chromium's PDF viewer draws its page with inline styles; a policy on the PDF clips it."""
    response = client.get(public_site["brief"] + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_the_admin_gets_a_looser_policy_that_still_refuses_other_sites_frames(
    client: Client,
) -> None:
    response = client.get(reverse("wagtailadmin_login"))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy == {"object-src": "'none'", "base-uri": "'self'", "frame-ancestors": "'self'"}
    assert response["X-Frame-Options"] == "DENY"


def test_wagtails_preview_frame_answers_sameorigin(
    client: Client, site_tree: Any, users: Any
) -> None:
    home = site_tree.home
    client.login(username=users.editor.username, password=PASSWORD)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[home.pk])
    form = {"title": "Home", "slug": home.slug, "tagline": "Previewed"}
    # The front page's featured experts (an inline panel): none.
    form |= {f"featured_experts-{k}": "0" for k in ("TOTAL_FORMS", "INITIAL_FORMS")}
    saved = client.post(url, form)
    assert saved.json()["is_valid"] is True

    preview = client.get(url)
    assert preview.status_code == 200
    assert '<p class="front__tagline">Previewed</p>' in preview.content.decode()
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    # The public policy, except that the admin may frame the preview.
    policy = directives(preview["Content-Security-Policy"])
    assert policy == {**PUBLIC_DIRECTIVES, "frame-ancestors": "'self'"}
    # The same page outside the admin may not be framed at all.
    assert client.get("/")["X-Frame-Options"] == "DENY"

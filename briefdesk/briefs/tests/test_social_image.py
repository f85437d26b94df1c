"""The image a shared link shows: the brief's social image (Promote tab), else its first
figure, as og:image / twitter:image at an absolute URL; no image tags when it has neither."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from lxml import html as lxml_html
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Site

from tests.factories import make_author, make_brief, make_site_tree

pytestmark = pytest.mark.django_db


def image(title: str, description: str = "") -> Image:
    return Image.objects.create(
        title=title, description=description, file=get_test_image_file(size=(1600, 900))
    )


def head(brief, host: str = "briefs.example:8080") -> dict[str, list[str]]:
    response = Client().get(brief.url, HTTP_HOST=host)
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.content)
    tags: dict[str, list[str]] = {}
    for meta in doc.xpath("/html/head/meta"):
        key = meta.get("property") or meta.get("name")
        if key:
            tags.setdefault(key, []).append(meta.get("content"))
    return tags


def figure(picture: Image, alt: str = "") -> tuple[str, dict]:
    return ("figure", {"image": picture, "alt": alt, "caption": "", "credit": ""})


@pytest.fixture
def tree():
    tree = make_site_tree()
    # The site answers on the host the tests ask for; image URLs must follow it.
    Site.objects.update(hostname="briefs.example", port=8080)
    return tree


def test_the_social_image_is_shared_as_a_1200_by_630_crop_with_its_alt_text(tree) -> None:
    social = image("Flood map")
    brief = make_brief(
        tree,
        authors=[make_author(tree)],
        social_image=social,
        social_image_alt="Flooded districts along the Indus",
        body=[figure(image("Chart"), alt="A chart")],
    )

    tags = head(brief)

    [url] = tags["og:image"]
    assert url.startswith("http://briefs.example:8080/")
    assert "fill-1200x630" in url
    assert tags["og:image:alt"] == ["Flooded districts along the Indus"]
    assert tags["og:image:width"] == ["1200"]
    assert tags["og:image:height"] == ["630"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["twitter:image"] == [url]
    assert tags["twitter:image:alt"] == ["Flooded districts along the Indus"]
    assert url.endswith(social.get_rendition("fill-1200x630").url)


def test_without_a_social_image_the_first_figure_is_shared_with_its_alt_text(tree) -> None:
    brief = make_brief(
        tree,
        authors=[make_author(tree)],
        body=[
            ("paragraph", "<p>Text first.</p>"),
            figure(image("Refugee chart"), alt="Refugees by province, 2010"),
            figure(image("Second chart"), alt="Not this one"),
        ],
    )

    tags = head(brief)

    chart = Image.objects.get(title="Refugee chart").get_rendition("fill-1200x630")
    assert tags["og:image"] == [f"http://briefs.example:8080{chart.url}"]
    assert tags["og:image:alt"] == ["Refugees by province, 2010"]
    assert tags["twitter:card"] == ["summary_large_image"]


def test_a_social_image_without_alt_text_uses_the_images_description(tree) -> None:
    brief = make_brief(
        tree,
        authors=[make_author(tree)],
        social_image=image("Map", description="A map of Khyber Pakhtunkhwa"),
    )

    assert head(brief)["og:image:alt"] == ["A map of Khyber Pakhtunkhwa"]


def test_a_brief_with_neither_shares_the_site_image_and_a_summary_card(tree) -> None:
    brief = make_brief(
        tree, authors=[make_author(tree)], body=[("paragraph", "<p>Only words.</p>")]
    )

    tags = head(brief)

    assert tags["og:image"] == ["http://127.0.0.1:8000/static/briefdesk/og-image.png"]
    assert tags["og:image:alt"] == ["The Briefdesk logo"]
    assert tags["twitter:card"] == ["summary"]
    assert "twitter:image" not in tags


def test_the_first_figure_is_used_when_the_social_image_is_deleted(tree) -> None:
    social = image("Gone")
    brief = make_brief(
        tree,
        authors=[make_author(tree)],
        social_image=social,
        body=[figure(image("Kept chart"), alt="Kept")],
    )
    social.delete()

    assert head(brief)["og:image:alt"] == ["Kept"]


def test_the_demo_floods_brief_shares_its_chart() -> None:
    from django.core.management import call_command

    from briefdesk.briefs.models import BriefPage

    call_command("load_demo", stdout=io.StringIO())
    brief = BriefPage.objects.get(slug="pakistan-floods-and-the-aid-test")

    tags = head(brief, host="localhost")

    assert tags["og:image"][0].startswith("http://localhost/")
    assert tags["og:image:alt"] == [
        "Bar chart: of a 460 million dollar appeal, 290 million was pledged and 190 million "
        "received."
    ]

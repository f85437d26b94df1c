"""Every public page type has exactly one og:image, with alt text, at an absolute URL that
answers 200 with a real image: an expert's photo or a brief's social image when there is
one, else the site's image (the site's mark, a static 1200x630 PNG, on the site's origin) —
topic guides and the front page included.

Not here: a brief without an image and a source's page print their own head (briefs/,
sources/) and have no og:image yet."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from lxml import html as lxml_html
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from briefdesk.core.models import StandardPage
from briefdesk.topics.models import TopicGuidePage
from tests.db import rolled_back
from tests.factories import (
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)

pytestmark = pytest.mark.django_db

BASE = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
SITE_IMAGE_PATH = "/static/briefdesk/og-image.png"


def picture(title: str) -> Image:
    return Image.objects.create(title=title, file=get_test_image_file(size=(800, 800)))


@pytest.fixture(scope="module")
def pages(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """Page type -> its URL, one of each a reader may open."""
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        plain = make_author(tree)
        pictured = make_author(tree, "Pat", "Portrait")
        pictured.photo = picture("Portrait of Pat")
        pictured.save_revision().publish()
        guide = make_topic(tree, "Pakistan")
        sub = TopicGuidePage(title="Tribal Areas", slug="tribal-areas")
        guide.add_child(instance=sub)
        sub.save_revision().publish()
        about = StandardPage(title="About", slug="about", body="<p>Who we are.</p>")
        tree.home.add_child(instance=about)
        about.save_revision().publish()
        brief = make_brief(
            tree,
            authors=[plain],
            topics=[guide],
            social_image=picture("Flood map"),
            social_image_alt="Flooded districts",
        )
        bare = make_brief(tree, title="Words only", authors=[plain])
        source = SourceFactory()
        cited = make_brief(
            tree, title="Cites", body=[("paragraph", f"<p>Said {cite(source)}.</p>")]
        )
        assert bare.live and cited.live
        yield {
            "brief without an image": bare.url,
            "source page": reverse("sources:detail", args=[source.pk]),
            "front page": "/",
            "briefs index": tree.briefs.url,
            "topic index": tree.topics.url,
            "topic guide": guide.url,
            "sub-guide": sub.url,
            "experts index": tree.authors.url,
            "expert without a photo": plain.url,
            "expert with a photo": pictured.url,
            "standard page": about.url,
            "feeds index": reverse("feeds:index"),
            "brief with a social image": brief.url,
        }


def og_image(client: Any, url: str) -> tuple[str, str]:
    """The page's one og:image and its one og:image:alt."""
    response = client.get(url)
    assert response.status_code == 200, url
    head = lxml_html.fromstring(response.content).xpath("/html/head")[0]
    images = head.xpath('meta[@property="og:image"]/@content')
    alts = head.xpath('meta[@property="og:image:alt"]/@content')
    assert len(images) == 1, (url, images)
    assert len(alts) == 1, (url, alts)
    return images[0], alts[0]


def fetched_image(client: Any, url: str) -> PILImage.Image:
    # Absolute: on the site's origin, or (a brief's own image) on the request's host.
    assert url.startswith(("http://", "https://")), url
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("image/"), url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return PILImage.open(io.BytesIO(body))


PAGE_TYPES = [
    "brief without an image",
    "source page",
    "front page",
    "briefs index",
    "topic index",
    "topic guide",
    "sub-guide",
    "experts index",
    "expert without a photo",
    "expert with a photo",
    "standard page",
    "feeds index",
    "brief with a social image",
]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_public_page_type_has_one_og_image_that_answers_200(
    client: Any, pages: dict[str, str], kind: str
) -> None:
    url, alt = og_image(client, pages[kind])

    image = fetched_image(client, url)
    assert min(image.size) >= 200
    assert alt.strip()


@pytest.mark.parametrize(
    "kind",
    [
        "front page",
        "topic guide",
        "sub-guide",
        "feeds index",
        "brief without an image",
        "source page",
    ],
)
def test_pages_without_a_picture_of_their_own_share_the_site_image(
    client: Any, pages: dict[str, str], kind: str
) -> None:
    url, alt = og_image(client, pages[kind])

    assert url == f"{BASE}{SITE_IMAGE_PATH}"
    assert alt == f"The {settings.WAGTAIL_SITE_NAME} logo"


def test_an_expert_with_a_photo_shares_the_photo_not_the_site_image(
    client: Any, pages: dict[str, str]
) -> None:
    url, alt = og_image(client, pages["expert with a photo"])

    assert url != f"{BASE}{SITE_IMAGE_PATH}"
    assert alt == "Pat Portrait"


def test_the_site_image_is_a_png_large_enough_for_every_preview(client: Any) -> None:
    image = fetched_image(client, f"{BASE}{SITE_IMAGE_PATH}")

    assert image.format == "PNG"
    assert image.size == (1200, 630)

"""Briefs that are hard to print still print: the longest title, 200 sources, right-to-left and
Chinese names and titles, a source with no URL, an image that fails to load, an empty body.
Nothing is cut off, and what went wrong is reported in the admin, never as a 500 to a reader.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from briefdesk.briefs.models import BriefPdf
from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_users,
)
from tests.pdfs import get_pdf, ink_fraction, page_image, pdf_fonts, pdf_info, pdf_text

pytestmark = pytest.mark.django_db


def pdf_for(client: Any, slug: str) -> bytes:
    return get_pdf(client, f"/briefs/{slug}/pdf/")


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_longest_title_prints_whole_on_the_first_page(site_tree: Any, client: Any) -> None:
    title = " ".join(f"Word{n:02d}" for n in range(42))[:255]  # a page title's maximum
    make_brief(site_tree, title=title, slug="longest-title")

    content = pdf_for(client, "longest-title")

    first_page = words(pdf_text(content).split("\f")[0])
    assert title in first_page
    assert pdf_info(content)["Title"] == title


def test_a_title_longer_than_a_page_allows_is_a_form_error(site_tree: Any, client: Any) -> None:
    from django.urls import reverse

    users = make_users()
    client.force_login(users.editor)
    url = reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", site_tree.briefs.pk))
    form = nested_form_data(
        {
            "title": "x" * 300,
            "slug": "too-long",
            "brief_type": "Analysis Brief",
            "date": "2010-12-06",
            "brief_authors": inline_formset([], min=1),
            "brief_topics": inline_formset([]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": streamfield([]),
            "additional_analysis": streamfield([]),
        }
    )

    response = client.post(url, form)

    assert response.status_code == 200
    assert "Ensure this value has at most 255 characters (it has 300)." in response.content.decode()


def test_a_300_character_source_title_is_not_cut_off(site_tree: Any, client: Any) -> None:
    long_title = " ".join(["Pakistan's long view of the alliance"] * 9)[:300]
    source = SourceFactory(title=long_title, url="https://news.example/" + "very-long-path/" * 12)
    make_brief(site_tree, slug="long-source", body=[("paragraph", f"<p>Claim {cite(source)}.</p>")])

    text = words(pdf_text(pdf_for(client, "long-source")))

    assert long_title.split()[-1] in text
    # pdftotext may join a URL broken at a hyphen at the end of a line, so count without them.
    assert text.replace(" ", "").replace("-", "").count("verylongpath") == 12


def test_two_hundred_sources_become_two_hundred_numbered_endnotes(
    site_tree: Any, client: Any
) -> None:
    outlet = OutletFactory(name="Wire")
    sources = [SourceFactory(outlet=outlet, title=f"Dispatch number {n}") for n in range(1, 201)]
    body = [
        ("paragraph", "<p>" + " ".join(f"Claim {cite(s)}." for s in sources[i : i + 20]) + "</p>")
        for i in range(0, 200, 20)
    ]
    make_brief(site_tree, slug="many-sources", body=body)

    content = pdf_for(client, "many-sources")
    text = pdf_text(content)
    notes = text.split("SOURCES")[1]

    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", notes, re.M)]
    assert numbers == list(range(1, 201))
    assert "Dispatch Number 200" in words(notes)
    assert int(pdf_info(content)["Pages"]) > 5


def test_right_to_left_and_chinese_text_prints_as_text(site_tree: Any, client: Any) -> None:
    author = make_author(site_tree, "رحانہ", "قادری")
    urdu = SourceFactory(
        outlet=OutletFactory(name="روزنامہ جنگ"),
        title="وکی لیکس اور پاکستان",
        authors=[{"family": "قادری", "given": "رحانہ"}],
    )
    chinese = SourceFactory(
        outlet=OutletFactory(name="人民日报"),
        title="维基解密与巴基斯坦",
        authors=[{"literal": "王小明"}],
    )
    make_brief(
        site_tree,
        title="维基解密 and وکی لیکس",
        slug="scripts",
        authors=[author],
        body=[("paragraph", f"<p>Urdu press {cite(urdu)}; Chinese press {cite(chinese)}.</p>")],
    )

    content = pdf_for(client, "scripts")
    text = pdf_text(content)

    # Chinese needs a CJK font (fonts-wqy-microhei); without one the glyphs would be boxes
    # and pdftotext would give no Chinese text back.
    for chinese_text in ("维基解密与巴基斯坦", "王小明", "人民日报"):
        assert chinese_text in text
    # Arabic script comes back letter for letter; pdftotext may give it in visual order.
    for rtl in ("قادری", "رحانہ", "وکی لیکس"):
        assert rtl in text or rtl[::-1] in text, rtl
    assert pdf_info(content)["Author"] == "رحانہ قادری"
    # Drawn in fonts that have the glyphs, rather than as empty boxes: Arabic script in one
    # face that covers Urdu (letters such as ہ and ے are missing from DejaVu), and a CJK face.
    fonts = pdf_fonts(content)
    assert "Scheherazade" in fonts, fonts
    assert "WenQuanYi-Micro-Hei" in fonts, fonts
    assert ink_fraction(page_image(content)) > 0.02


def test_a_source_without_a_url_is_a_full_reference_without_one(
    site_tree: Any, client: Any
) -> None:
    cable = SourceFactory(
        kind="diplomatic_cable",
        outlet=OutletFactory(name="WikiLeaks"),
        title="Scenesetter for the visit",
        url="",
    )
    make_brief(site_tree, slug="no-url", body=[("paragraph", f"<p>Cable {cite(cable)}.</p>")])

    notes = words(pdf_text(pdf_for(client, "no-url")).split("SOURCES")[1])

    assert notes.startswith("1. Doe, Jane. “Scenesetter for the Visit.” WikiLeaks")
    assert "http" not in notes.split("Cite as:")[0]


def _image(title: str, filename: str) -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 360), (30, 90, 160)).save(buffer, "PNG")
    return Image.objects.create(title=title, file=ContentFile(buffer.getvalue(), filename))


def test_a_figure_prints_with_its_caption(site_tree: Any, client: Any) -> None:
    image = _image("Chart of aid flows", "aid-chart.png")
    make_brief(
        site_tree,
        slug="with-figure",
        body=[
            ("paragraph", "<p>Before the chart.</p>"),
            ("figure", {"image": image, "alt": "", "caption": "Aid by year", "credit": "CRS"}),
        ],
    )

    content = pdf_for(client, "with-figure")

    assert "Aid by year" in pdf_text(content)
    assert BriefPdf.objects.get(page__slug="with-figure").problems == []
    # The blue chart is on the page: far more ink than text alone leaves.
    assert ink_fraction(page_image(content)) > 0.08


def test_an_image_that_fails_to_load_is_left_out_and_reported_in_the_admin(
    site_tree: Any, client: Any
) -> None:
    cache.clear()  # Wagtail caches renditions by image id, which a rolled-back test may reuse
    image = _image("Missing map", "lost-map.png")
    image.file.storage.delete(image.file.name)  # the file is gone from storage
    make_brief(
        site_tree,
        title="Brief with a lost map",
        slug="lost-map",
        body=[
            ("paragraph", "<p>Text before the map.</p>"),
            ("figure", {"image": image, "alt": "", "caption": "Where the map was", "credit": ""}),
            ("paragraph", "<p>Text after the map.</p>"),
        ],
    )

    text = pdf_text(pdf_for(client, "lost-map"))

    assert "Text before the map." in text and "Text after the map." in text
    record = BriefPdf.objects.get(page__slug="lost-map")
    assert record.file
    assert len(record.problems) == 1
    assert record.problems == [
        "Image not loaded: http://127.0.0.1:8000/media/not-found (the file is missing from storage)"
    ]

    users = make_users()
    client.force_login(users.editor)
    report = client.get("/admin/reports/pdf-problems/")
    assert report.status_code == 200
    html = report.content.decode()
    assert "Brief with a lost map" in html
    assert "Image not loaded: http://127.0.0.1:8000/media/not-found" in html


def test_the_pdf_problems_report_lists_only_briefs_with_problems(
    site_tree: Any, client: Any
) -> None:
    make_brief(site_tree, title="Fine brief", slug="fine")
    pdf_for(client, "fine")
    users = make_users()

    client.force_login(users.editor)
    html = client.get("/admin/reports/pdf-problems/").content.decode()

    assert "Fine brief" not in html
    assert "PDF problems" in html
    client.force_login(users.reader)
    assert client.get("/admin/reports/pdf-problems/").status_code == 302  # to the login page


def test_an_empty_brief_still_prints_its_title_block_and_citation(
    site_tree: Any, client: Any
) -> None:
    make_brief(site_tree, title="Nothing yet", slug="empty", body=[], date=dt.date(2011, 3, 1))

    text = words(pdf_text(pdf_for(client, "empty")))

    assert text.startswith("Briefdesk ANALYSIS BRIEF NO. 2011-1 Nothing yet March 1, 2011")
    assert "SOURCES" not in text
    # No author: the title leads, and the publisher issues it.
    assert "Cite as: Nothing Yet. Analysis Brief No. 2011-1. Briefdesk, 2011." in text

"""The PDF of a brief at /briefs/<slug>/pdf/, read as a reader reads it: its text with
pdftotext (title block first, the body in order, numbered endnotes, "Cite as:" last), its
metadata with pdfinfo, and its first page as pixels with pdftoppm. Then the cache: made once per
published revision and style, served from storage, dropped when what it shows changes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import PageViewRestriction
from wagtail.rich_text import RichText

from briefdesk.briefs.models import BriefPage, BriefPdf
from briefdesk.sources.models import Source
from tests.db import rolled_back
from tests.factories import (
    OutletFactory,
    SiteTree,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)
from tests.pdfs import get_pdf, ink_fraction, page_image, pdf_info, pdf_text, pdf_xmp

pytestmark = pytest.mark.django_db

SLUG = "how-wikileaks-hurts-us-pakistan-ties"


@dataclass
class World:
    tree: SiteTree
    brief: BriefPage
    reuters: Source
    bbc: Source
    nyt: Source
    cable: Source
    dawn: Source
    pdfs: dict[str, bytes]


def build_world() -> World:
    tree = make_site_tree()
    author = make_author(tree, "Jayshree", "Bajoria")
    second = make_author(tree, "Greg", "Bruno")
    pakistan, leaks = make_topic(tree, "Pakistan"), make_topic(tree, "Diplomacy and Leaks")
    reuters = SourceFactory(
        outlet=OutletFactory(name="Reuters"),
        title="Pakistan condemns leaks",
        url="https://www.reuters.com/pakistan-condemns",
    )
    bbc = SourceFactory(outlet=OutletFactory(name="BBC News"), title="Reaction in Pakistan")
    nyt = SourceFactory(
        outlet=OutletFactory(name="The New York Times", short_label="NYT"), title="Fuel talks"
    )
    cable = SourceFactory(
        kind="diplomatic_cable",
        outlet=OutletFactory(name="WikiLeaks"),
        title="Army chief signals limits",
        url="",
    )
    dawn = SourceFactory(outlet=OutletFactory(name="Dawn"), title="What the cables leave out")
    brief = make_brief(
        tree,
        authors=[author, second],
        topics=[pakistan, leaks],
        date=dt.date(2010, 12, 6),
        summary="The cables tell Pakistanis little new, but they put private doubts on record.",
        body=[
            ("paragraph", f"<p>Alpha paragraph: {cite(bbc)} and {cite(reuters)}.</p>"),
            ("heading", "Bravo heading"),
            (
                "paragraph",
                f"<p>Charlie paragraph: fuel talks {cite(nyt)}; the army chief {cite(cable)}; "
                f"again {cite(bbc)}.</p>",
            ),
            (
                "paragraph",
                '<p>Delta paragraph, <a href="https://thenews.example/op-ed">in an op-ed</a>.</p>',
            ),
            ("quote", {"quote": "Echo quotation of a columnist.", "attribution": "Rehana Qadri"}),
            ("topic_box", {"topic": pakistan, "text": ""}),
        ],
        additional_analysis=[f"<p>Foxtrot commentary argues for an account {cite(dawn)}.</p>"],
    )
    return World(tree, brief, reuters, bbc, nyt, cable, dawn, pdfs={})


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with rolled_back(django_db_blocker):
        yield build_world()


def pdf_of(world: World, client: Any, style: str = "") -> bytes:
    """The brief's PDF in a style, fetched once per module."""
    if style not in world.pdfs:
        url = f"/briefs/{SLUG}/pdf/" + (f"?style={style}" if style else "")
        world.pdfs[style] = get_pdf(client, url)
    return world.pdfs[style]


def text_of(world: World, client: Any, style: str = "") -> str:
    return re.sub(r"[ \t]+", " ", pdf_text(pdf_of(world, client, style)))


def endnotes(text: str) -> dict[int, str]:
    """The numbered entries of the Sources section: {number: entry text on one line}."""
    _, found, notes = text.partition("SOURCES\n")
    assert found, "no Sources section"
    notes = notes.split("Cite as:")[0]
    entries: dict[int, str] = {}
    for chunk in re.split(r"\n(?=\d+\. )", "\n" + notes):
        match = re.match(r"(\d+)\. (.*)", chunk.strip(), re.S)
        if match:
            entries[int(match[1])] = " ".join(match[2].split())
    return entries


# --- the document ------------------------------------------------------------------------


def test_the_pdf_is_served_inline_with_a_dated_file_name(world: World, client: Any) -> None:
    response = client.get(f"/briefs/{SLUG}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{SLUG}-2010-12-06.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_pdf_opens_with_the_title_block(world: World, client: Any) -> None:
    lines = [line.strip() for line in text_of(world, client).splitlines() if line.strip()]

    assert lines[:6] == [
        "Briefdesk",
        "ANALYSIS BRIEF NO. 2010-1",
        "How WikiLeaks Hurts U.S.-Pakistan Ties",
        "Authors: Jayshree Bajoria and Greg Bruno",
        "December 6, 2010",
        f"http://127.0.0.1:8000/briefs/{SLUG}/",
    ]


def test_the_pdf_keeps_the_body_in_order_and_leaves_out_the_page_chrome(
    world: World, client: Any
) -> None:
    text = text_of(world, client)

    markers = [
        "Alpha paragraph",
        "Bravo heading",
        "Charlie paragraph",
        "Delta paragraph",
        "Echo quotation",
        "Pakistan",
        "ADDITIONAL ANALYSIS",
        "Foxtrot commentary",
        "SOURCES",
        "Cite as:",
    ]
    positions = [text.find(marker, text.find("Alpha paragraph")) for marker in markers]
    assert -1 not in positions, dict(zip(markers, positions, strict=True))
    assert positions == sorted(positions)
    for chrome in ("Search", "Download PDF", "Copy", "MORE ON THIS TOPIC", "Topic guides"):
        assert chrome not in text


def test_every_citation_number_in_the_body_leads_to_its_full_reference(
    world: World, client: Any
) -> None:
    text = text_of(world, client)
    notes = endnotes(text)
    body = text.split("SOURCES\n")[0]

    # "(LABEL) N": the label in parentheses, then the endnote's superscript number.
    labels = "BBC News|Reuters|NYT|WikiLeaks|Dawn"
    cited = re.findall(rf"\(({labels})\)\s*(\d+)", " ".join(body.split()))
    by_label = {
        "BBC News": world.bbc,
        "Reuters": world.reuters,
        "NYT": world.nyt,
        "WikiLeaks": world.cable,
        "Dawn": world.dawn,
    }
    assert [label for label, _ in cited] == [
        "BBC News",
        "Reuters",
        "NYT",
        "WikiLeaks",
        "BBC News",
        "Dawn",
    ]
    assert [int(n) for _, n in cited] == [1, 2, 3, 4, 1, 5]
    assert sorted(notes) == [1, 2, 3, 4, 5]
    for label, number in cited:
        # Chicago title-cases the title.
        assert by_label[label].title.lower() in notes[int(number)].lower(), label


def test_endnotes_give_each_url_and_ordinary_links_print_theirs(world: World, client: Any) -> None:
    text = text_of(world, client)
    notes = " ".join(endnotes(text).values()).replace(" ", "")

    assert world.reuters.url in notes
    assert world.bbc.url in notes
    assert "<https://thenews.example/op-ed>" in "".join(text.split())


def test_the_endnotes_are_chicago_notes_by_default(world: World, client: Any) -> None:
    notes = endnotes(text_of(world, client))

    assert notes[2].startswith("Doe, Jane. “Pakistan Condemns Leaks.” Reuters, November 29, 2010.")


def test_the_endnotes_and_cite_as_follow_the_style_asked_for(world: World, client: Any) -> None:
    text = text_of(world, client, "apa")
    notes = endnotes(text)

    assert notes[2].startswith("Doe, J. (2010, November 29). Pakistan condemns leaks. Reuters.")
    cite_as = " ".join(text.split("Cite as:")[1].split())
    assert cite_as.startswith(
        "Bajoria, J., & Bruno, G. (2010). How WikiLeaks hurts U.S.-Pakistan ties "
        "(Analysis Brief No. 2010-1). Briefdesk."
    )


def test_cite_as_is_the_last_text_of_the_document(world: World, client: Any) -> None:
    pages = text_of(world, client).rstrip("\f\n").split("\f")
    last = " ".join(pages[-1].split())

    assert (
        "Cite as: Bajoria, Jayshree, and Greg Bruno. How WikiLeaks Hurts U.S.-Pakistan Ties. "
        "Analysis Brief No. 2010-1. Briefdesk, 2010." in last
    )
    tail = re.sub(r"\d+\s*/\s*\d+$", "", last.split("Cite as:")[1].strip())  # the page number
    assert tail.rstrip().endswith(f"http://127.0.0.1:8000/briefs/{SLUG}/.")


def test_pages_are_numbered_n_of_total(world: World, client: Any) -> None:
    pages = text_of(world, client).rstrip("\f\n").split("\f")

    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number}\s*/\s*{len(pages)}\b", page), page[-80:]


def test_the_pdf_metadata_describes_the_brief(world: World, client: Any) -> None:
    info = pdf_info(pdf_of(world, client))

    assert info["Title"] == "How WikiLeaks Hurts U.S.-Pakistan Ties"
    assert info["Author"] == "Jayshree Bajoria, Greg Bruno"
    assert info["Subject"] == world.brief.summary
    assert info["Keywords"] == "Pakistan, Diplomacy and Leaks"
    assert info["CreationDate"].startswith("2010-12-06")


def test_the_pdf_records_the_brief_type_and_series_number(world: World, client: Any) -> None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf_of(world, client))
        handle.flush()
        out = subprocess.run(
            ["pdfinfo", "-custom", handle.name], capture_output=True, check=True, text=True
        ).stdout

    custom = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    assert custom["ReportType"].strip() == "Analysis Brief"
    assert custom["ReportNumber"].strip() == world.brief.number == "2010-1"


def test_the_pdf_is_tagged_pdf_ua_on_a4_by_default(world: World, client: Any) -> None:
    content = pdf_of(world, client)
    info = pdf_info(content)

    assert info["Tagged"] == "yes"
    assert "(A4)" in info["Page size"]
    assert 'pdfuaid:part="1"' in pdf_xmp(content)


def test_the_first_page_is_printed_not_blank(world: World, client: Any) -> None:
    image = page_image(pdf_of(world, client), page=1)

    assert image.width < image.height  # portrait
    assert 0.02 < ink_fraction(image) < 0.5


def test_the_page_size_follows_the_setting(world: World, client: Any) -> None:
    with override_settings(BRIEFDESK_PDF_PAGE_SIZE="letter"):
        BriefPdf.objects.filter(page=world.brief).delete()
        content = get_pdf(client, f"/briefs/{SLUG}/pdf/")
    BriefPdf.objects.filter(page=world.brief).delete()

    assert "612 x 792 pts (letter)" in pdf_info(content)["Page size"]


# --- who gets one ------------------------------------------------------------------------


def test_an_unknown_style_is_a_400_naming_the_valid_ones(world: World, client: Any) -> None:
    response = client.get(f"/briefs/{SLUG}/pdf/?style=harvard")

    assert response.status_code == 400
    assert "mla, apa, chicago-nb, chicago-ad" in response.content.decode()


def test_a_draft_has_no_public_pdf(world: World, client: Any, admin_client: Any) -> None:
    draft = make_brief(world.tree, title="Secret draft", publish=False, live=False)

    assert client.get(f"/briefs/{draft.slug}/pdf/").status_code == 404
    assert admin_client.get(f"/briefs/{draft.slug}/pdf/").status_code == 404
    assert not BriefPdf.objects.filter(page=draft).exists()


def test_an_unpublished_brief_loses_its_pdf(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    brief = make_brief(world.tree, title="Soon withdrawn")
    assert client.get(f"/briefs/{brief.slug}/pdf/").status_code == 200
    stored = BriefPdf.objects.get(page=brief).file.path

    with django_capture_on_commit_callbacks(execute=True):
        brief.unpublish()

    assert client.get(f"/briefs/{brief.slug}/pdf/").status_code == 404
    assert not BriefPdf.objects.filter(page=brief).exists()
    assert not Path(stored).exists()


def test_a_private_brief_has_no_public_pdf(world: World, client: Any) -> None:
    private = make_brief(world.tree, title="Members only")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )

    assert client.get(f"/briefs/{private.slug}/pdf/").status_code == 404


def test_only_get_and_head_are_allowed(world: World, client: Any) -> None:
    assert client.post(f"/briefs/{SLUG}/pdf/").status_code == 405


# --- the cache ---------------------------------------------------------------------------


def test_the_second_request_is_served_from_storage(world: World, client: Any) -> None:
    brief = make_brief(world.tree, title="Cached once")
    url = f"/briefs/{brief.slug}/pdf/?style=mla"
    first = get_pdf(client, url)
    record = BriefPdf.objects.get(page=brief, style="mla")
    assert record.revision_id == brief.live_revision_id
    # Mark the stored file: if the second answer carries the mark, it came from storage.
    Path(record.file.path).write_bytes(first + b"%stored-copy")

    second = get_pdf(client, url)

    assert second == first + b"%stored-copy"
    assert BriefPdf.objects.filter(page=brief).count() == 1


def test_a_stored_pdf_whose_file_was_lost_is_made_again(world: World, client: Any) -> None:
    brief = make_brief(world.tree, title="Lost file")
    url = f"/briefs/{brief.slug}/pdf/"
    client.get(url)
    Path(BriefPdf.objects.get(page=brief).file.path).unlink()

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert Path(BriefPdf.objects.get(page=brief).file.path).exists()


def test_deleting_a_brief_deletes_its_stored_pdfs(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    brief = make_brief(world.tree, title="Deleted later")
    client.get(f"/briefs/{brief.slug}/pdf/")
    stored = Path(BriefPdf.objects.get(page=brief).file.path)

    with django_capture_on_commit_callbacks(execute=True):
        brief.delete()

    assert not stored.exists()


def test_each_style_has_its_own_pdf(world: World, client: Any) -> None:
    brief = make_brief(world.tree, title="Two styles")
    client.get(f"/briefs/{brief.slug}/pdf/")
    client.get(f"/briefs/{brief.slug}/pdf/?style=apa")

    assert sorted(BriefPdf.objects.filter(page=brief).values_list("style", flat=True)) == [
        "apa",
        "chicago-nb",
    ]


def test_publishing_a_new_revision_replaces_the_pdf(
    world: World, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    brief = make_brief(world.tree, title="First title")
    url = f"/briefs/{brief.slug}/pdf/"
    assert "First title" in pdf_text(get_pdf(client, url))
    old = BriefPdf.objects.get(page=brief)

    brief.title = "Second title"
    with django_capture_on_commit_callbacks(execute=True):
        brief.save_revision().publish()

    assert not BriefPdf.objects.filter(pk=old.pk).exists()
    assert not Path(old.file.path).exists()
    assert "Second title" in pdf_text(get_pdf(client, url))
    assert BriefPdf.objects.get(page=brief).revision_id != old.revision_id


def test_saving_a_draft_revision_keeps_the_published_pdf(world: World, client: Any) -> None:
    brief = make_brief(world.tree, title="Published words")
    url = f"/briefs/{brief.slug}/pdf/"
    client.get(url)

    brief.title = "Draft words"
    brief.save_revision()

    assert BriefPdf.objects.filter(page=brief).count() == 1
    text = pdf_text(get_pdf(client, url))
    assert "Published words" in text
    assert "Draft words" not in text


def test_editing_a_cited_source_drops_the_pdfs_that_cite_it(world: World, client: Any) -> None:
    source = SourceFactory(title="Original headline")
    brief = make_brief(
        world.tree, title="Citing brief", body=[("paragraph", f"<p>Claim {cite(source)}.</p>")]
    )
    other = make_brief(world.tree, title="Not citing")
    for page in (brief, other):
        client.get(f"/briefs/{page.slug}/pdf/")

    source.title = "Corrected headline"
    source.save()

    assert not BriefPdf.objects.filter(page=brief).exists()
    assert BriefPdf.objects.filter(page=other).exists()
    text = " ".join(pdf_text(get_pdf(client, f"/briefs/{brief.slug}/pdf/")).split())
    assert "Corrected Headline" in text


def test_renaming_an_author_drops_their_briefs_pdfs(world: World, client: Any) -> None:
    author = make_author(world.tree, "Imran", "Kazmi")
    brief = make_brief(world.tree, title="By Kazmi", authors=[author])
    client.get(f"/briefs/{brief.slug}/pdf/")

    author.family_name = "Kazmi-Shah"
    author.save_revision().publish()

    assert not BriefPdf.objects.filter(page=brief).exists()
    text = pdf_text(get_pdf(client, f"/briefs/{brief.slug}/pdf/"))
    assert "Imran Kazmi-Shah" in text


# --- failures ----------------------------------------------------------------------------


def test_a_failed_render_is_a_503_page_and_is_recorded_for_the_admin(
    world: World, client: Any
) -> None:
    brief = make_brief(world.tree, title="Cannot render")

    with override_settings(BRIEFDESK_PDF_VARIANT="pdf/x-9"):
        response = client.get(f"/briefs/{brief.slug}/pdf/")

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    html = response.content.decode()
    assert "could not be made" in html
    assert f'href="{brief.url}"' in html
    record = BriefPdf.objects.get(page=brief)
    assert record.error and not record.file
    # Rendering works again, but a failure this recent is not retried yet: still a 503.
    assert client.get(f"/briefs/{brief.slug}/pdf/").status_code == 503
    # Five minutes later, the next request makes and stores the PDF.
    BriefPdf.objects.filter(pk=record.pk).update(made_at=record.made_at - dt.timedelta(minutes=6))
    assert client.get(f"/briefs/{brief.slug}/pdf/").status_code == 200
    record.refresh_from_db()
    assert record.file and record.error == ""


def test_a_client_with_the_current_pdf_gets_304(world: World, client: Any) -> None:
    first = client.get(f"/briefs/{SLUG}/pdf/")
    etag, modified = first["ETag"], first["Last-Modified"]

    assert client.get(f"/briefs/{SLUG}/pdf/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(f"/briefs/{SLUG}/pdf/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    other = client.get(f"/briefs/{SLUG}/pdf/", HTTP_IF_NONE_MATCH='"pdf-0-r0-0"')
    assert other.status_code == 200


# --- the command -------------------------------------------------------------------------


def test_the_command_writes_the_same_pdf_the_site_serves(
    world: World, client: Any, tmp_path: Path
) -> None:
    served = pdf_of(world, client)
    out = tmp_path / "brief.pdf"

    call_command("brief_pdf", SLUG, output=str(out), stdout=io.StringIO())

    assert out.read_bytes() == served


def test_the_command_names_the_file_after_the_brief_and_its_date(
    world: World, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    call_command("brief_pdf", SLUG, style="mla", stdout=io.StringIO())

    written = tmp_path / f"{SLUG}-2010-12-06.pdf"
    assert "Doe, Jane. “Pakistan Condemns Leaks.” Reuters, 29 Nov. 2010" in " ".join(
        pdf_text(written.read_bytes()).split()
    )


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["no-such-brief"], {}, "no published brief with slug 'no-such-brief'"),
        ([SLUG], {"style": "harvard"}, "unknown style 'harvard'"),
        ([SLUG], {"output": "/no/such/dir/x.pdf"}, "cannot write /no/such/dir/x.pdf"),
    ],
    ids=["unknown slug", "unknown style", "bad output"],
)
def test_the_command_explains_what_is_wrong(
    world: World, args: list[str], options: dict[str, str], message: str
) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("brief_pdf", *args, **options, stdout=io.StringIO())


def test_the_command_renders_a_draft_only_when_asked(world: World, tmp_path: Path) -> None:
    draft = make_brief(world.tree, title="Draft for the printer", publish=False, live=False)
    draft.body = [("paragraph", RichText("<p>Golf words of the draft.</p>"))]
    draft.save_revision()
    out = tmp_path / "draft.pdf"

    with pytest.raises(CommandError, match="has no published revision: use --draft"):
        call_command("brief_pdf", draft.slug, output=str(out))
    call_command("brief_pdf", draft.slug, output=str(out), draft=True, stdout=io.StringIO())

    assert "Golf words of the draft." in pdf_text(out.read_bytes())
    assert not BriefPdf.objects.filter(page=draft).exists()

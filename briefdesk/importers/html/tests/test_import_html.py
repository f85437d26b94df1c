"""`briefdesk import-html FILE_OR_DIR...`: saved brief pages from three site layouts (a think
tank, a newsroom, a blog) become briefs with their sources, Additional Analysis, guide and
pins; bad pages fail one by one with a reason, leaving nothing behind."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.sources.models import Outlet, Source
from briefdesk.topics.models import TopicGuidePage

FILES = Path(__file__).parent / "files"
THINKTANK = FILES / "thinktank"
pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_html", *args, stdout=out)
    return out.getvalue().splitlines()


def failing(*args: str) -> tuple[list[str], str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_html", *args, stdout=out)
    assert failed.value.returncode == 1
    return out.getvalue().splitlines(), str(failed.value)


def brief(slug: str) -> BriefPage:
    return BriefPage.objects.get(slug=slug)


def test_it_prints_each_new_briefs_path_and_a_summary() -> None:
    lines = run(str(THINKTANK))

    assert lines == [
        f"{THINKTANK / 'kashmir-talks.html'} -> /briefs/kashmir-talks/ (created, draft)",
        f"{THINKTANK / 'pakistans-drone-dilemma.html'} -> /briefs/pakistans-drone-dilemma/ "
        "(created, draft)",
        "Imported 2 files: 2 created, 0 updated.",
    ]


def test_a_think_tank_page_keeps_its_type_title_authors_date_and_body() -> None:
    run(str(THINKTANK))

    page = brief("pakistans-drone-dilemma")
    assert (page.title, page.brief_type, str(page.date)) == (
        "Pakistan’s Drone Dilemma",  # smart typography on save
        "Analysis Brief",
        "2010-11-29",
    )
    assert [a.name for a in page.authors] == ["Jayshree Bajoria", "Eben Kaplan"]
    assert page.summary == "Drone strikes strain an alliance both sides call essential."
    kinds = [b.block_type for b in page.body]
    assert kinds == ["paragraph"] * 2 + ["heading", "paragraph", "quote"] + ["paragraph"] * 2 + [
        "topic_box"
    ]
    quote = page.body[4].value
    assert (quote["quote"], quote["attribution"]) == (
        "We condemn these strikes, which violate our sovereignty.",
        "Pakistan Foreign Office",
    )
    assert not page.live


def test_chrome_is_dropped() -> None:
    run(str(THINKTANK))

    text = " ".join(str(b.value) for b in brief("pakistans-drone-dilemma").body)
    chrome = ["Skip to content", "Regions", "Search", "Print", "Share", "Advertisement"]
    chrome += ["newsletter", "©", "Daily Brief", "javascript", "More on This Topic"]
    assert [words for words in chrome if words in text] == []


def test_parenthesised_outlet_links_become_sources_of_that_outlet() -> None:
    run(str(THINKTANK))

    reuters = Source.objects.get(url__contains="reuters.com")
    assert reuters.outlet is not None and reuters.outlet.name == "Reuters"
    assert reuters.parenthetical_label == "Reuters"
    assert reuters.kind == "news_article"
    first = brief("pakistans-drone-dilemma").body[0].value.source
    assert first.endswith(
        f'condemned the latest of them <a linktype="source" id="{reuters.pk}">Reuters</a>.</p>'
    )
    assert "(" not in first  # the page's own parentheses: the citation prints its own


def test_pdf_links_become_document_sources_labelled_pdf() -> None:
    run(str(THINKTANK))

    pdf = Source.objects.get(url="https://www.gao.gov/assets/gao-11-310r.pdf")
    assert (pdf.kind, pdf.medium, pdf.parenthetical_label) == ("report", "PDF", "PDF")
    assert pdf.title == "Combating Terrorism: U.S. Assistance to Pakistan"


def test_other_outside_links_keep_their_words_and_cite_the_page() -> None:
    run(str(THINKTANK))

    brookings = Source.objects.get(url__contains="brookings.edu")
    assert brookings.kind == "web_page"
    paragraph = brief("pakistans-drone-dilemma").body[3].value.source
    assert f'Brookings Institution argued <a linktype="source" id="{brookings.pk}">' in paragraph


def test_one_url_cited_twice_is_one_source() -> None:
    run(str(THINKTANK))

    assert Source.objects.filter(url__contains="reuters.com").count() == 1
    assert Source.objects.count() == 7  # Reuters, GAO, Brookings, NYT, BBC x2, Foreign Affairs


def test_same_site_links_become_internal_links_or_plain_text() -> None:
    run(str(THINKTANK))

    kashmir = brief("kashmir-talks")
    paragraph = brief("pakistans-drone-dilemma").body[3].value.source
    assert f'<a linktype="page" id="{kashmir.pk}">backgrounder on the Kashmir talks</a>' in (
        paragraph
    )
    assert "and an older brief." in paragraph  # not imported: its text alone
    assert "data-internal" not in paragraph


def test_mailto_links_stay_and_script_links_become_text() -> None:
    run(str(THINKTANK))

    paragraph = brief("pakistans-drone-dilemma").body[6].value.source
    assert '<a href="mailto:press@thinktank.example">whom you ask</a> in Washington.' in paragraph


def test_additional_analysis_becomes_items_citing_their_sources() -> None:
    run(str(THINKTANK))

    items = [b.value.source for b in brief("pakistans-drone-dilemma").additional_analysis]
    fa = Source.objects.get(url__contains="foreignaffairs.com")
    assert len(items) == 2
    assert items[0].startswith("<p>In Foreign Affairs, Daniel Markey argues")
    assert f'<a linktype="source" id="{fa.pk}">Foreign Affairs</a>' in items[0]


def test_a_crisis_guide_link_becomes_the_featured_guide_created_when_missing() -> None:
    run(str(THINKTANK))

    guide = TopicGuidePage.objects.get(title="Pakistan")
    assert guide.label == "Crisis Guide"
    page = brief("pakistans-drone-dilemma")
    assert [t.topic_id for t in page.brief_topics.all()] == [guide.pk]
    assert page.body[-1].block_type == "topic_box"
    assert page.body[-1].value["topic"].pk == guide.pk


def test_more_on_this_topic_pins_briefs_imported_in_the_same_run_either_way() -> None:
    run(str(THINKTANK))

    drones, kashmir = brief("pakistans-drone-dilemma"), brief("kashmir-talks")
    assert [p.related_id for p in drones.related_pins.all()] == [kashmir.pk]
    assert [p.related_id for p in kashmir.related_pins.all()] == [drones.pk]


def test_authors_are_matched_by_name_or_created_once() -> None:
    run(str(THINKTANK))

    assert AuthorPage.objects.filter(family_name="Bajoria").count() == 1
    assert brief("kashmir-talks").authors[0].pk == brief("pakistans-drone-dilemma").authors[0].pk


def test_importing_again_updates_the_briefs_instead_of_adding_others() -> None:
    run(str(THINKTANK))
    ids = sorted(BriefPage.objects.values_list("pk", flat=True))
    sources = Source.objects.count()

    lines = run(str(THINKTANK))

    assert lines[-1] == "Imported 2 files: 0 created, 2 updated."
    assert "(updated, draft)" in lines[0]
    assert sorted(BriefPage.objects.values_list("pk", flat=True)) == ids
    assert Source.objects.count() == sources
    assert AuthorPage.objects.count() == 2
    assert TopicGuidePage.objects.count() == 1


def test_publish_makes_the_briefs_and_their_new_records_live() -> None:
    lines = run(str(THINKTANK), "--publish")

    assert lines[0].endswith("(created, published)")
    page = brief("pakistans-drone-dilemma")
    assert page.live
    assert all(a.live for a in page.authors)
    assert Source.objects.filter(live=False).count() == 0
    assert Outlet.objects.get(name="Reuters").live


def test_drafts_leave_their_new_sources_and_outlets_unpublished() -> None:
    run(str(THINKTANK))

    assert not Source.objects.filter(live=True).exists()
    assert not Outlet.objects.filter(live=True).exists()
    assert not TopicGuidePage.objects.get(title="Pakistan").live


def test_a_dry_run_reports_and_writes_nothing() -> None:
    lines = run(str(THINKTANK), "--dry-run")

    assert lines[0].endswith("-> /briefs/kashmir-talks/ (create, draft)")
    assert lines[-1] == "Checked 2 files: 2 to create, 0 to update. Nothing was written."
    assert not BriefPage.objects.exists()
    assert not Source.objects.exists()
    assert not AuthorPage.objects.exists()


def test_a_newsroom_page_reads_its_citation_metadata_and_kicker() -> None:
    run(str(FILES / "newsroom"), "--base-url", "https://news.ledger.example/")

    page = brief("congress-weighs-aid-freeze")
    assert (page.brief_type, str(page.date)) == ("Op-Ed", "2011-02-03")
    assert [(a.given_name, a.family_name) for a in page.authors] == [
        ("Ahmed", "Rashid"),
        ("C. Christine", "Fair"),
    ]
    first = page.body[0].value.source
    ap = Source.objects.get(outlet__name="AP")
    post = Source.objects.get(outlet__name="Washington Post")
    assert first.endswith(
        f'<a linktype="source" id="{ap.pk}">AP</a> '
        f'<a linktype="source" id="{post.pk}">Washington Post</a>.</p>'
    )
    kinds = [b.block_type for b in page.body]
    assert kinds == ["paragraph", "heading", "paragraph", "quote", "paragraph"]
    assert page.body[3].value["attribution"] == "Senator John Kerry"
    assert page.body[4].value.source == (
        "<p>Readers can find earlier coverage in our November report.</p>"
    )
    text = " ".join(str(b.value) for b in page.body)
    assert "First!" not in text and "Subscribe" not in text and "Other story" not in text


def test_a_minimal_blog_page_reads_loose_text_and_a_dated_paragraph() -> None:
    lines = run(str(FILES / "blog"))

    assert lines[0].endswith("-> /briefs/notes-on-aid/ (created, draft)")
    page = brief("notes-on-aid")
    assert (page.brief_type, str(page.date)) == ("Analysis Brief", "2011-03-03")
    assert [a.name for a in page.authors] == ["Ahmed Rashid"]
    assert len(page.body) == 3
    assert page.body[0].value.source.startswith("<p>Aid is a blunt instrument.")
    assert "3 March 2011" not in str(page.body[0].value)


def test_a_windows_1252_page_is_read_in_its_declared_encoding() -> None:
    run(str(FILES / "encoding"))

    page = BriefPage.objects.get()
    assert page.title == "Café diplomacy in Islamabad"
    assert page.brief_type == "Expert Brief"
    assert [a.name for a in page.authors] == ["François Müller"]
    assert "“We talk over coffee,” said one envoy — a habit of the capital’s diplomats" in str(
        page.body[0].value
    )


def test_bad_pages_each_get_a_reason_the_rest_are_imported_and_it_exits_1() -> None:
    lines, summary = failing(str(FILES / "bad"), str(THINKTANK / "kashmir-talks.html"))

    bad = FILES / "bad"
    assert lines == [
        f"{bad / 'binary.html'}: no title found (no <h1>, og:title or <title>)",
        f"{bad / 'malformed.html'} -> /briefs/malformed/ (created, draft)",
        f"{bad / 'no-date.html'}: no publication date found (no article:published_time, "
        "<time datetime> or dated byline)",
        f"{bad / 'no-title.html'}: no title found (no <h1>, og:title or <title>)",
        f"{THINKTANK / 'kashmir-talks.html'} -> /briefs/kashmir-talks/ (created, draft)",
    ]
    assert summary == "Imported 5 files: 2 created, 0 updated, 3 failed."
    slugs = sorted(BriefPage.objects.values_list("slug", flat=True))
    assert slugs == ["kashmir-talks", "malformed"]


def test_malformed_html_is_read_as_a_browser_would() -> None:
    run(str(FILES / "bad" / "malformed.html"))

    paragraphs = [str(b.value) for b in brief("malformed").body]
    assert paragraphs[0] == "<p>An unclosed paragraph <b>with bold <i>and italic</i></b> text</p>"


def test_pages_with_one_title_get_deterministic_slug_suffixes(tmp_path) -> None:
    run(str(FILES / "duplicate"))

    slugs = dict(BriefPage.objects.values_list("date", "slug"))
    assert sorted(slugs.values()) == ["post-a", "post-b"]  # named after their files
    copy = tmp_path / "weekly-roundup.html"
    shutil.copy(FILES / "duplicate" / "post-a.html", copy)
    shutil.copy(FILES / "duplicate" / "post-b.html", tmp_path / "weekly-roundup.htm")
    run(str(tmp_path))
    assert sorted(BriefPage.objects.values_list("slug", flat=True)) == [
        "post-a", "post-b", "weekly-roundup", "weekly-roundup-2",
    ]  # fmt: skip


def test_a_failure_while_writing_leaves_nothing_of_that_page(tmp_path) -> None:
    page = (THINKTANK / "kashmir-talks.html").read_text()
    # A source whose URL the Source model refuses: the brief, its author and the sources
    # written before it must all go.
    page = page.replace("Both sides called", '(<a href="https://exa mple.org/x">Bad</a>) Both')
    (tmp_path / "kashmir.html").write_text(page)

    lines, summary = failing(str(tmp_path))

    assert lines[0].startswith(f"{tmp_path / 'kashmir.html'}: source https://exa mple.org/x:")
    assert summary == "Imported 1 file: 0 created, 0 updated, 1 failed."
    assert not BriefPage.objects.exists()
    assert not AuthorPage.objects.exists()
    assert not Source.objects.exists()
    assert not Outlet.objects.exists()


def test_a_20_mb_page_with_inlined_images_imports(tmp_path) -> None:
    page = (THINKTANK / "kashmir-talks.html").read_text()
    image = '<img src="data:image/png;base64,' + "A" * (20 * 1024 * 1024) + '">'
    (tmp_path / "big.html").write_text(page.replace("<p>Both sides", image + "<p>Both sides"))

    lines = run(str(tmp_path))

    assert lines[0].endswith("-> /briefs/kashmir-talks/ (created, draft)")


def test_a_page_over_the_limit_is_refused_with_its_size(tmp_path, settings) -> None:
    from briefdesk.importers.html.parser import parse_html
    from briefdesk.importers.parsed import BriefInputError

    with pytest.raises(BriefInputError, match="the page is 2,000 bytes; the limit is 1,000 bytes"):
        parse_html(b"x" * 2000, "big.html", max_bytes=1000)


def test_an_unknown_topic_is_refused_before_anything_is_written() -> None:
    _, summary = failing(str(THINKTANK), "--topic", "nowhere")

    assert summary == "--topic: no topic guide has the slug 'nowhere'"
    assert not BriefPage.objects.exists()


def test_topic_files_every_brief_under_that_guide() -> None:
    from tests.factories import make_site_tree, make_topic

    tree = make_site_tree()
    guide = make_topic(tree, "Afghanistan")
    run(str(FILES / "newsroom"), "--topic", guide.slug)

    page = brief("congress-weighs-aid-freeze")
    assert [t.topic_id for t in page.brief_topics.all()] == [guide.pk]


def test_a_missing_file_is_one_failure() -> None:
    lines, _ = failing("/nonexistent/page.html")

    assert lines == ["/nonexistent/page.html: no such file"]


def test_scripts_handlers_and_script_urls_never_reach_the_brief(tmp_path) -> None:
    hostile = (
        '<p onclick="steal()">Hello <img src=x onerror="alert(1)"><script>alert(2)</script>'
        '<a href="javascript:alert(3)">click</a> <a href="https://evil.example/x?q=1" '
        'onmouseover="alert(4)">quoted</a> <style>p{}</style><iframe src="x"></iframe>'
        '<b style="x" onmouseover="alert(5)">bold</b> &lt;script&gt;alert(6)&lt;/script&gt;</p>'
    )
    page = (THINKTANK / "kashmir-talks.html").read_text()
    (tmp_path / "hostile.html").write_text(page.replace("<p>Both sides", hostile + "<p>Both"))

    run(str(tmp_path))

    stored = " ".join(str(b.value) for b in brief("kashmir-talks").body)
    for bad in ("onclick", "onerror", "<script", "javascript:", "onmouseover=", "<iframe",
                "style=", "<img"):  # fmt: skip
        assert bad not in stored
    assert "&lt;script&gt;alert(6)&lt;/script&gt;" in stored  # text stays text
    assert Source.objects.filter(url="https://evil.example/x?q=1").exists()


def test_reimporting_a_published_brief_without_publish_leaves_a_draft_revision() -> None:
    run(str(THINKTANK / "kashmir-talks.html"), "--publish")
    page = brief("kashmir-talks")
    assert page.live and not page.has_unpublished_changes

    run(str(THINKTANK / "kashmir-talks.html"))

    page = brief("kashmir-talks")
    assert page.live and page.has_unpublished_changes


def test_links_resolved_in_the_second_pass_are_in_the_draft_editors_open() -> None:
    run(str(THINKTANK))

    drones = brief("pakistans-drone-dilemma")
    draft = brief("kashmir-talks").get_latest_revision_as_object()  # what the editor opens
    assert f'<a linktype="page" id="{drones.pk}">' in draft.body[0].value.source
    assert [p.related_id for p in draft.related_pins.all()] == [drones.pk]

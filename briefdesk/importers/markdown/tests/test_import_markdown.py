"""`briefdesk import-markdown DIR`: one brief per Markdown file with YAML front matter;
`[@key]` cites a front-matter source as "(LABEL)"; errors name the file and the line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefdesk.briefs.models import BriefPage
from briefdesk.importers.markdown.parser import parse_markdown
from briefdesk.importers.parsed import BriefInputError
from briefdesk.sources.models import Source
from briefdesk.topics.models import TopicGuidePage

FILES = Path(__file__).parent / "files"
BRIEFS = FILES / "briefs"
BAD = FILES / "bad"
pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_markdown", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_each_new_briefs_path_and_a_summary() -> None:
    assert run(str(BRIEFS)) == [
        f"{BRIEFS / 'drones.md'} -> /briefs/drones/ (created, draft)",
        f"{BRIEFS / 'kashmir.md'} -> /briefs/kashmir/ (created, draft)",
        "Imported 2 files: 2 created, 0 updated.",
    ]


def test_front_matter_gives_type_authors_date_summary_topics_and_guide() -> None:
    run(str(BRIEFS))

    page = BriefPage.objects.get(slug="drones")
    assert (page.brief_type, str(page.date)) == ("Analysis Brief", "2010-11-29")
    assert [a.name for a in page.authors] == ["Jayshree Bajoria", "Eben Kaplan"]
    assert page.summary == "Drone strikes strain an alliance both sides call essential."
    topics = [t.topic.title for t in page.brief_topics.all()]
    assert topics == ["Pakistan", "Afghanistan"]  # the featured guide first
    assert TopicGuidePage.objects.get(title="Pakistan").label == "Crisis Guide"


def test_citations_become_source_entities_rendered_with_their_label() -> None:
    run(str(BRIEFS))

    page = BriefPage.objects.get(slug="drones")
    reuters = Source.objects.get(url__contains="reuters.com")
    assert reuters.outlet is not None and reuters.outlet.name == "Reuters"
    assert reuters.authors == [{"family": "Haider", "given": "Kamran"}]
    assert reuters.issued == "2010-11-29"
    assert page.body[0].value.source == (
        "<p>American drone strikes have <i>tripled</i> this year, and Islamabad has condemned "
        f'the latest of them <a linktype="source" id="{reuters.pk}">Reuters</a>.</p>'
    )


def test_several_keys_in_one_citation_and_label_overrides() -> None:
    run(str(BRIEFS))

    gao = Source.objects.get(number="GAO-11-310R")
    cable = Source.objects.get(title__startswith="Ambassador")
    assert (gao.kind, gao.parenthetical_label) == ("report", "PDF")
    assert cable.parenthetical_label == "Cable"
    second = BriefPage.objects.get(slug="drones").body[1].value.source
    assert (
        f'traced <a linktype="source" id="{gao.pk}">PDF</a> '
        f'<a linktype="source" id="{cable.pk}">Cable</a>.'
    ) in second


def test_ordinary_links_stay_links_and_links_to_other_files_become_internal() -> None:
    run(str(BRIEFS))

    kashmir = BriefPage.objects.get(slug="kashmir")
    second = BriefPage.objects.get(slug="drones").body[1].value.source
    assert (
        '<a href="https://www.congress.gov/committee/senate-foreign-relations/ssfr00">'
        "committee’s page</a>"
    ) in second
    assert f'<a linktype="page" id="{kashmir.pk}">Kashmir backgrounder</a>' in second


def test_quotes_headings_lists_and_additional_analysis() -> None:
    run(str(BRIEFS))

    page = BriefPage.objects.get(slug="drones")
    kinds = [b.block_type for b in page.body]
    assert kinds == ["paragraph", "paragraph", "heading", "quote", "paragraph", "topic_box"]
    assert page.body[3].value["attribution"] == "Pakistan Foreign Office"
    items = [b.value.source for b in page.additional_analysis]
    assert len(items) == 2
    assert items[1] == "<p>A second item, with <b>bold</b> words.</p>"


def test_raw_html_and_script_links_never_reach_the_brief() -> None:
    run(str(BRIEFS))

    text = " ".join(str(b.value) for b in BriefPage.objects.get(slug="drones").body)
    assert "script" not in text and "javascript" not in text


def test_related_files_and_more_on_this_topic_become_pins() -> None:
    run(str(BRIEFS))

    drones, kashmir = BriefPage.objects.get(slug="drones"), BriefPage.objects.get(slug="kashmir")
    assert [p.related_id for p in drones.related_pins.all()] == [kashmir.pk]
    assert [p.related_id for p in kashmir.related_pins.all()] == [drones.pk]


def test_sources_never_cited_are_not_imported() -> None:
    run(str(BRIEFS))

    assert not Source.objects.filter(title="Never cited").exists()


def test_importing_again_updates_the_same_briefs() -> None:
    run(str(BRIEFS))
    ids = sorted(BriefPage.objects.values_list("pk", flat=True))

    lines = run(str(BRIEFS))

    assert lines[-1] == "Imported 2 files: 0 created, 2 updated."
    assert sorted(BriefPage.objects.values_list("pk", flat=True)) == ids
    assert Source.objects.count() == 3


def test_bad_files_are_named_with_their_line_and_nothing_of_them_is_written() -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_markdown", str(BAD), str(BRIEFS / "kashmir.md"), stdout=out)

    assert failed.value.returncode == 1
    assert str(failed.value) == "Imported 7 files: 1 created, 0 updated, 6 failed."
    assert out.getvalue().splitlines() == [
        f"{BAD / 'bad-type.md'}: line 4: unknown type 'Podcast': use one of Analysis Brief, "
        "Backgrounder, Expert Brief, Interview, Op-Ed",
        f"{BAD / 'front-matter-a-list.md'}: line 2: the front matter must be YAML "
        "'key: value' lines",
        f"{BAD / 'no-date.md'}: front matter: no date",
        f"{BAD / 'no-front-matter.md'}: line 1: no front matter: a brief starts with a line "
        "'---', its YAML front matter, and another '---'",
        f"{BAD / 'not-yaml.md'}: line 5: the front matter is not valid YAML: expected ',' or "
        "']', but got ':'",
        f"{BAD / 'unknown-key.md'}: line 10: unknown source [@nowhere] (no such key under "
        "sources:)",
        f"{BRIEFS / 'kashmir.md'} -> /briefs/kashmir/ (created, draft)",
    ]
    assert list(BriefPage.objects.values_list("slug", flat=True)) == ["kashmir"]
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("---\ntitle: x\n", "line 1: the front matter is not closed by a line '---'"),
        ("---\ntitle: [x\n---\n", "line 2: the front matter is not valid YAML"),
        ("---\ntitle: x\ndate: soon\n---\n", "line 3: date 'soon' is not YYYY-MM-DD"),
        ("---\ntitle: {a: 1}\n---\n", "line 2: title must be text"),
        ("---\ntitle: x\ndate: 2011-01-01\nsources: [a]\n---\n", "line 4: sources must map"),
        (
            "---\ntitle: x\ndate: 2011-01-01\nsources:\n  a: {type: book}\n---\n[@a]\n",
            "line 5: source a: give it a title (or an author)",
        ),
        ("---\ntitle: x\ndate: 2011-01-01\nguide: [a]\n---\n", "line 4: guide is a title"),
    ],
)
def test_front_matter_errors_name_their_line(text: str, error: str) -> None:
    with pytest.raises(BriefInputError) as failed:
        parse_markdown(text, "x.md", key="markdown:x.md")
    assert str(failed.value).startswith(error)


def test_a_file_that_is_not_utf_8_names_the_line(tmp_path) -> None:
    (tmp_path / "latin.md").write_bytes(b"---\ntitle: x\ndate: 2011-01-01\n---\nCaf\xe9\n")
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_markdown", str(tmp_path), stdout=out)

    assert out.getvalue().splitlines() == [
        f"{tmp_path / 'latin.md'}: line 5: not UTF-8 text (save the file as UTF-8)"
    ]


def test_a_source_the_model_refuses_names_its_key_and_leaves_nothing(tmp_path) -> None:
    (tmp_path / "bad.md").write_text(
        "---\ntitle: x\ndate: 2011-01-01\nsources:\n"
        "  a: {title: A, URL: 'ftp://files.example/a'}\n---\nClaim [@a].\n"
    )
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_markdown", str(tmp_path), stdout=out)

    assert out.getvalue().startswith(f"{tmp_path / 'bad.md'}: source ftp://files.example/a:")
    assert not BriefPage.objects.exists()

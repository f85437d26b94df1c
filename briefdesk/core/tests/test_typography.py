"""Typography on save: curly quotes, apostrophes, dashes and ellipses in titles, plain text,
rich text and StreamField blocks; tags, attributes and citations left alone; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from briefdesk.briefs.models import BriefPage
from briefdesk.core.typography import smarten_html, smarten_text
from briefdesk.topics.models import TopicGuidePage
from tests.factories import SourceFactory, cite, make_brief, make_site_tree, make_topic

TEXT_CASES = [
    ('He said "no"', "He said “no”"),
    ("Pakistan's army", "Pakistan’s army"),
    ("the '90s", "the ’90s"),
    ("'single'", "‘single’"),
    ("1998--2001", "1998–2001"),
    ("war---again", "war—again"),
    ("and so on...", "and so on…"),
    ("U.S.-Pakistan ties", "U.S.-Pakistan ties"),
    ("“already” it’s – — …", "“already” it’s – — …"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_plain_text_gets_curly_quotes_dashes_and_ellipses(text: str, expected: str) -> None:
    assert smarten_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_converting_twice_changes_nothing(text: str, expected: str) -> None:
    assert smarten_text(smarten_text(text)) == expected
    assert smarten_html(smarten_html(f"<p>{text}</p>")) == f"<p>{expected}</p>"


HTML_CASES = [
    (
        '<p>"Aid" is <a id="12" linktype="source" data-note="it\'s &quot;x&quot;">(AP)</a>.</p>',
        '<p>“Aid” is <a id="12" linktype="source" data-note="it\'s &quot;x&quot;">(AP)</a>.</p>',
    ),
    (
        '<p><a href="https://x.example/a--b...">x</a></p>',
        '<p><a href="https://x.example/a--b...">x</a></p>',
    ),
    ("<p>&quot;Quoted&quot; &amp; it&#x27;s</p>", "<p>“Quoted” &amp; it’s</p>"),
    ('<p>"<i>Dawn</i>" reported</p>', "<p>“<i>Dawn</i>” reported</p>"),
    ("<p><code>'raw'</code></p>", "<p><code>'raw'</code></p>"),
]


@pytest.mark.parametrize(("html", "expected"), HTML_CASES)
def test_rich_text_changes_only_text_between_tags(html: str, expected: str) -> None:
    assert smarten_html(html) == expected
    assert smarten_html(expected) == expected


@pytest.mark.django_db
def test_a_saved_brief_has_curly_title_summary_and_body_but_untouched_citations() -> None:
    tree = make_site_tree()
    source = SourceFactory(title='The "cables" story')
    brief = make_brief(
        tree,
        title='Pakistan\'s "Double Game" -- Revisited',
        slug="double-game",
        summary="It's complicated...",
        body=[
            ("heading", "What's next"),
            ("paragraph", f'<p>"Aid" slowed {cite(source)}.</p>'),
            ("quote", {"quote": "'We won't'", "attribution": "A general"}),
        ],
        date=dt.date(2011, 1, 2),
    )

    stored = BriefPage.objects.get(pk=brief.pk)
    assert stored.title == "Pakistan’s “Double Game” – Revisited"
    assert stored.summary == "It’s complicated…"
    blocks = list(stored.body)
    assert blocks[0].value == "What’s next"
    assert str(blocks[1].value.source) == f"<p>“Aid” slowed {cite(source)}.</p>"
    assert blocks[2].value["quote"] == "‘We won’t’"
    # The source's own title is the outlet's and is not the brief's to change.
    source.refresh_from_db()
    assert source.title == 'The "cables" story'


@pytest.mark.django_db
def test_a_guide_timeline_event_text_is_converted_and_its_brief_links_kept() -> None:
    tree = make_site_tree()
    brief = make_brief(tree)
    topic = make_topic(tree)
    topic.timeline = [
        (
            "event",
            {
                "date": dt.date(2010, 11, 28),
                "text": '<p>"Cablegate" begins...</p>',
                "briefs": [brief],
            },
        )
    ]
    topic.description = "The army's role"
    topic.save_revision().publish()

    stored = TopicGuidePage.objects.get(pk=topic.pk)
    event = next(iter(stored.timeline)).value
    assert str(event["text"].source) == "<p>“Cablegate” begins…</p>"
    assert [b.pk for b in event["briefs"]] == [brief.pk]
    assert stored.description == "The army’s role"


@pytest.mark.django_db
def test_a_revision_holds_the_converted_title() -> None:
    tree = make_site_tree()
    brief = make_brief(tree, title="Draft 'one'", slug="draft-one", publish=False)

    revision = brief.get_latest_revision()

    assert revision.as_object().title == "Draft ‘one’"

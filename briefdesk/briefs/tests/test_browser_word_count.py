"""Wagtail's Checks panel counts the words of the first `main, [role="main"]` element of the
preview (its innerText, word-like Intl.Segmenter segments). On a brief page that element is the
brief itself, so the count is the brief's own text: not its Sources, Additional Analysis or
More on This Topic, and not the site's chrome."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page

from briefdesk.briefs.tests.test_browser_brief import ensure_migrated_data
from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What Wagtail's preview panel runs (wagtail/admin/static_src/.../ContentExtractor and its
# word count): the first `main, [role="main"]`, else the body; word-like segments of its text.
WAGTAIL_WORD_COUNT = """() => {
  const el = document.querySelector('main, [role="main"]') || document.body;
  const lang = document.documentElement.lang || 'en';
  const segmenter = new Intl.Segmenter(lang, {granularity: 'word'});
  return Array.from(segmenter.segment(el.innerText)).filter((s) => s.isWordLike).length;
}"""
COUNT_TEXT = """(text) => Array.from(new Intl.Segmenter('en', {granularity: 'word'}).segment(text))
  .filter((s) => s.isWordLike).length"""

TITLE = "Floods Test the Alliance"
PARAGRAPHS = [
    "The worst floods in Pakistan's history have displaced millions of people and washed away "
    "roads, bridges and crops across the Indus valley.",
    "Washington pledged early and generously, and its helicopters reached districts the "
    "government could not.",
    "Whether that goodwill outlasts the water depends on how quickly reconstruction money "
    "arrives and who is seen to deliver it.",
]
HEADING = "What comes next"
# Type label and series number ("2010-1" is two words), byline, date and the Print / Download
# PDF / Cite actions: the brief's header.
HEADER_WORDS = len("Analysis Brief No. 2010 1 Author Jayshree Bajoria December 6 2010".split()) + 4


def build_brief_with_much_besides_its_prose() -> Any:
    ensure_migrated_data()
    tree = make_site_tree()
    author = make_author(tree)
    topic = make_topic(tree)
    outlet = OutletFactory(name="Reuters", short_label="Reuters")
    sources = [
        SourceFactory(
            outlet=outlet,
            title=f"Floods in Pakistan leave millions without shelter, report number {n}",
        )
        for n in range(6)
    ]
    make_brief(
        tree,
        title="An Earlier Brief on the Same Topic with a Long Title",
        slug="earlier",
        authors=[author],
        topics=[topic],
        summary="An earlier look at how aid and politics mix in Pakistan after disasters.",
        date=dt.date(2010, 11, 1),
    )
    return make_brief(
        tree,
        title=TITLE,
        authors=[author],
        topics=[topic],
        body=[
            ("paragraph", f"<p>{PARAGRAPHS[0]} {cite(sources[0])}</p>"),
            ("heading", HEADING),
            ("paragraph", f"<p>{PARAGRAPHS[1]} {cite(sources[1])}</p>"),
            ("paragraph", f"<p>{PARAGRAPHS[2]}</p>"),
        ],
        additional_analysis=[
            f"<p>Commentary from outside analysts on the relief effort, item {n} "
            f"{cite(source)}.</p>"
            for n, source in enumerate(sources[2:])
        ],
    )


def test_wagtails_word_count_of_a_brief_is_its_own_text(page: Page, live_server: Any) -> None:
    brief = build_brief_with_much_besides_its_prose()
    page.goto(live_server.url + brief.url)

    prose = page.evaluate(COUNT_TEXT, " ".join([TITLE, HEADING, *PARAGRAPHS]))
    # The citations after two paragraphs: six sources share the label "Reuters", so each
    # citation carries what tells them apart ("(Reuters, Nov. 2010a)").
    citations = page.evaluate(
        COUNT_TEXT,
        " ".join(page.locator("main .brief-body .cite").all_inner_texts()),
    )
    assert page.locator("main .brief-body .cite").count() == 2
    counted = page.evaluate(WAGTAIL_WORD_COUNT)

    # Everything the page shows besides the brief is there, just not counted.
    for selector in (".additional-analysis", ".sources", ".more-on-topic"):
        assert page.locator(selector).is_visible()
    assert prose + citations <= counted <= prose + citations + HEADER_WORDS
    # The whole page says far more: the count would be wrong by that much.
    assert page.evaluate(COUNT_TEXT, page.inner_text("body")) > 2 * counted

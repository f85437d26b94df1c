"""One site for the feed tests: public briefs of two types by a public expert, under a guide
and its sub-guide, with a private and an unpublished co-author and topic; and a private, a
draft and an unpublished brief whose words must never reach a feed or the sitemap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from wagtail.models import Page, PageViewRestriction

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.sources.models import Source
from briefdesk.topics.models import TopicGuidePage
from tests.db import rolled_back
from tests.factories import (
    SiteTree,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)


def make_private(page: Page) -> PageViewRestriction:
    """Restrict a page (and so its subtree) the way the admin's privacy dialog does."""
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )


def unpublish(page: Page) -> Page:
    page.unpublish()
    page.refresh_from_db()
    return page


def make_subtopic(parent: TopicGuidePage, title: str) -> TopicGuidePage:
    page = TopicGuidePage(title=title, slug=title.lower().replace(" ", "-"))
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@dataclass
class World:
    tree: SiteTree
    expert: AuthorPage
    topic: TopicGuidePage
    subtopic: TopicGuidePage
    analysis: BriefPage  # Analysis Brief, by the expert and two hidden co-authors
    op_ed: BriefPage  # Op-Ed under the sub-topic, with characters that need escaping
    source: Source  # cited by the analysis: it has a public page
    hidden_sources: list[Source]  # a draft cited by the analysis, one cited by a private brief
    # A word in each hidden page's title or summary: none may appear in a feed.
    hidden_words: dict[str, str]


def build_world() -> World:
    tree = make_site_tree()
    expert = make_author(tree, "Open", "Writer")
    private_author = make_author(tree, "Hidden", "Quillfeather")
    make_private(private_author)
    gone_author = unpublish(make_author(tree, "Former", "Inkwright"))

    topic = make_topic(tree, "Open Topic")
    subtopic = make_subtopic(topic, "Kashmir Valley")
    private_topic = make_topic(tree, "Marmalade Affairs")
    make_private(private_topic)
    gone_topic = unpublish(make_topic(tree, "Withdrawn Quagmires"))

    source = SourceFactory(title="Quokka census")
    draft_source = SourceFactory(title="Unreviewed wombat census")
    private_source = SourceFactory(title="Zeppelin census")
    analysis = make_brief(
        tree,
        body=[("paragraph", f"<p>Counted {cite(source)}; {cite(draft_source, 'Wombat')}.</p>")],
        title="Public analysis of quokkas",
        summary="Everyone reads about quokkas.",
        date=dt.date(2011, 2, 1),
        authors=[expert, private_author, gone_author],
        topics=[topic, private_topic, gone_topic],
        brief_type="Analysis Brief",
    )
    op_ed = make_brief(
        tree,
        title="Tom & Jerry’s “<b>bold</b>” op-ed",
        slug="tom-and-jerry",
        summary="Ampersands & <angle brackets> are text, not markup.",
        date=dt.date(2011, 1, 1),
        authors=[expert],
        topics=[subtopic],
        brief_type="Op-Ed",
    )

    def hidden(title: str, summary: str, **kwargs: Any) -> BriefPage:
        return make_brief(
            tree,
            title=title,
            summary=summary,
            authors=[expert],
            topics=[topic, subtopic],
            brief_type="Op-Ed",
            date=dt.date(2011, 3, 1),
            **kwargs,
        )

    make_private(
        hidden(
            "Private Zeppelin brief",
            "Members read about zeppelinography.",
            body=[("paragraph", f"<p>Seen {cite(private_source)}.</p>")],
        )
    )
    # Taken down after the brief went live (publishing a brief publishes its new sources).
    Source.objects.filter(pk=draft_source.pk).update(live=False)
    hidden("Draft Narwhal brief", "Nobody reads about narwhalology yet.", publish=False)
    unpublish(hidden("Withdrawn Okapi brief", "Nobody reads about okapiology now."))
    return World(
        tree=tree,
        expert=expert,
        topic=topic,
        subtopic=subtopic,
        analysis=analysis,
        op_ed=op_ed,
        source=source,
        hidden_sources=[draft_source, private_source],
        hidden_words={
            "private brief": "Zeppelin",
            "private brief's summary": "zeppelinography",
            "draft brief": "Narwhal",
            "draft brief's summary": "narwhalology",
            "unpublished brief": "Okapi",
            "unpublished brief's summary": "okapiology",
            "private topic": "Marmalade",
            "unpublished topic": "Quagmires",
            "private author's page": "hidden-quillfeather",
            "unpublished author's page": "former-inkwright",
        },
    )


@pytest.fixture(scope="package")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the package (publishing formats citations: seconds per brief); what a
    test changes is rolled back after it."""
    with rolled_back(django_db_blocker):
        yield build_world()


def leaks(world: World, text: str) -> dict[str, str]:
    """The hidden pages whose words appear in `text`."""
    return {what: word for what, word in world.hidden_words.items() if word in text}

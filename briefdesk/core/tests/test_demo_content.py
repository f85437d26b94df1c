"""`load_demo`: the demo content loads completely, loads once, and shows every part of a brief.

Loading takes several seconds, so it happens once for the module, inside a transaction that
is rolled back after the module's last test.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.citations.styles import STYLES
from briefdesk.core.demo import loader
from briefdesk.core.roles import AUTHORS, EDITORS
from briefdesk.sources.kinds import Kind
from briefdesk.sources.models import Outlet, Source
from briefdesk.topics.models import TopicGuidePage
from tests.db import rolled_back
from tests.pages import html_of

pytestmark = pytest.mark.django_db

ANATOMY = "how-wikileaks-hurts-us-pakistan-ties"


def counts() -> dict[str, int]:
    return {
        "briefs": BriefPage.objects.count(),
        "authors": AuthorPage.objects.count(),
        "topics": TopicGuidePage.objects.count(),
        "sources": Source.objects.count(),
        "outlets": Outlet.objects.count(),
        "users": get_user_model().objects.count(),
    }


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The output of loading the demo into the empty test database."""
    with rolled_back(django_db_blocker):
        assert BriefPage.objects.count() == 0
        yield load()


# --- what it loads -----------------------------------------------------------------------


def test_it_loads_briefs_authors_topics_sources_and_outlets(demo: str) -> None:
    loaded = counts()

    assert loaded["briefs"] >= 12
    assert loaded["authors"] == 3
    assert loaded["topics"] == 5  # four guides and one sub-guide
    assert loaded["sources"] >= 40
    assert loaded["outlets"] >= 10


def test_it_reports_what_it_created(demo: str) -> None:
    loaded = counts()

    assert demo.startswith("Demo content loaded: ")
    assert f"{loaded['briefs']} briefs" in demo
    assert f"{loaded['sources']} sources" in demo
    assert "3 authors" in demo
    assert "5 topics" in demo
    assert "Demo accounts (password briefdesk-demo): admin, editor, author." in demo


def test_it_loads_a_source_of_every_kind(demo: str) -> None:
    kinds = set(Source.objects.values_list("kind", flat=True))

    assert kinds == {kind.value for kind in Kind}


def test_every_demo_source_is_formatted_in_every_style(demo: str) -> None:
    for source in Source.objects.all():
        assert set(source.formatted) == set(STYLES), source.citation_key
        # A style may cite a source in notes only (Chicago: posts, letters): no entry, a note.
        assert all(f["bibliography"] or f["notes_only"] for f in source.formatted.values()), (
            source.citation_key
        )


def test_every_demo_brief_stores_its_own_citation_and_its_cited_sources(demo: str) -> None:
    for brief in BriefPage.objects.all():
        assert set(brief.citations) == set(STYLES), brief.slug
        assert brief.cited_sources.exists(), brief.slug


@pytest.mark.parametrize(
    ("username", "group"), [("admin", None), ("editor", EDITORS), ("author", AUTHORS)]
)
def test_it_creates_a_demo_account_for_each_role(
    demo: str, username: str, group: str | None
) -> None:
    user = authenticate(username=username, password=loader.DEMO_PASSWORD)

    assert user is not None
    assert user.is_superuser == (group is None)
    assert list(user.groups.values_list("name", flat=True)) == ([group] if group else [])


# --- idempotence -------------------------------------------------------------------------


def test_loading_again_creates_nothing_new(demo: str) -> None:
    before = counts()

    output = load()

    assert output.strip() == "Demo content loaded: nothing new."
    assert counts() == before


def test_loading_again_leaves_published_briefs_as_they_were(demo: str) -> None:
    before = dict(BriefPage.objects.values_list("slug", "latest_revision_id"))

    load()

    assert dict(BriefPage.objects.values_list("slug", "latest_revision_id")) == before


def test_if_empty_skips_when_briefs_exist(demo: str) -> None:
    before = counts()

    output = load("--if-empty")

    assert output.strip() == "Briefs exist already; demo content not loaded."
    assert counts() == before


def test_if_empty_loads_when_there_are_no_briefs(
    demo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    BriefPage.objects.all().delete()
    calls: list[bool] = []
    monkeypatch.setattr(
        loader, "load_demo", lambda: calls.append(True) or loader.LoadReport({"briefs": 1})
    )

    output = load("--if-empty")

    assert calls == [True]
    assert output.strip() == "Demo content loaded: 1 briefs."


def test_invalid_demo_content_fails_with_a_one_line_reason(
    demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "content.json"
    topic = {"slug": "t", "title": "T", "label": "", "introduction": "See {src:no-such-key}."}
    bad.write_text(
        json.dumps({"outlets": [], "sources": [], "authors": [], "topics": [topic], "briefs": []})
    )
    monkeypatch.setattr(loader, "load_demo", functools.partial(loader.load_demo, bad))
    before = counts()

    with pytest.raises(CommandError) as error:
        load()

    assert str(error.value).startswith("demo content is invalid: ")
    assert "no-such-key" in str(error.value)
    assert "\n" not in str(error.value)
    assert counts() == before


# --- the anatomy brief -------------------------------------------------------------------


def test_every_demo_brief_renders(demo: str, client: Any) -> None:
    for brief in BriefPage.objects.live():
        html = html_of(client, brief.url)
        assert "cite--missing" not in html, brief.slug
        assert html_of(client, brief.url + brief.reverse_subpage("cite")), brief.slug


ANATOMY_PARTS = {
    "header": [
        r'<p class="type-label">Analysis Brief No\. 2010-\d+</p>',
        r'<h1 id="brief-title" class="brief-title">How WikiLeaks Hurts U\.S\.-Pakistan Ties</h1>',
        r'<p class="byline">Author: <a href="/authors/[a-z-]+/">[^<]+</a></p>',
        r'<time datetime="2010-12-06">December 6, 2010</time></p>',
    ],
    "actions": [
        r'data-action="print"[^>]*>Print</button>',
        rf'href="/briefs/{ANATOMY}/cite/"[^>]*>Cite</a>',
        r'<dialog id="cite-dialog"',
    ],
    "body": [
        r'<span class="cite">\(<a href="https?://[^"]+" data-source="\d+"[^>]*>[^<]+</a>\)<sup',
        r'<span class="cite">\(<a href="[^"]+" data-source="\d+"[^>]*>PDF</a>\)<sup',
        r'<a href="https://www\.thenews\.com\.pk/[^"]+">in an op-ed in The News</a>',
        r"<figcaption>— Rehana Qadri, columnist, The News</figcaption>",
    ],
    "topic box": [
        r'<aside class="topic-box" aria-label="Crisis Guide: Pakistan">',
        r'<a href="/topics/pakistan/"><span class="topic-box__label">Crisis Guide:</span>',
    ],
    "additional analysis": [
        r'<h2 id="additional-analysis-title">Additional Analysis</h2>\s*<ul>\s*'
        r"(<li><p>[^\n]+</p></li>){5}",
    ],
    "more on this topic": [
        r'<h2 id="more-on-topic-title">More on This Topic</h2>',
        r'<a href="/briefs/cables-reveal-reactor-fuel-standoff/">',
    ],
    "sources": [
        r'<h2 id="sources-title">Sources</h2>',
        r'<ol class="source-list">\s*<li id="source-\d+">',
    ],
}


@pytest.mark.parametrize("part", list(ANATOMY_PARTS))
def test_the_anatomy_brief_shows_each_of_its_seven_parts(demo: str, client: Any, part: str) -> None:
    html = html_of(client, f"/briefs/{ANATOMY}/")

    for pattern in ANATOMY_PARTS[part]:
        assert re.search(pattern, html), pattern


def test_the_anatomy_brief_lists_the_briefs_of_its_story_as_related(demo: str, client: Any) -> None:
    html = html_of(client, f"/briefs/{ANATOMY}/").partition('<aside class="more-on-topic"')[2]

    # Scored, not pinned: the two other briefs on the leaked cables and the brief on the
    # relationship after Abbottabad (judged by reading them), not the newest on the topic.
    assert set(re.findall(r'<h3 class="brief-item__title"><a href="/briefs/([^/]+)/">', html)) == {
        "cables-reveal-reactor-fuel-standoff",
        "diplomatic-reporting-after-cablegate",
        "after-abbottabad-us-pakistan-reckoning",
    }


def test_the_anatomy_brief_lists_every_source_it_cites(demo: str, client: Any) -> None:
    brief = BriefPage.objects.get(slug=ANATOMY)
    html = html_of(client, brief.url)

    listed = [int(i) for i in re.findall(r'<li id="source-(\d+)">', html)]
    assert listed == list(brief.cited_sources.values_list("source_id", flat=True))
    assert len(listed) >= 12


def test_a_demo_brief_shows_updated_only_when_it_was_updated(demo: str, client: Any) -> None:
    assert "Updated" not in html_of(client, f"/briefs/{ANATOMY}/")
    assert 'Updated <time datetime="2010-10-11">October 11, 2010</time>' in html_of(
        client, "/briefs/pakistan-closes-torkham-supply-route/"
    )


def test_a_demo_briefs_apa_title_keeps_a_proper_noun_its_text_uses(demo: str) -> None:
    brief = BriefPage.objects.get(slug="the-real-lesson-of-cablegate-is-overclassification")

    assert brief.title_apa == ""  # automatic, not written for it by the loader
    assert (
        "The real lesson of Cablegate is overclassification"
        in brief.citations["apa"]["bibliography"]
    )


def test_the_two_crisis_guides_have_a_timeline_of_at_least_ten_events(demo: str) -> None:
    for slug in ("pakistan", "afghanistan"):
        assert len(TopicGuidePage.objects.get(slug=slug).events()) >= 10, slug

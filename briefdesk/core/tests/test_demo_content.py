"""`load_demo`: the demo content loads completely, loads once, and shows every part of a brief;
every demo source is captured from the demo's local copies and its link checked.

Loading takes several seconds, so it happens once for the module, inside a transaction that
is rolled back after the module's last test. It loads with the settings' fetch allow-list
empty: the demo's captures must pass the guard on the allow-list of their own run alone.
"""

from __future__ import annotations

import functools
import html as html_lib
import io
import json
import re
import ssl
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from wagtail.models import WorkflowState
from warcio.archiveiterator import ArchiveIterator

from briefdesk.archive.quotes import check_quote
from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.citations.styles import STYLES
from briefdesk.core.demo import loader, localcopies, markup, pages
from briefdesk.core.roles import AUTHORS, EDITORS
from briefdesk.sources.kinds import Kind
from briefdesk.sources.linkhealth import latest_health
from briefdesk.sources.models import LinkCheck, Outlet, Snapshot, Source
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
        with override_settings(BRIEFDESK_FETCH_ALLOW=[]):
            output = load()
        yield output


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

    def load_demo() -> loader.LoadReport:
        calls.append(True)
        return loader.LoadReport({"briefs": 1})

    monkeypatch.setattr(loader, "load_demo", load_demo)

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


# --- the demo's archive: local copies, snapshots, link health, quotes ------------------------


def demo_content() -> dict[str, Any]:
    return json.loads(loader.CONTENT.read_text(encoding="utf-8"))


def demo_web_sources() -> list[Source]:
    keys = [row["key"] for row in demo_content()["sources"] if row.get("url")]
    return list(Source.objects.filter(citation_key__in=keys).order_by("pk"))


def archived_counts() -> tuple[int, int]:
    return Snapshot.objects.count(), LinkCheck.objects.count()


def test_every_demo_source_with_a_url_has_a_snapshot_whose_warc_records_the_original_url(
    demo: str,
) -> None:
    sources = demo_web_sources()
    assert len(sources) >= 60
    for source in sources:
        snapshot = source.snapshots.get()
        assert (snapshot.url, snapshot.status) == (source.url, 200), source.citation_key
        with snapshot.warc.open("rb") as warc:
            targets = {
                record.rec_headers.get_header("WARC-Target-URI")
                for record in ArchiveIterator(warc)
                if record.rec_type in ("request", "response")
            }
        assert targets == {source.url}, source.citation_key
        assert pages.DEMO_NOTE[:40] in snapshot.text, source.citation_key


def test_the_demo_reports_its_snapshots_and_link_checks(demo: str) -> None:
    assert demo.rstrip().splitlines()[0].endswith(", 60 snapshots, 60 link checks.")


def test_demo_reports_and_documents_are_captured_as_pdf_files(demo: str) -> None:
    pdfs = [s for s in demo_web_sources() if pages.is_pdf_url(s.url)]
    assert len(pdfs) >= 3
    for source in pdfs:
        snapshot = source.snapshots.get()
        assert snapshot.content_type == "application/pdf", source.citation_key
        assert snapshot.document.name.endswith(".pdf")
        assert source.title.split(":")[0] in snapshot.text.replace("\n", " ")


def test_the_demo_link_check_finds_every_state_as_designed(demo: str) -> None:
    health = latest_health(s.pk for s in demo_web_sources())
    found = {s.citation_key: health[s.pk].state for s in demo_web_sources()}

    assert {k: v for k, v in found.items() if v != "ok"} == pages.EXPECTED_STATES
    assert Counter(found.values()) == {
        "ok": len(found) - 8,
        "gone": 3,
        "drifted": 2,
        "redirected": 2,
        "soft-404": 1,
    }


def test_the_anatomy_brief_cites_a_gone_source_that_links_to_its_archived_copy(
    demo: str, client: Any
) -> None:
    gone = Source.objects.get(citation_key="reuters-pak-condemns")
    snapshot = gone.snapshots.get()
    archived = reverse("sources:archive", args=[gone.pk, snapshot.pk])
    html = html_of(client, f"/briefs/{ANATOMY}/")

    link = re.search(rf'<a href="([^"]+)" data-source="{gone.pk}"[^>]*>[^<]+</a>([^)]*)\)', html)
    assert link is not None
    assert link.group(1).endswith(archived)
    assert "archived" in link.group(2)
    assert f'data-originalurl="{gone.url}"' in html
    # An unchanged source still links to the original.
    ok = Source.objects.get(citation_key="dawn-cables-silences")
    assert f'<a href="{ok.url}" data-source="{ok.pk}"' in html


def test_the_soft_404_iaea_record_is_cited_as_its_archived_copy(demo: str, client: Any) -> None:
    soft = Source.objects.get(citation_key="iaea-reactor-database")
    archived = reverse("sources:archive", args=[soft.pk, soft.snapshots.get().pk])
    html = html_of(client, "/briefs/cables-reveal-reactor-fuel-standoff/")

    link = re.search(rf'<a href="([^"]+)" data-source="{soft.pk}"[^>]*>[^<]+</a>([^)]*)\)', html)
    assert link is not None
    assert link.group(1).endswith(archived)
    assert "archived" in link.group(2)


def test_the_anatomy_briefs_printed_sources_carry_their_archive_urls(
    demo: str, client: Any
) -> None:
    brief = BriefPage.objects.get(slug=ANATOMY)
    html = html_of(client, brief.url)
    with_url = brief.cited_sources.exclude(source__url="").count()

    assert html.count('<span class="source-list__archived print-only">Archived copy:') == with_url


@pytest.mark.parametrize("key", ["reuters-pak-condemns", "crs-pak-assistance-2010"])
def test_the_archived_view_of_a_demo_snapshot_answers(demo: str, client: Any, key: str) -> None:
    source = Source.objects.get(citation_key=key)
    snapshot = source.snapshots.get()

    html = html_of(client, reverse("sources:archive", args=[source.pk, snapshot.pk]))

    assert html_lib.escape(source.url) in html
    assert "Demo copy" in html


def test_a_second_load_adds_no_snapshots_or_link_checks(demo: str) -> None:
    before = archived_counts()

    load()

    assert archived_counts() == before


def test_a_demo_brief_carrying_quotes_awaits_an_editor(demo: str) -> None:
    brief = BriefPage.objects.get(slug="pakistans-parliament-and-the-cables")

    assert not brief.live
    state = WorkflowState.objects.for_instance(brief).get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by.username == "author"
    assert str(brief.get_latest_revision().content["body"]).count("data-quote=") == 5


QUOTES = {
    "reuters-pak-condemns": "found",
    "nyt-reactor-fuel-cables": "close",
    "guardian-gulf-doubts": "not_found",
    "dawn-cables-silences": "found",
    "gulzar-tribune-oped": "close",
    "crs-pak-assistance-2010": "found",  # in a PDF
    "fp-ally-nobody-trusts": "not_found",
    "book-transactional-alliance": "no_snapshot",
}


def test_the_demo_quotes_check_as_found_close_not_found_and_no_snapshot(demo: str) -> None:
    data = demo_content()
    texts = [
        block["text"]
        for brief in data["briefs"] + data["in_review"]
        for block in brief["body"]
        if block["type"] == "paragraph"
    ]
    checked = {}
    for key, quote in (pair for text in texts for pair in markup.quotes_in(text)):
        snapshot = Source.objects.get(citation_key=key).snapshots.first()
        checked[key] = check_quote(quote, snapshot.text if snapshot else None).status

    assert checked == QUOTES


def test_quote_checks_appear_on_the_editors_review_list(demo: str, client: Any) -> None:
    client.force_login(get_user_model().objects.get(username="editor"))

    html = html_of(client, reverse("wagtailadmin_home"))

    assert "Pakistan’s Parliament and the Cables</a>" in html
    assert "Quotes: 2 found · 1 close · 1 not found · 1 no snapshot" in html


def test_the_demo_certificate_names_every_demo_host() -> None:
    site = pages.DemoSite.from_content(demo_content())
    decoded = ssl._ssl._test_decode_cert(str(localcopies.CERTIFICATE))  # type: ignore[attr-defined]
    names = {value for kind, value in decoded["subjectAltName"] if kind == "DNS"}

    assert set(site.hosts()) <= names


MARKUP_QUOTES = [
    ('{src:a "the words"}', '<a id="1" linktype="source" data-quote="the words">A</a>'),
    (
        r'{src:a "he said \"no\" & <left>"}',
        '<a id="1" linktype="source" data-quote="he said &quot;no&quot; &amp; &lt;left&gt;">A</a>',
    ),
    (r'{src:a "a back\\slash"}', '<a id="1" linktype="source" data-quote="a back\\slash">A</a>'),
    ('{src:a ""}', '<a id="1" linktype="source">A</a>'),
    ("{src:a}", '<a id="1" linktype="source">A</a>'),
]


@pytest.mark.parametrize(("text", "expected"), MARKUP_QUOTES)
def test_a_citation_in_the_demo_markup_may_carry_an_escaped_quote(text: str, expected: str) -> None:
    assert markup.to_db_html(text, {"a": 1}, {"a": "A"}) == f"<p>{expected}</p>"


def test_capture_on_publish_is_connected_again_after_the_load(demo: str) -> None:
    from wagtail.signals import page_published

    from briefdesk.sources.archiving import connect_capture_on_publish

    uid = "briefdesk-capture-on-publish"
    try:
        assert page_published.disconnect(sender=BriefPage, dispatch_uid=uid)
    finally:
        connect_capture_on_publish()

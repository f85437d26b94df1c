"""Quote checks on briefs: a citation's `data-quote` survives the editor's round trip,
revisions and copies but never reaches readers; each quote is checked against its source's
latest snapshot and editors see found / close / not found / no snapshot in the editor, on the
dashboard's "Awaiting your review" and on a page of its own (editors and reviewers only);
publishing is never blocked."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.briefs.blocks import CITING_FEATURES
from briefdesk.briefs.models import BriefPage
from briefdesk.briefs.quote_checks import check_brief, check_briefs, summary_text
from briefdesk.sources.archiving import capture_source
from briefdesk.sources.models import Snapshot, Source
from briefdesk.sources.richtext import (
    QuotedCitation,
    quoted_citations,
    sanitize,
    split_cited_text,
)
from tests.factories import SourceFactory, make_author, make_brief, make_snapshot

pytestmark = pytest.mark.django_db

STORY = (
    "Pakistan’s finance minister said on Tuesday that the “port deal” with China would be "
    "signed within weeks. Officials in Washington declined to comment. The IMF’s staff had "
    "warned against new guarantees in its last review."
)
OLD_STORY = "An older version that said something else entirely about the talks."
FOUND = 'the "port deal" with China would be signed within weeks'
CLOSE = "The IMF staff had warned against any new guarantees in its last review"
NOT_FOUND = "Officials in Beijing welcomed the agreement warmly"
NO_SNAPSHOT = "The ministry published its figures on Friday"


def quoted(source: Source, quote: str, text: str = "") -> str:
    value = html.escape(quote, quote=True)
    label = text or source.parenthetical_label
    return f'<a id="{source.pk}" linktype="source" data-quote="{value}">{label}</a>'


@pytest.fixture
def world(site_tree: Any, users: Any) -> dict[str, Any]:
    reuters = SourceFactory(title="Port talks", url="https://news.example/port")
    unarchived = SourceFactory(title="Ministry figures", url="https://gov.example/figures")
    make_snapshot(reuters, OLD_STORY, days_ago=30)
    make_snapshot(reuters, STORY, days_ago=2)
    body = (
        f"<p>The deal {quoted(reuters, FOUND)}, the fund {quoted(reuters, CLOSE)}, "
        f"Beijing {quoted(reuters, NOT_FOUND)}, figures {quoted(unarchived, NO_SNAPSHOT)} "
        f"and no quote {quoted(reuters, '')}.</p>"
    )
    brief = make_brief(
        site_tree,
        title="Ports and Power",
        authors=[make_author(site_tree)],
        body=[("paragraph", body)],
        publish=False,
        live=False,
        owner=users.author,
    )
    return {"brief": brief, "reuters": reuters, "unarchived": unarchived}


def submit(page: Any, user: Any) -> Any:
    page.get_workflow().start(page, user)
    return page.current_workflow_state.current_task_state


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# --- the stored format -------------------------------------------------------------------


def test_a_quote_on_a_citation_survives_the_editors_round_trip_escaped() -> None:
    source = SourceFactory(title="Port talks")
    quote = 'He said "no" & <left>'
    stored = f"<p>Talks {quoted(source, quote)}</p>"
    converter = ContentstateConverter(features=CITING_FEATURES)

    state = json.loads(converter.from_database_format(stored))
    entity = next(iter(state["entityMap"].values()))
    assert entity["data"]["quote"] == quote
    again = converter.to_database_format(json.dumps(state))

    assert quoted_citations([again]) == [QuotedCitation(source.pk, quote)]
    assert "<left>" not in again


def test_a_citation_without_a_quote_is_stored_without_the_attribute() -> None:
    source = SourceFactory(title="Port talks")
    converter = ContentstateConverter(features=CITING_FEATURES)
    stored = f'<p>Talks <a id="{source.pk}" linktype="source">x</a></p>'
    state = converter.from_database_format(stored)
    assert "data-quote" not in converter.to_database_format(state)


def test_quotes_are_listed_in_body_order_and_a_bad_id_or_blank_quote_is_skipped() -> None:
    values = [
        '<p><a linktype="source" id="3" data-quote="first  one">A</a>'
        '<a linktype="source" id="x" data-quote="bad id">B</a>'
        '<a linktype="source" id="4" data-quote="  ">C</a>'
        '<a href="https://x.example" data-quote="not a citation">D</a></p>',
        '<p><a data-quote="it&#x27;s &quot;second&quot;" linktype="source" id="3">A</a></p>',
    ]
    assert quoted_citations(values) == [
        QuotedCitation(3, "first one"),
        QuotedCitation(3, 'it\'s "second"'),
    ]


def test_moving_cited_words_out_keeps_the_quote_and_readers_never_get_it() -> None:
    stored = '<p><a linktype="source" id="7" data-quote="the passage">the words</a></p>'
    moved = split_cited_text(stored, {7: ["WQ"]})
    assert quoted_citations([moved]) == [QuotedCitation(7, "the passage")]
    assert "data-quote" not in sanitize(moved)


def test_readers_never_see_a_quote_on_the_published_brief(
    client: Client, world: dict[str, Any]
) -> None:
    brief = world["brief"]
    brief.save_revision().publish()
    response = client.get(brief.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-quote" not in page
    assert "Beijing welcomed" not in page


def test_a_quote_survives_revisions_and_a_copy(world: dict[str, Any]) -> None:
    brief: BriefPage = world["brief"]
    brief.title = "Ports and Power, again"
    brief.save_revision()
    draft = BriefPage.objects.get(pk=brief.pk).get_latest_revision_as_object()
    assert len(quoted_citations(draft.rich_text_values())) == 4
    copy = brief.copy(update_attrs={"slug": "ports-and-power-copy", "title": "Copy"})
    assert len(quoted_citations(copy.specific.rich_text_values())) == 4


# --- checking --------------------------------------------------------------------------------


def test_each_quote_is_checked_against_the_latest_snapshot_of_its_source(
    world: dict[str, Any],
) -> None:
    rows = check_brief(world["brief"].get_latest_revision_as_object())
    assert [(row.quote, row.check.status) for row in rows] == [
        (FOUND, "found"),
        (CLOSE, "close"),
        (NOT_FOUND, "not_found"),
        (NO_SNAPSHOT, "no_snapshot"),
    ]
    assert rows[1].check.source_wording == (
        "The IMF’s staff had warned against new guarantees in its last review."
    )
    assert summary_text(rows) == "Quotes: 1 found · 1 close · 1 not found · 1 no snapshot"


def test_a_quote_is_checked_in_a_page_captured_from_the_web(
    site_tree: Any, settings: Any, tmp_path: Path
) -> None:
    settings.BRIEFDESK_PRIVATE_ROOT = tmp_path / "private"
    page = f"<html><head><title>Port talks</title></head><body><article><p>{STORY}</p></article>"
    with LocalWeb() as web:
        web.route("news", "/port", Route.html(page))
        source = SourceFactory(title="Port talks", url=web.url("news", "/port"))
        assert isinstance(capture_source(source.pk), Snapshot)
    brief = make_brief(site_tree, body=[("paragraph", f"<p>Deal {quoted(source, FOUND)}</p>")])
    assert [row.check.status for row in check_brief(brief)] == ["found"]


def test_checking_many_briefs_takes_one_query_however_many_quotes(
    site_tree: Any, world: dict[str, Any]
) -> None:
    sources = [SourceFactory(title=f"Source {n}", url=f"https://s{n}.example/") for n in range(6)]
    for source in sources:
        make_snapshot(source, STORY)
    briefs = [world["brief"].get_latest_revision_as_object()]
    for n in range(3):
        body = "".join(f"<p>{quoted(s, FOUND)} {quoted(s, CLOSE)}</p>" for s in sources)
        briefs.append(make_brief(site_tree, title=f"Brief {n}", body=[("paragraph", body)]))
    with CaptureQueriesContext(connection) as queries:
        checked = check_briefs(briefs)
    assert len(queries) == 1
    assert [len(rows) for rows in checked] == [4, 12, 12, 12]


# --- editors see it ---------------------------------------------------------------------------


def test_the_editor_shows_each_quote_with_its_status_and_the_sources_wording(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    client.force_login(users.author)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[world["brief"].pk]))
    assert response.status_code == 200
    markup = response.content.decode()
    panel = text_of(markup[markup.index('id="quote-checks"') :])
    assert "Quotes: 1 found · 1 close · 1 not found · 1 no snapshot" in panel
    assert "The source says: The IMF’s staff had warned against new guarantees" in panel
    statuses = re.findall(r'class="quote-check quote-check--[\w]+" data-status="(\w+)"', markup)
    assert statuses == ["found", "close", "not_found", "no_snapshot"]


def test_awaiting_your_review_summarises_the_quotes_of_the_revision_in_review(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    submit(world["brief"], users.author)
    client.force_login(users.editor)
    markup = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = markup[markup.index("Awaiting your review") :]
    url = reverse("brief_quote_checks", args=[world["brief"].pk])
    assert re.search(
        rf'<a href="{re.escape(url)}">Quotes: 1 found · 1 close · 1 not found · 1 no snapshot</a>',
        panel,
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Officials in Beijing welcomed the agreement warmly" in text_of(page.content.decode())


@pytest.mark.parametrize(("who", "status"), [("author", 200), ("editor", 200), ("admin", 200)])
def test_those_who_edit_or_review_the_brief_can_open_its_quote_checks(
    client: Client, users: Any, world: dict[str, Any], who: str, status: int
) -> None:
    client.force_login(getattr(users, who))
    url = reverse("brief_quote_checks", args=[world["brief"].pk])
    assert client.get(url).status_code == status


def test_a_user_who_cannot_edit_or_review_the_brief_is_refused(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    users.reader.user_permissions.add(_admin_access())
    client.force_login(users.reader)
    response = client.get(reverse("brief_quote_checks", args=[world["brief"].pk]))
    assert response.status_code == 403
    assert "Beijing" not in response.content.decode()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
    client: Client, world: dict[str, Any]
) -> None:
    response = client.get(reverse("brief_quote_checks", args=[world["brief"].pk]))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_quote_checks_of_a_page_that_is_no_brief_are_not_found(
    client: Client, users: Any, site_tree: Any
) -> None:
    client.force_login(users.admin)
    assert client.get(reverse("brief_quote_checks", args=[site_tree.home.pk])).status_code == 404
    assert client.get(reverse("brief_quote_checks", args=[999_999])).status_code == 404


def _admin_access() -> Any:
    from django.contrib.auth.models import Permission

    return Permission.objects.get(codename="access_admin")


# --- never blocking -------------------------------------------------------------------------


def test_a_brief_with_a_quote_not_found_is_approved_and_published(
    client: Client, users: Any, world: dict[str, Any]
) -> None:
    brief = world["brief"]
    task_state = submit(brief, users.author)
    client.force_login(users.editor)
    url = reverse("wagtailadmin_pages:workflow_action", args=[brief.pk, "approve", task_state.pk])
    client.post(url, {"comment": "", "next": reverse("wagtailadmin_home")}, follow=True)
    brief.refresh_from_db()
    assert brief.live
    assert "not_found" in [row.check.status for row in check_brief(brief)]

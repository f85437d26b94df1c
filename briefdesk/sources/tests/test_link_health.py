"""Link health of sources: `check_links` keeps a history row per check, the "Source health"
report is for editors only and re-checks on a POST, and a brief's citation of a broken link
leads readers to its archived copy, with Robust Links attributes, only when there is one."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.sources.linkhealth import (
    check_source,
    latest_check_column,
    latest_check_subquery,
    latest_health,
    latest_snapshot_column,
    latest_snapshot_subquery,
)
from briefdesk.sources.models import LinkCheck, Snapshot, Source
from tests.factories import PASSWORD, SourceFactory, cite, make_brief, make_snapshot
from tests.pages import page_html

pytestmark = pytest.mark.django_db

STORY = (
    "Pakistan's foreign ministry condemned the release of the diplomatic cables on Monday, "
    "saying the documents damaged the trust between Islamabad and Washington that officials "
    "had built over a decade of cooperation against militant groups in the tribal areas."
)
OTHER = (
    "The city council approved a new budget for public transport on Thursday evening, adding "
    "three bus lines to the northern suburbs and lowering fares for students and pensioners."
)


def page(text: str) -> Route:
    return Route.html(f"<html><head><title>News</title></head><body><article><p>{text}</p>"
                      f"</article></body></html>")  # fmt: skip


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as web:
        web.route("news", "/fine", page(STORY))
        web.route("news", "/moved", Route.redirect(web.url("news", "/fine"), 301))
        web.route("news", "/changed", page(OTHER))
        web.route("news", "/missing", Route(status=404, body=b"<h1>Not Found</h1>"))
        yield web


def snapshot(source: Source, text: str = STORY, days_ago: int = 3) -> Snapshot:
    return make_snapshot(source, text, days_ago)


def record(source: Source, state: str) -> LinkCheck:
    return LinkCheck.objects.create(
        source=source, checked_at=timezone.now(), url=source.url, state=state
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("check_links", *args, stdout=out)
    return out.getvalue()


# --- the command -----------------------------------------------------------------------------


def test_each_run_of_the_command_adds_one_row_per_source_with_a_web_link(web: LocalWeb) -> None:
    fine = SourceFactory(url=web.url("news", "/fine"))
    missing = SourceFactory(url=web.url("news", "/missing"))
    moved = SourceFactory(url=web.url("news", "/moved"))
    cable = SourceFactory(url="", kind="diplomatic_cable")

    first = run()
    run("--all")

    assert list(fine.link_checks.values_list("state", flat=True)) == ["ok", "ok"]
    assert list(missing.link_checks.values_list("state", flat=True)) == ["gone", "gone"]
    latest = moved.link_checks.first()
    assert latest is not None
    assert latest.target == web.url("news", "/fine")
    assert latest.permanent is True
    assert not cable.link_checks.exists()
    assert f"{missing.pk}\tgone\t{missing.url}" in first
    assert first.strip().endswith("Checked 3 link(s): 1 ok, 1 redirected, 1 gone")


def test_the_command_rechecks_only_the_sources_whose_latest_check_is_in_a_state(
    web: LocalWeb,
) -> None:
    fine = SourceFactory(url=web.url("news", "/fine"))
    missing = SourceFactory(url=web.url("news", "/missing"))
    record(fine, "ok")
    record(missing, "gone")

    out = run("--state", "gone", "--state", "unreachable")

    assert fine.link_checks.count() == 1
    assert missing.link_checks.count() == 2
    assert "Checked 1 link(s): 1 gone" in out


def test_the_command_checks_the_sources_it_is_given(web: LocalWeb) -> None:
    fine = SourceFactory(url=web.url("news", "/fine"))
    other = SourceFactory(url=web.url("news", "/missing"))

    run("--source", str(fine.pk))

    assert fine.link_checks.count() == 1
    assert not other.link_checks.exists()


@pytest.mark.parametrize(
    "args",
    [["--state", "broken"], ["--source", "999999"], ["--all", "--source", "1"], ["--workers", "0"]],
)
def test_the_command_fails_only_on_bad_arguments(args: list[str]) -> None:
    with pytest.raises(CommandError):
        run(*args)


def test_a_page_whose_text_left_the_snapshot_behind_has_drifted(web: LocalWeb) -> None:
    changed = SourceFactory(url=web.url("news", "/changed"))
    fine = SourceFactory(url=web.url("news", "/fine"))
    snapshot(changed)
    snapshot(fine)

    drifted, same = check_source(changed.pk), check_source(fine.pk)

    assert drifted is not None and drifted.state == "drifted"
    assert drifted.similarity is not None and drifted.similarity < 0.5
    assert same is not None and same.state == "ok" and same.similarity == 1.0


def test_latest_health_reads_the_newest_check_of_many_sources_in_one_query() -> None:
    sources = SourceFactory.create_batch(3)
    for state in ("ok", "gone"):
        for source in sources:
            record(source, state)

    with CaptureQueriesContext(connection) as queries:
        latest = latest_health([s.pk for s in sources])

    assert len(queries) == 1
    assert {pk: check.state for pk, check in latest.items()} == {s.pk: "gone" for s in sources}


def test_the_written_out_latest_columns_answer_as_the_subqueries_do() -> None:
    # Ties on the time (the larger id wins), unusable snapshots (a 404, a redirect) newer
    # than the usable one, and sources with neither checks nor snapshots.
    sources = SourceFactory.create_batch(4)
    now = timezone.now()
    for source, states in zip(
        sources, (["ok", "gone"], ["gone", "ok"], ["drifted"], []), strict=True
    ):
        for state in states:
            LinkCheck.objects.create(source=source, checked_at=now, url=source.url, state=state)
    for source, statuses in zip(sources, ([200, 404], [301, 200], [200, 200], []), strict=True):
        for days_ago, status in enumerate(statuses):
            shot = make_snapshot(source, STORY, days_ago=days_ago)
            Snapshot.objects.filter(pk=shot.pk).update(status=status, captured_at=now)
    pairs = {
        "check_state": (latest_check_column("state"), latest_check_subquery("state")),
        "checked_at": (latest_check_column("checked_at"), latest_check_subquery("checked_at")),
        "snapshot_id": (latest_snapshot_column("pk"), latest_snapshot_subquery("pk")),
        "snapshot_at": (
            latest_snapshot_column("captured_at"),
            latest_snapshot_subquery("captured_at"),
        ),
    }
    queryset = Source.objects.filter(pk__in=[s.pk for s in sources]).order_by("pk")
    written = list(
        queryset.annotate(**{f"w_{name}": pair[0] for name, pair in pairs.items()}).values_list(
            *(f"w_{name}" for name in pairs)
        )
    )
    built = list(
        queryset.annotate(**{f"b_{name}": pair[1] for name, pair in pairs.items()}).values_list(
            *(f"b_{name}" for name in pairs)
        )
    )

    assert written == built
    assert [row[0] for row in written] == ["gone", "ok", "drifted", None]
    assert written[0][3] == now and written[3][2] is None


# --- the report -----------------------------------------------------------------------------


def client_for(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def test_editors_see_counts_states_and_the_briefs_citing_each_source(
    site_tree: Any, users: Any
) -> None:
    gone = SourceFactory(title="Lost story", url="https://gone.example/a")
    fine = SourceFactory(title="Fine story", url="https://fine.example/a")
    record(gone, "gone")
    record(fine, "ok")
    make_brief(site_tree, title="Cables brief", body=[("paragraph", f"<p>{cite(gone)}</p>")])
    client = client_for(users.editor)

    html = client.get(reverse("source_health")).content.decode()
    only_gone = client.get(reverse("source_health"), {"state": "gone"}).content.decode()

    assert re.search(r'data-state="gone">.*?data-count="1"', html, re.S)
    assert re.search(r'data-state="ok">.*?data-count="1"', html, re.S)
    row = re.search(rf'<tr data-source="{gone.pk}" data-state="gone">(.*?)</tr>', html, re.S)
    assert row and "Cables brief" in row.group(1)
    assert "Lost story" in only_gone and "Fine story" not in only_gone


@pytest.mark.parametrize("who", ["anonymous", "reader", "author"])
def test_the_report_is_closed_to_everyone_but_editors(users: Any, who: str) -> None:
    user = None if who == "anonymous" else getattr(users, who)
    client = client_for(user)

    response = client.get(reverse("source_health"))
    posted = client.post(reverse("source_health_recheck"), {"source": "1"})

    # Wagtail answers a refusal with a redirect: to the login page, or (for a user of the
    # admin) to the dashboard with "Sorry, you do not have permission".
    for answer in (response, posted):
        assert answer.status_code in (302, 403)
        if answer.status_code == 302:
            assert answer["Location"].startswith(("/admin/login/", reverse("wagtailadmin_home")))
            assert "source-health" not in answer["Location"].split("?")[0]
    assert b"Source health" not in response.content
    assert not LinkCheck.objects.exists()


def test_the_menu_shows_source_health_to_editors_only(users: Any) -> None:
    url = reverse("source_health")

    assert url in client_for(users.editor).get(reverse("wagtailadmin_home")).content.decode()
    assert url not in client_for(users.author).get(reverse("wagtailadmin_home")).content.decode()


def test_an_editor_rechecks_a_source_with_a_post(web: LocalWeb, users: Any) -> None:
    source = SourceFactory(url=web.url("news", "/missing"))
    record(source, "ok")
    client = client_for(users.editor, enforce_csrf_checks=True)

    without_token = client.post(reverse("source_health_recheck"), {"source": source.pk})
    as_get = client.get(reverse("source_health_recheck"), {"source": source.pk})
    page = client.get(reverse("source_health"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or client.cookies["csrftoken"].value
    response = client.post(
        reverse("source_health_recheck"),
        {"source": source.pk, "csrfmiddlewaretoken": token},
    )

    assert without_token.status_code == 403
    assert as_get.status_code == 405
    assert response.status_code == 302
    assert list(source.link_checks.values_list("state", flat=True)) == ["gone", "ok"]


# --- the public brief page ------------------------------------------------------------------


def anchor(html: str, source: Source) -> str:
    found = re.search(rf'<span class="cite">\(<a [^>]*data-source="{source.pk}"[^>]*>.*?\)', html)
    assert found, f"no citation of {source.pk}"
    return found.group(0)


def test_a_citation_leads_to_the_archived_copy_only_when_broken_and_archived(
    site_tree: Any, client: Any
) -> None:
    states = ["gone", "unreachable", "drifted", "ok", "redirected", "soft-404"]
    archived = {state: SourceFactory(url=f"https://{state}.example/a") for state in states}
    bare = {state: SourceFactory(url=f"https://bare-{state}.example/a") for state in states}
    for state in states:
        record(archived[state], state)
        record(bare[state], state)
        copy = snapshot(archived[state])
        snapshot(archived[state], days_ago=9)  # an older copy is not the one named
        archived[state].copy = copy
    never = SourceFactory(url="https://never.example/a")
    cited = [*archived.values(), *bare.values(), never]
    brief = make_brief(
        site_tree, body=[("paragraph", "<p>" + " ".join(cite(s) for s in cited) + "</p>")]
    )

    html = page_html(client, brief)

    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")  # Robust Links: an absolute URI
    for state, source in archived.items():
        a = anchor(html, source)
        copy_url = f"{base}/sources/{source.pk}/archive/{source.copy.pk}/"
        assert f'data-originalurl="{source.url}"' in a
        assert f'data-versionurl="{copy_url}"' in a
        assert f'data-versiondate="{source.copy.captured_at:%Y-%m-%d}"' in a
        if state in ("gone", "unreachable", "drifted", "soft-404"):
            assert a.startswith(f'<span class="cite">(<a href="{copy_url}"')
            assert '<span class="cite-archived">archived</span>)' in a
            day = source.copy.captured_at
            assert f'a copy archived on {day.day} {day:%B %Y}"' in a
        else:
            assert a.startswith(f'<span class="cite">(<a href="{source.url}"')
            assert "archived</span>" not in a
    for source in [*bare.values(), never]:
        a = anchor(html, source)
        assert a.startswith(
            f'<span class="cite">(<a href="{source.url}" data-source="{source.pk}"'
            f' data-originalurl="{source.url}" data-versiondate="{source.created_at:%Y-%m-%d}">'
        )
        assert "data-versionurl" not in a and "archived</span>" not in a


def test_the_brief_page_costs_the_same_queries_with_link_health_and_snapshots(
    site_tree: Any, client: Any
) -> None:
    sources = [SourceFactory(url=f"https://s{n}.example/a") for n in range(4)]
    brief = make_brief(
        site_tree, body=[("paragraph", "<p>" + " ".join(cite(s) for s in sources) + "</p>")]
    )
    page_html(client, brief)  # warm caches

    with CaptureQueriesContext(connection) as before:
        page_html(client, brief)
    for n, source in enumerate(sources):
        record(source, ["gone", "ok", "drifted", "unreachable"][n])
        snapshot(source)
        snapshot(source, days_ago=5)
    with CaptureQueriesContext(connection) as after:
        html = page_html(client, brief)

    assert "cite-archived" in html
    assert len(after) == len(before)


def test_the_source_page_says_what_the_latest_check_found(web: LocalWeb, client: Any) -> None:
    from django.template.loader import render_to_string

    source = SourceFactory(url=web.url("news", "/missing"))
    assert render_to_string("sources/includes/source_health.html", {"source": source}).strip() == ""
    check_source(source.pk)

    text = render_to_string("sources/includes/source_health.html", {"source": source})

    assert "The page is gone from its site (HTTP 404)" in text
    assert f"{timezone.localtime():%B %-d, %Y}" in text


def test_every_web_citation_names_the_day_its_source_was_read_when_it_has_no_archived_copy(
    site_tree: Any, client: Any
) -> None:
    read = SourceFactory(url="https://read.example/a", accessed=dt.date(2010, 11, 30))
    offline = SourceFactory(url="")
    brief = make_brief(site_tree, body=[("paragraph", f"<p>{cite(read)} {cite(offline)}</p>")])

    html = page_html(client, brief)

    assert 'data-originalurl="https://read.example/a" data-versiondate="2010-11-30">' in anchor(
        html, read
    )
    assert "data-originalurl" not in anchor(html, offline)

"""One canonical origin (BRIEFDESK_BASE_URL): `briefdesk demo --port N` makes it the port it
serves, the Wagtail Site and so the sitemap follow it, and stored citations made with another
origin (or another citation engine, style release or publisher) are re-formatted after
migrate and when the demo loads.

(The whole demo on a free port, every URL fetched: scripts/check_demo_urls.py, too slow here.)
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.models import Site

from briefdesk import cli
from briefdesk.briefs.models import BriefPage
from briefdesk.citations.fingerprint import engine_fingerprint
from briefdesk.citations.styles import STYLES
from briefdesk.core.models import CitationOrigin
from briefdesk.core.origin import SiteAddress, site_address, sync_default_site, sync_origin
from briefdesk.sources.models import Source
from tests.factories import SourceFactory, cite, make_author, make_brief, make_site_tree

ELSEWHERE = "https://briefs.example.org"

# --- the demo's base URL -----------------------------------------------------------------


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run `briefdesk demo` with its child processes and server stubbed; record the base URL
    each of them would see. BRIEFDESK_BASE_URL starts unset and is restored afterwards."""
    seen: dict[str, Any] = {}
    monkeypatch.setenv("BRIEFDESK_BASE_URL", "placeholder")
    monkeypatch.delenv("BRIEFDESK_BASE_URL")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "briefdesk.settings.test")

    def run_child(argv: list[str], settings_module: str) -> int:
        seen[argv[0]] = os.environ.get("BRIEFDESK_BASE_URL")
        return 0

    class Child:
        def terminate(self) -> None:
            pass

    def start_child(argv: list[str], settings_module: str) -> Child:
        seen[argv[0]] = os.environ.get("BRIEFDESK_BASE_URL")
        return Child()

    def serve(host: str, port: int, workers: int, settings_module: str) -> int:
        seen["serve"] = os.environ.get("BRIEFDESK_BASE_URL")
        return 0

    monkeypatch.setattr(cli, "_run_child", run_child)
    monkeypatch.setattr(cli, "_start_child", start_child)
    monkeypatch.setattr(cli, "_serve", serve)
    return seen


def test_the_demo_on_a_port_gives_the_server_and_every_child_that_base_url(
    demo_env: dict[str, Any],
) -> None:
    assert cli.main(["demo", "--port", "8031"]) == 0

    assert demo_env == dict.fromkeys(
        ["migrate", "load_demo", "run_scheduler", "serve"], "http://127.0.0.1:8031"
    )


def test_the_demo_keeps_a_base_url_set_in_the_environment_and_says_so(
    demo_env: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFDESK_BASE_URL", ELSEWHERE)

    assert cli.main(["demo", "--port", "8031"]) == 0

    assert set(demo_env.values()) == {ELSEWHERE}
    assert f"BRIEFDESK_BASE_URL={ELSEWHERE}" in capsys.readouterr().out


def test_the_test_settings_ignore_a_base_url_in_the_environment(tmp_path: Any) -> None:
    code = "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"
    env = dict(
        os.environ,
        BRIEFDESK_BASE_URL="http://elsewhere.example",
        BRIEFDESK_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="briefdesk.settings.test",
    )

    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "http://127.0.0.1:8000"


# --- the Site ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://127.0.0.1:8031", SiteAddress("127.0.0.1", 8031)),
        ("http://127.0.0.1:8031/", SiteAddress("127.0.0.1", 8031)),
        ("http://localhost", SiteAddress("localhost", 80)),
        ("https://Briefs.Example.org", SiteAddress("briefs.example.org", 443)),
        ("https://briefs.example.org:8443/desk/", SiteAddress("briefs.example.org", 8443)),
        ("briefs.example.org", None),
        ("ftp://briefs.example.org", None),
        ("http://briefs.example.org:port", None),
        ("", None),
    ],
)
def test_a_base_url_gives_the_host_and_port_a_site_answers_on(
    base_url: str, expected: SiteAddress | None
) -> None:
    assert site_address(base_url) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("base_url", "host", "port"),
    [("http://127.0.0.1:8031", "127.0.0.1", 8031), (ELSEWHERE, "briefs.example.org", 443)],
)
def test_the_only_site_follows_the_base_url(base_url: str, host: str, port: int) -> None:
    make_site_tree()  # the Site on localhost:80

    with override_settings(WAGTAILADMIN_BASE_URL=base_url):
        assert sync_default_site() is True
        assert sync_default_site() is False  # once is enough

    site = Site.objects.get()
    assert (site.hostname, site.port) == (host, port)
    assert site.root_url == base_url


@pytest.mark.django_db
def test_several_sites_are_left_as_configured() -> None:
    tree = make_site_tree()
    Site.objects.create(hostname="other.example", port=80, root_page=tree.briefs)

    with override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8031"):
        assert sync_default_site() is False

    assert sorted(Site.objects.values_list("hostname", "port")) == [
        ("localhost", 80),
        ("other.example", 80),
    ]


@pytest.mark.django_db
def test_an_unusable_base_url_leaves_the_site_alone() -> None:
    make_site_tree()

    with override_settings(WAGTAILADMIN_BASE_URL="briefs.example.org"):
        assert sync_default_site() is False

    assert Site.objects.get().hostname == "localhost"


@pytest.mark.django_db
def test_the_sitemap_lists_every_page_on_the_base_url(client: Any) -> None:
    tree = make_site_tree()
    brief = make_brief(tree, authors=[make_author(tree)])

    with override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8031"):
        sync_default_site()
        xml = client.get(reverse(sitemap)).content.decode()

    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert f"http://127.0.0.1:8031/briefs/{brief.slug}/" in locs
    assert locs and all(loc.startswith("http://127.0.0.1:8031/") for loc in locs)


# --- stored citations --------------------------------------------------------------------


def stored_urls(brief: BriefPage) -> set[str]:
    """The brief URLs its stored citations print, in every style (text and HTML)."""
    stored = BriefPage.objects.get(pk=brief.pk).citations
    assert set(stored) == set(STYLES)
    return {
        url
        for forms in stored.values()
        for text in forms.values()
        if isinstance(text, str)
        for url in re.findall(r"https?://[^\s\"<>]+?/briefs/[\w-]+/", text)
    }


@pytest.fixture
def stored(db: Any) -> tuple[BriefPage, Source]:
    """A brief and the source it cites, formatted under the test base URL, the origin
    recorded as a start-up would have."""
    tree = make_site_tree()
    source = SourceFactory()
    brief = make_brief(
        tree, authors=[make_author(tree)], body=[("paragraph", f"<p>Aid {cite(source)}.</p>")]
    )
    sync_origin()
    assert stored_urls(brief) == {f"http://127.0.0.1:8000/briefs/{brief.slug}/"}
    return brief, source


def mark_stale(source: Source) -> None:
    Source.objects.filter(pk=source.pk).update(formatted={"apa": {"bib": "stale"}})


def test_a_new_base_url_reformats_stored_brief_and_source_citations(
    stored: tuple[BriefPage, Source],
) -> None:
    brief, source = stored
    mark_stale(source)

    with override_settings(WAGTAILADMIN_BASE_URL=ELSEWHERE):
        result = sync_origin()

    assert result.citations_refreshed is True
    assert stored_urls(brief) == {f"{ELSEWHERE}/briefs/{brief.slug}/"}
    assert Source.objects.get(pk=source.pk).formatted.keys() == STYLES.keys()
    assert CitationOrigin.objects.get().base_url == ELSEWHERE


def test_the_same_base_url_reformats_nothing(stored: tuple[BriefPage, Source]) -> None:
    _, source = stored
    mark_stale(source)

    assert sync_origin().citations_refreshed is False

    assert Source.objects.get(pk=source.pk).formatted == {"apa": {"bib": "stale"}}


def test_stored_citations_of_unknown_origin_are_reformatted_once(
    stored: tuple[BriefPage, Source],
) -> None:
    _, source = stored
    CitationOrigin.objects.all().delete()  # a site upgraded to this version
    mark_stale(source)

    assert sync_origin().citations_refreshed is True
    assert sync_origin().citations_refreshed is False

    assert Source.objects.get(pk=source.pk).formatted.keys() == STYLES.keys()


def test_migrate_makes_the_site_and_the_citations_follow_the_base_url(
    stored: tuple[BriefPage, Source],
) -> None:
    brief, _ = stored
    out = io.StringIO()

    with override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8031"):
        call_command("migrate", verbosity=1, stdout=out)

    assert Site.objects.get().root_url == "http://127.0.0.1:8031"
    assert stored_urls(brief) == {f"http://127.0.0.1:8031/briefs/{brief.slug}/"}
    assert "Stored citations re-formatted for http://127.0.0.1:8031" in out.getvalue()


def test_reformat_citations_records_the_base_url_it_formatted_with(
    stored: tuple[BriefPage, Source],
) -> None:
    brief, _ = stored
    out = io.StringIO()

    with override_settings(WAGTAILADMIN_BASE_URL=ELSEWHERE):
        call_command("reformat_citations", stdout=out)
        assert sync_origin().citations_refreshed is False

    assert out.getvalue() == "Re-formatted 1 sources and 1 briefs.\n"
    assert stored_urls(brief) == {f"{ELSEWHERE}/briefs/{brief.slug}/"}


# --- the citation engine -----------------------------------------------------------------


def test_a_new_publisher_or_engine_release_reformats_stored_citations_at_migrate(
    stored: tuple[BriefPage, Source],
) -> None:
    """The fingerprint covers the publisher, citeproc-js, the styles and locale: a changed
    publisher stands in for an upgraded engine (a different citeproc-js file is tested below)."""
    _, source = stored
    mark_stale(source)
    out = io.StringIO()

    with override_settings(BRIEFDESK_PUBLISHER="Another Institute"):
        call_command("migrate", verbosity=1, stdout=out)
        assert CitationOrigin.objects.get().engine == engine_fingerprint()
        assert sync_origin().citations_refreshed is False

    assert Source.objects.get(pk=source.pk).formatted.keys() == STYLES.keys()
    assert "Stored citations re-formatted" in out.getvalue()


def test_another_citeproc_js_file_changes_the_fingerprint(tmp_path: Any) -> None:
    original = Path(settings.BRIEFDESK_CITEPROC_JS)
    copy = tmp_path / "citeproc_commonjs.js"
    copy.write_bytes(original.read_bytes())
    with override_settings(BRIEFDESK_CITEPROC_JS=copy):
        same = engine_fingerprint()
        copy.write_bytes(original.read_bytes() + b"\n// 1.4.62\n")
        upgraded = engine_fingerprint()

    assert same == engine_fingerprint()
    assert upgraded not in {None, same}


def test_without_citeproc_js_only_the_base_url_decides(
    stored: tuple[BriefPage, Source], tmp_path: Any
) -> None:
    _, source = stored
    mark_stale(source)

    with override_settings(BRIEFDESK_CITEPROC_JS=tmp_path / "missing.js"):
        assert engine_fingerprint() is None
        assert sync_origin().citations_refreshed is False

    assert Source.objects.get(pk=source.pk).formatted == {"apa": {"bib": "stale"}}

"""Bad input end to end: invalid URLs, file:/ftp:/javascript:/data: schemes, IDN hosts, a 2 GB
body, an endless body, a gzip bomb, redirect loops, a certificate nobody trusts, and pages that
are not UTF-8, each driven through the real commands (archive --source, check_links --source,
source_from_url; the `briefdesk` CLI where the exit status is the point) and through capture
jobs run by the worker, against a real local web.

For each: a one-line reason and a non-zero exit where a person asked (archive, autofill), the
right state in the link history where a check ran, no Snapshot row and no file in snapshot
storage unless a whole page was captured, and the worker going on to its next job.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import CommandError, call_command
from django.test import override_settings

from briefdesk.archive.testweb import LocalWeb, Request, Route
from briefdesk.sources.models import LinkCheck, Snapshot, Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
FILES = REPO / "briefdesk" / "archive" / "tests" / "files"
ARTICLE = (
    "Le conseil municipal a adopté jeudi soir un nouveau budget pour les transports publics, "
    "avec trois lignes de bus vers la banlieue nord et des tarifs réduits pour les étudiants. "
    "Le maire a déclaré que la mesure coûterait près de quatre millions d'euros par an."
)


def page(text: str, title: str = "Budget") -> str:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{text}</p><p>{text}</p></article></body></html>"
    )


def ever_deeper(request: Request) -> Route:
    """/deep/1 -> /deep/2 -> ... for ever: never the same URL twice."""
    n = int(request.path.rsplit("/", 1)[1])
    return Route.redirect(f"/deep/{n + 1}", 302)


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as web:
        web.route("bad", "/huge", Route.huge())  # Content-Length: 2 GB
        web.route("bad", "/endless", Route.endless())  # chunked, never ends
        web.route("bad", "/bomb", Route.gzip_bomb(200 * 1024 * 1024))
        web.route("bad", "/loop/a", Route.redirect("/loop/b", 302))
        web.route("bad", "/loop/b", Route.redirect("/loop/a", 301))
        for n in range(1, 30):
            web.route("bad", f"/deep/{n}", ever_deeper)
        web.route("bad", "/latin-1", Route.html(page(ARTICLE), charset="iso-8859-1"))
        cp1252 = page(ARTICLE + " «Un budget “historique” à 4 €», dit-il.", "Budget €")
        web.route("bad", "/cp1252", Route.html(cp1252, charset="windows-1252"))
        web.route(
            "bad",
            "/mislabelled",  # cp1252 bytes that say they are UTF-8
            Route(
                headers={"Content-Type": "text/html; charset=utf-8"},
                body=page(ARTICLE + " Coût: 4 €.").encode("cp1252"),
            ),
        )
        web.route(
            "bad",
            "/unlabelled",  # latin-1 bytes, no charset anywhere
            Route(headers={"Content-Type": "text/html"}, body=page(ARTICLE).encode("latin-1")),
        )
        web.route("bad", "/fine", Route.html(page(ARTICLE)))
        yield web


@pytest.fixture(scope="module")
def tls_web() -> Iterator[LocalWeb]:
    """https with a certificate for briefdesk.test signed by the suite's own CA: no system
    trusts it, and it names another host than 127.0.0.1."""
    import ssl

    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(FILES / "tls-briefdesk.test.pem")
    with LocalWeb(tls=server) as web:
        web.route("secure", "/", Route.html(page(ARTICLE)))
        yield web


@dataclass(frozen=True)
class Case:
    """A URL (made from the local webs), what a capture says (its failure kind, a part of its
    line; kind "" means a snapshot is stored), what a check records (state, a part of its
    detail; state "" means nothing is checked) and a part of autofill's one line ("" means
    autofill proposes a source)."""

    name: str
    url: Callable[[LocalWeb, LocalWeb], str]
    capture: tuple[str, str]
    check: tuple[str, str]
    autofill: str


def bad(path: str) -> Callable[[LocalWeb, LocalWeb], str]:
    return lambda web, tls: web.url("bad", path)


CASES = [
    Case(
        "spaces",
        lambda web, tls: "http://exa mple.com/report",
        ("invalid-url", "has spaces or control characters"),
        ("blocked", "not a valid URL"),
        "has spaces or control characters",
    ),
    Case(
        "no-host",
        lambda web, tls: "http:///report",
        ("invalid-url", "names no host"),
        ("blocked", "not a valid URL"),
        "is not a web address",
    ),
    Case(
        "credentials",
        lambda web, tls: "http://user:secret@127.0.0.1/",
        ("invalid-url", "user name or password"),
        ("blocked", "not a valid URL"),
        "user name or password",
    ),
    Case(
        "file",
        lambda web, tls: "file:///etc/passwd",
        ("scheme", "only http and https"),
        ("", "not a web (http/https) address"),
        "is not a web address",
    ),
    Case(
        "ftp",
        lambda web, tls: "ftp://ftp.example.org/report.pdf",
        ("scheme", "only http and https"),
        ("", "not a web (http/https) address"),
        "is not a web address",
    ),
    Case(
        "javascript",
        lambda web, tls: "javascript:alert(document.cookie)",
        ("scheme", "only http and https"),
        ("", "not a web (http/https) address"),
        "is not a web address",
    ),
    Case(
        "data",
        lambda web, tls: "data:text/html,<script>alert(1)</script>",
        ("scheme", "only http and https"),
        ("", "not a web (http/https) address"),
        "is not a web address",
    ),
    Case(
        "idn",  # IDNA-encoded, then looked up like any name (nothing answers for it)
        lambda web, tls: "http://bücher.example/neu",
        ("dns", "xn--bcher-kva.example does not resolve"),
        ("unreachable", "xn--bcher-kva.example does not resolve"),
        "xn--bcher-kva.example does not resolve",
    ),
    Case(
        "bad-idn",
        lambda web, tls: "http://\u2024.example/",
        ("invalid-url", "cannot be IDNA-encoded"),
        ("blocked", "cannot be IDNA-encoded"),
        "cannot be IDNA-encoded",
    ),
    Case(
        "2-gb",  # refused on its Content-Length; for a check the page is there
        bad("/huge"),
        ("too-large", "2048.0 MB, over the limit"),
        ("ok", "body over the size limit"),
        "2048.0 MB, over the limit",
    ),
    Case(
        "endless",  # cut off at the limit while streaming
        bad("/endless"),
        ("too-large", "cut off"),
        ("ok", "body over the size limit"),
        "cut off",
    ),
    Case(
        "gzip-bomb",
        bad("/bomb"),
        ("decoding", "decompression bomb"),
        ("server-error", "decompression bomb"),
        "decompression bomb",
    ),
    Case(
        "redirect-loop",
        bad("/loop/a"),
        ("redirect-loop", "redirects in a loop"),
        ("unreachable", "redirect loop"),
        "redirects in a loop",
    ),
    Case(
        "endless-redirects",
        bad("/deep/1"),
        ("too-many-redirects", "more than 5 redirects"),
        ("unreachable", "too many redirects"),
        "more than 5 redirects",
    ),
    Case(
        "untrusted-certificate",
        lambda web, tls: tls.url("secure", "/"),
        ("tls", "TLS"),
        ("unreachable", "TLS handshake failed"),
        "TLS",
    ),
    Case("latin-1", bad("/latin-1"), ("", "adopté jeudi"), ("ok", ""), ""),
    Case("cp1252", bad("/cp1252"), ("", "“historique” à 4 €"), ("ok", ""), ""),
    Case("mislabelled", bad("/mislabelled"), ("", "Le conseil municipal"), ("ok", ""), ""),
    Case("unlabelled", bad("/unlabelled"), ("", "adopté jeudi"), ("ok", ""), ""),
]
FAILING = [case for case in CASES if case.capture[0]]


def snapshot_files() -> list[str]:
    storage = storages["snapshots"]
    assert isinstance(storage, FileSystemStorage)
    root = Path(storage.location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def command(name: str, *args: str) -> tuple[str, str | None]:
    """(stdout, the CommandError's message or None)."""
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_capture_stores_a_whole_page_or_nothing_and_says_why_in_one_line(
    case: Case, web: LocalWeb, tls_web: LocalWeb
) -> None:
    source = SourceFactory(url=case.url(web, tls_web))
    before = snapshot_files()

    out, error = command("archive", "--source", str(source.pk))

    kind, words = case.capture
    lines = out.splitlines()
    assert len(lines) == 1, out
    if kind:
        assert lines[0].startswith(f"source {source.pk}: failed: ")
        assert words in lines[0]
        assert error == "1 of 1 captures failed"
        assert not Snapshot.objects.exists()
        assert snapshot_files() == before
    else:
        assert lines[0].startswith(f"source {source.pk}: captured ")
        assert error is None
        snapshot = Snapshot.objects.get()
        assert words in snapshot.text
        assert "\ufffd" not in snapshot.text or case.name == "mislabelled"
        assert len(snapshot_files()) == len(before) + 1


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_check_records_the_state_of_a_bad_link_and_prints_one_line_for_it(
    case: Case, web: LocalWeb, tls_web: LocalWeb
) -> None:
    source = SourceFactory(url=case.url(web, tls_web))

    out, error = command("check_links", "--source", str(source.pk))

    assert error is None  # a broken link is data
    state, words = case.check
    first, summary = out.splitlines()
    if state:
        check = LinkCheck.objects.get(source=source)
        assert (check.state, first.split("\t")[1]) == (state, state)
        assert words in check.detail
        assert summary == f"Checked 1 link(s): 1 {state}"
    else:
        assert not LinkCheck.objects.exists()
        assert first.split("\t")[:2] == [str(source.pk), "not checked"]
        assert words in first
        assert summary == "Checked 0 link(s): none"
    assert not Snapshot.objects.exists()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_autofill_of_a_bad_url_is_one_line_and_creates_nothing(
    case: Case, web: LocalWeb, tls_web: LocalWeb
) -> None:
    sources = Source.objects.count()

    out, error = command("source_from_url", case.url(web, tls_web), "--save")

    if case.autofill:
        assert error is not None and case.autofill in error
        assert "\n" not in error
        assert out == ""
        assert Source.objects.count() == sources
    else:
        assert error is None
        assert "saved: source" in out
        assert "\ufffd" not in Source.objects.latest("pk").title
    assert not Snapshot.objects.exists()


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        BRIEFDESK_ENV_FILE="",
        DJANGO_SETTINGS_MODULE="briefdesk.settings.test",
        BRIEFDESK_DATA_DIR=str(data_dir),
    )
    briefdesk = Path(sys.executable).with_name("briefdesk")
    return subprocess.run(
        [str(briefdesk), *args], capture_output=True, text=True, env=env, timeout=120, cwd=REPO
    )


@pytest.mark.parametrize(
    "url_of, words",
    [
        (lambda web, tls: "javascript:alert(1)", "is not a web address"),
        (lambda web, tls: web.url("bad", "/bomb"), "decompression bomb"),
        (lambda web, tls: tls.url("secure", "/"), "TLS"),
    ],
    ids=["javascript", "gzip-bomb", "untrusted-certificate"],
)
def test_the_cli_refuses_a_bad_url_with_one_line_and_exit_status_1(
    url_of: Callable[[LocalWeb, LocalWeb], str],
    words: str,
    web: LocalWeb,
    tls_web: LocalWeb,
    tmp_path: Path,
) -> None:
    done = cli(tmp_path, "source-from-url", url_of(web, tls_web))

    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_runs_every_bad_capture_to_a_reason_and_goes_on_to_the_next_job(
    web: LocalWeb, tls_web: LocalWeb
) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from briefdesk.sources.linkhealth import check_source_task
    from briefdesk.sources.tasks import capture_source_task

    # The worker's jobs (search index entries among them) name content types by id: forget
    # ids cached before an earlier transactional test's flush made them anew (PostgreSQL, in
    # pytest's random order, wrote index rows under ids that no longer existed).
    ContentType.objects.clear_cache()
    bad_sources = [SourceFactory(url=case.url(web, tls_web)) for case in FAILING]
    good = SourceFactory(url=web.url("bad", "/fine"))
    for source in [*bad_sources, good]:
        capture_source_task.enqueue(source.pk)
        check_source_task.enqueue(source.pk)
    before = snapshot_files()

    started = time.monotonic()
    call_command("worker", "--once", stdout=io.StringIO(), stderr=io.StringIO())

    assert time.monotonic() - started < 120
    jobs = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [job.status for job in jobs] == [TaskResultStatus.SUCCESSFUL] * len(jobs)
    captures = {
        job.args_kwargs["args"][0]: job.return_value
        for job in jobs
        if job.task_path == capture_source_task.module_path
    }
    for case, source in zip(FAILING, bad_sources, strict=True):
        assert captures[source.pk]["state"] == "failed"
        assert captures[source.pk]["kind"] == case.capture[0]
        assert case.capture[1] in captures[source.pk]["reason"]
    assert captures[good.pk]["state"] == "captured"
    assert list(Snapshot.objects.values_list("source_id", flat=True)) == [good.pk]
    assert len(snapshot_files()) == len(before) + 1
    states = dict(LinkCheck.objects.values_list("source_id", "state"))
    expected = {s.pk: case.check[0] for case, s in zip(FAILING, bad_sources, strict=True)}
    assert states == {pk: state for pk, state in {**expected, good.pk: "ok"}.items() if state}

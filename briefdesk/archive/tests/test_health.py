"""Link health against a local web that serves every state a link can be in.

One LocalWeb holds a route per case; the link checker (linkcheck.check_links, with the real
fetcher) checks them all in one run, and each case's expected state is asserted, then the
whole run is printed as a confusion table (expected rows, found columns), which must be
diagonal. The drift measure and the not-found wording are tested on plain text, table-driven.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from briefdesk.archive import health
from briefdesk.archive.fetch import Fetched, FetchError, Policy, fetch
from briefdesk.archive.health import STATES, Health, classify, containment, not_found_wording
from briefdesk.archive.linkcheck import LinkResult, LinkToCheck, check_links
from briefdesk.archive.testweb import LocalWeb, Request, Route

PROBE_TOKEN = "0123456789abcdef"


def article(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        f"<footer>Copyright The Daily Example</footer></body></html>"
    )


STORY = [
    "Pakistan's foreign ministry condemned the release of the diplomatic cables on Monday,",
    "saying the documents damaged the trust between Islamabad and Washington that officials",
    "had built over a decade of cooperation against militant groups in the tribal areas.",
    "A spokesman said the government would not change its policy on drone strikes because",
    "of what foreign diplomats had written in private messages to their capitals.",
    "Opposition leaders demanded a debate in parliament about the contents of the cables,",
    "which described meetings between the army chief and American envoys in 2009.",
]
STORY_TEXT = " ".join(STORY)
OTHER = [
    "The city council approved a new budget for public transport on Thursday evening,",
    "adding three bus lines to the northern suburbs and lowering fares for students.",
    "Cyclists asked for more protected lanes along the river, which the mayor promised",
    "to study before the next election in the spring of the coming year.",
]
NOT_FOUND_PAGE = (
    "<html><head><title>Page not found | The Daily Example</title></head><body>"
    "<h1>Sorry, we couldn't find that page</h1><p>Try the search box above.</p></body></html>"
)
CP1252_TEXT = (
    "Le café où le ministre a parlé — selon les câbles — était fermé. "
    "Les diplomates ont écrit « réservé » sur chaque télégramme envoyé à Paris."
)


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[LocalWeb], str]
    expected: str
    previous: str = ""
    check: Callable[[LinkResult, LocalWeb], None] | None = None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CLOSED_PORT = _closed_port()


def _then_ok(failures: int, status: int = 503) -> Callable[[Request], Route]:
    """A route that fails `failures` times, then answers the story."""
    counter = itertools.count()
    lock = threading.Lock()

    def route(request: Request) -> Route:
        with lock:
            n = next(counter)
        if n < failures:
            return Route(status=status, headers={"Retry-After": "0"}, body=b"busy")
        return Route.html(article("Back again", STORY))

    return route


def build_web(web: LocalWeb) -> None:
    s = web.route
    s("site", "/", Route.html(article("The Daily Example", OTHER)))
    s("site", "/story", Route.html(article("Cables", STORY)))
    s("site", "/new-home", Route.html(article("Cables (moved)", STORY)))
    s("site", "/chain-1", Route.redirect(web.url("site", "/chain-2"), 301))
    s("site", "/chain-2", Route.redirect(web.url("site", "/chain-3"), 301))
    s("site", "/chain-3", Route.redirect(web.url("site", "/new-home"), 301))
    s("site", "/temporary", Route.redirect(web.url("site", "/new-home"), 302))
    s("site", "/permanent-308", Route.redirect(web.url("site", "/new-home"), 308))
    s("site", "/mixed", Route.redirect(web.url("site", "/mixed-2"), 301))
    s("site", "/mixed-2", Route.redirect(web.url("site", "/new-home"), 307))
    s("site", "/loop-a", Route.redirect(web.url("site", "/loop-b"), 301))
    s("site", "/loop-b", Route.redirect(web.url("site", "/loop-a"), 302))
    s("site", "/section", Route.redirect(web.url("site", "/section/"), 301))
    s("site", "/section/", Route.html(article("Section", STORY)))
    s("site", "/missing", Route(status=404, body=b"<h1>Not Found</h1>"))
    s("site", "/removed", Route(status=410, body=b"<h1>Gone</h1>"))
    s("site", "/broken", Route(status=500, body=b"<h1>Internal Server Error</h1>"))
    s("site", "/forbidden", Route(status=403, body=b"<h1>Forbidden</h1>"))
    s("site", "/busy-then-ok", _then_ok(1))
    s("site", "/slow", Route.slow(article("Late", STORY).encode(), delay=3.0))
    s("site", "/huge", Route.huge())
    s("site", "/endless", Route.endless())
    s("site", "/cp1252", Route.html(article("Câbles", [CP1252_TEXT]), charset="windows-1252"))
    undeclared = article("Câbles", [CP1252_TEXT]).encode("cp1252")
    s("site", "/cp1252-undeclared", Route(headers={"Content-Type": "text/html"}, body=undeclared))
    s("site", "/soft", Route.html(NOT_FOUND_PAGE))
    s("site", "/deep/2009/12/old-story", Route.redirect(web.url("site", "/"), 301))
    s("site", "/drifted", Route.html(article("Cables", OTHER)))
    updated = [*STORY, "Update: this article was corrected to give the spokesman's full name."]
    s("site", "/unchanged", Route.html(article("Cables", updated)))
    # A site that answers every path, even one that cannot exist, with the same page.
    same = Route.html(article("Welcome to Catchall", OTHER))
    s("catchall", "/stories/42", same)
    s("catchall", f"/{PROBE_TOKEN}-never-existed", same)
    # robots.txt shuts the checker out of /private.
    rules = b"User-agent: *\nDisallow: /private\n"
    s("robots", "/robots.txt", Route(headers={"Content-Type": "text/plain"}, body=rules))
    s("robots", "/private/report", Route.html(article("Private", STORY)))


def _redirect_to(path: str, permanent: bool) -> Callable[[LinkResult, LocalWeb], None]:
    def check(result: LinkResult, web: LocalWeb) -> None:
        assert result.health.target == web.url("site", path)
        assert result.health.permanent is permanent

    return check


def _attempts(n: int) -> Callable[[LinkResult, LocalWeb], None]:
    def check(result: LinkResult, web: LocalWeb) -> None:
        assert result.attempts == n

    return check


def _similar(low: float, high: float) -> Callable[[LinkResult, LocalWeb], None]:
    def check(result: LinkResult, web: LocalWeb) -> None:
        assert result.health.similarity is not None
        assert low <= result.health.similarity <= high

    return check


def _detail(words: str) -> Callable[[LinkResult, LocalWeb], None]:
    def check(result: LinkResult, web: LocalWeb) -> None:
        assert words in result.health.detail

    return check


def site(path: str) -> Callable[[LocalWeb], str]:
    return lambda web: web.url("site", path)


CASES = [
    Case("ok", site("/story"), "ok", check=_similar(1, 1), previous=STORY_TEXT),
    Case("301 chain", site("/chain-1"), "redirected", check=_redirect_to("/new-home", True)),
    Case("302 temporary", site("/temporary"), "redirected", check=_redirect_to("/new-home", False)),
    Case("308", site("/permanent-308"), "redirected", check=_redirect_to("/new-home", True)),
    Case("301 then 307", site("/mixed"), "redirected", check=_redirect_to("/new-home", False)),
    Case("trailing slash", site("/section"), "ok"),
    Case("redirect loop", site("/loop-a"), "unreachable", check=_detail("redirect loop")),
    Case("404", site("/missing"), "gone", check=_attempts(1)),
    Case("410", site("/removed"), "gone"),
    Case("500", site("/broken"), "server-error", check=_attempts(3)),
    Case("503 then ok", site("/busy-then-ok"), "ok", check=_attempts(2)),
    Case("403", site("/forbidden"), "blocked"),
    Case("dns", lambda web: "http://no-such-host.invalid/story", "unreachable", check=_attempts(3)),
    Case("refused", lambda web: f"http://127.0.0.1:{CLOSED_PORT}/", "unreachable"),
    Case("slow", site("/slow"), "unreachable", check=_detail("timed out")),
    Case("huge", site("/huge"), "ok", check=_detail("size limit")),
    Case("endless", site("/endless"), "ok", check=_detail("size limit")),
    Case("cp1252", site("/cp1252"), "ok", previous=CP1252_TEXT, check=_similar(0.99, 1)),
    Case(
        "cp1252 undeclared",
        site("/cp1252-undeclared"),
        "ok",
        previous=CP1252_TEXT,
        check=_similar(0.99, 1),
    ),
    Case("soft-404 wording", site("/soft"), "soft-404", check=_detail("not found")),
    Case("soft-404 home", site("/deep/2009/12/old-story"), "soft-404", check=_detail("home")),
    Case("soft-404 probe", lambda web: web.url("catchall", "/stories/42"), "soft-404"),
    Case("drifted", site("/drifted"), "drifted", previous=STORY_TEXT, check=_similar(0, 0.1)),
    Case("unchanged", site("/unchanged"), "ok", previous=STORY_TEXT, check=_similar(0.95, 1)),
    Case("robots", lambda web: web.url("robots", "/private/report"), "blocked"),
]


@dataclass
class Run:
    web: LocalWeb
    results: dict[str, LinkResult]


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with LocalWeb() as web:
        build_web(web)
        policy = Policy.from_settings(timeout=1.0, max_bytes=1_000_000, robots=True)
        items = [LinkToCheck(case.url(web), case.previous) for case in CASES]
        results = check_links(
            items, policy=policy, retries=2, backoff=0.02, max_backoff=0.1, probe_token=PROBE_TOKEN
        )
        yield Run(web, {case.name: result for case, result in zip(CASES, results, strict=True)})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_served_state_is_classified_as_expected(run: Run, case: Case) -> None:
    result = run.results[case.name]

    assert result.url == case.url(run.web)
    assert result.health.state == case.expected, result.health
    if case.check:
        case.check(result, run.web)


def confusion_table(pairs: list[tuple[str, str]]) -> str:
    """Rows: expected state; columns: state found; cells: counts."""
    counts = Counter(pairs)
    width = max(len(s) for s in STATES) + 1
    lines = ["expected \\ found".ljust(width + 4) + "".join(s[:7].rjust(8) for s in STATES)]
    for expected in STATES:
        cells = "".join(str(counts[(expected, found)] or ".").rjust(8) for found in STATES)
        lines.append(expected.ljust(width + 4) + cells)
    return "\n".join(lines)


def test_the_confusion_table_of_the_whole_local_web_is_diagonal(run: Run) -> None:
    pairs = [(case.expected, run.results[case.name].health.state) for case in CASES]
    table = confusion_table(pairs)
    print(f"\nLink health on the local web ({len(CASES)} cases)\n{table}")

    assert all(expected == found for expected, found in pairs), table
    # The local web serves every state there is.
    assert {expected for expected, _ in pairs} == set(STATES)


def test_results_come_back_in_input_order_with_one_probe_per_origin(run: Run) -> None:
    probes = [r for r in run.web.requests if "never-existed" in r.path]

    assert len(probes) == len({r.host for r in probes})
    assert [r.url for r in run.results.values()] == [c.url(run.web) for c in CASES]


def test_the_checker_never_has_more_than_two_requests_in_flight_per_host() -> None:
    in_flight = Counter[str]()
    peak = Counter[str]()
    lock = threading.Lock()

    def counting(name: str) -> Callable[[Request], Route]:
        def route(request: Request) -> Route:
            with lock:
                in_flight[name] += 1
                peak[name] = max(peak[name], in_flight[name])
            try:
                threading.Event().wait(0.05)
                return Route.html(article("A page", STORY))
            finally:
                with lock:
                    in_flight[name] -= 1

        return route

    with LocalWeb() as web:
        urls = []
        for host in ("one", "two", "three"):
            for n in range(8):
                urls.append(web.route(host, f"/p{n}", counting(host)))
        policy = Policy.from_settings(per_host=2, spacing=0)
        results = check_links([LinkToCheck(u) for u in urls], policy=policy, workers=12)

    assert [r.health.state for r in results] == ["ok"] * len(urls)
    assert max(peak.values()) == 2
    assert set(peak) == {"one", "two", "three"}


# --- the classifier on its own ---------------------------------------------------------------


def test_a_redirect_to_the_same_url_with_another_scheme_is_ok() -> None:
    with LocalWeb() as web:
        web.route("a", "/page", Route.html(article("Cables", STORY)))
        fetched = fetch(web.url("a", "/page"), purpose="check")
    # As if http://example.org/page had sent us to https://example.org/page.
    moved = Fetched(
        **{
            **fetched.__dict__,
            "url": "http://example.org/page",
            "final_url": "https://example.org/page/",
            "redirects": (health_hop("http://example.org/page", 301, "https://example.org/page/"),),
        }
    )

    assert classify("http://example.org/page", moved).state == "ok"
    assert classify("http://example.org/other", moved).state == "redirected"


def health_hop(url: str, status: int, location: str) -> object:
    from briefdesk.archive.fetch import Hop

    return Hop(url=url, status=status, location=location)


def test_a_fetch_error_of_every_kind_has_a_state() -> None:
    from briefdesk.archive.fetch import KINDS

    for kind in KINDS:
        found = classify("https://example.org/", FetchError(kind, "https://example.org/", "x"))
        assert found.state in STATES
        assert isinstance(found, Health)


DRIFT_TABLE = [
    # (what happened to the text, expected state)
    ("the same text", STORY_TEXT, "ok"),
    ("a paragraph added", STORY_TEXT + " Update: a correction was appended here.", "ok"),
    ("case and spacing changed", STORY_TEXT.upper().replace(" ", "  \n"), "ok"),
    ("one word in ten changed", None, "ok"),
    ("one word in three changed", None, "drifted"),
    ("another article", " ".join(OTHER), "drifted"),
    ("half of it removed", " ".join(STORY[:3]), "drifted"),
]


def _every_nth_word_changed(text: str, n: int) -> str:
    words = text.split()
    return " ".join(f"zz{i}" if i % n == 0 else w for i, w in enumerate(words))


@pytest.mark.parametrize(("name", "new", "expected"), DRIFT_TABLE, ids=[r[0] for r in DRIFT_TABLE])
def test_drift_is_the_share_of_old_word_trigrams_still_there(
    name: str, new: str | None, expected: str
) -> None:
    if new is None:
        new = _every_nth_word_changed(STORY_TEXT, 10 if "ten" in name else 3)
    similarity = containment(STORY_TEXT, new)
    found = "drifted" if similarity < health.DRIFT_THRESHOLD else "ok"

    assert found == expected, similarity


NOT_FOUND_TABLE = [
    ("<title>Page Not Found</title>", True),
    ("<title>404 – The Daily Example</title>", True),
    ("<h1>This page no longer exists</h1>", True),
    ("<title>Seite nicht gefunden</title>", True),
    ("<body><p>Sorry, the article you want could not be found.</p></body>", True),
    ("<title>Cables</title><body>" + "<p>" + STORY_TEXT + " Not found guilty.</p>", False),
    (
        "<title>How 404 pages got friendlier: a history of web error messages, from the first"
        " browsers to today's playful illustrations</title><p>" + STORY_TEXT,
        False,
    ),
    ("<title>Cables</title><h1>Pakistan condemns release</h1>", False),
    ("<title>Story 404 | The Daily Example</title><p>" + STORY_TEXT, False),
    ("<title>404 | The Daily Example</title>", True),
    ("<title>Error 404 - The Daily Example</title>", True),
]


@pytest.mark.parametrize(("markup", "soft"), NOT_FOUND_TABLE)
def test_a_page_reads_as_not_found_only_from_its_title_heading_or_short_text(
    markup: str, soft: bool
) -> None:
    assert bool(not_found_wording(markup)) is soft

"""The guarded fetcher against real HTTP servers on 127.0.0.1 (LocalWeb); nothing else."""

from __future__ import annotations

import itertools
import pickle
import re
import ssl
import threading
import time
import zlib
from pathlib import Path

import brotli
import pytest

from briefdesk.archive import politeness
from briefdesk.archive.fetch import Fetched, FetchError, Hop, Policy, fetch, user_agent
from briefdesk.archive.testweb import LocalWeb, Route

FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _fresh_politeness():
    politeness.forget()
    yield
    politeness.forget()


@pytest.fixture
def web():
    with LocalWeb() as local:
        yield local


@pytest.fixture
def no_allow_list(settings):
    settings.BRIEFDESK_FETCH_ALLOW = []


def refused(url: str, kind: str, **kwargs) -> FetchError:
    """fetch(url) fails with `kind`, and its message is one line naming the URL."""
    with pytest.raises(FetchError) as caught:
        fetch(url, **kwargs)
    error = caught.value
    assert error.kind == kind, error.message
    assert error.url == url
    assert url in error.message
    assert "\n" not in error.message
    return error


# -- the guard ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://[::ffff:7f00:1]:{port}/",
        "http://2130706433:{port}/",  # 127.0.0.1 as one number
        "http://0x7f.1:{port}/",  # 127.0.0.1 in hex, short form
        "http://0.0.0.0:{port}/",
        "http://localhost:{port}/",  # a name that resolves to loopback
    ],
)
def test_without_the_allow_list_it_refuses_non_public_addresses(web, no_allow_list, url):
    web.route("a", "/", Route(body=b"secret"))
    url = url.format(port=web.port("a"))
    error = refused(url, "blocked")
    assert "only public addresses" in error.message
    assert web.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{other}/",  # another loopback port than the one allowed
        "http://localhost:{other}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{other}/",
        "http://[::ffff:127.0.0.1]:{other}/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_a_redirect_to_a_non_public_address_is_refused(web, settings, location):
    settings.BRIEFDESK_FETCH_ALLOW = [web.socket("allowed")]
    web.route("other", "/", Route(body=b"secret"))
    location = location.format(other=web.port("other"))
    start = web.route("allowed", "/go", Route.redirect(location, status=302))
    error = refused(start, "blocked")
    assert "redirected to" in error.message
    assert web.requests_to("other") == []


def test_the_connection_goes_to_the_address_that_was_checked(web):
    """DNS rebinding: the name answers an allowed address (the stand-in for a public one) on
    the first look-up and a private one on the next. The fetch connects to the first, checked
    address (the server sees the name in Host); a resolver that is not asked again cannot
    move it. "rebind.test" resolves nowhere else, so an unpinned client would fail."""
    web.route("a", "/page", Route(body=b"public page"))
    answers = [["127.0.0.1"], ["10.0.0.1"]]
    asked = []

    def resolver(host, port):
        asked.append(host)
        return answers[len(asked) - 1]

    policy = Policy.from_settings(allow=[web.socket("a")], resolver=resolver)
    url = f"http://rebind.test:{web.port('a')}/page"
    fetched = fetch(url, policy=policy)
    assert fetched.content == b"public page"
    assert fetched.address == "127.0.0.1"
    assert asked == ["rebind.test"]
    assert web.requests[-1].headers["host"] == f"rebind.test:{web.port('a')}"
    # The second answer, the rebound one, is refused when it is the one checked.
    refused(url, "blocked", policy=policy)
    assert len(web.requests) == 1


SCHEMES = [
    "file:///etc/passwd",
    "ftp://example.org/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "gopher://127.0.0.1:70/",
]


@pytest.mark.parametrize("url", SCHEMES)
def test_only_http_and_https_are_fetched(url):
    refused(url, "scheme")


INVALID = [
    "not a url",
    "example.org/page",
    "http:///nohost",
    "http://user:pass@127.0.0.1/",
    "http://127.0.0.1:99999/",
    "http://[::1/",
    "http://☃.example/",
]


@pytest.mark.parametrize("url", INVALID)
def test_invalid_urls_are_refused(url):
    refused(url, "invalid-url")


def test_a_name_that_does_not_resolve_is_a_dns_error():
    def resolver(host, port):
        raise OSError("Name or service not known")

    refused("http://nowhere.test/", "dns", policy=Policy.from_settings(resolver=resolver))


def test_a_closed_port_is_a_connect_error(web):
    port = web.port("a")
    web.stop()
    refused(f"http://127.0.0.1:{port}/", "connect")


def test_a_body_shorter_than_its_content_length_is_a_protocol_error(web):
    web.route("a", "/", Route(headers={"Content-Length": "100"}, chunks=[b"only ten b"]))
    refused(web.url("a", "/"), "protocol")


def test_a_fetch_error_survives_pickling():
    error = pickle.loads(pickle.dumps(FetchError("dns", "http://x.test/", "http://x.test/: no")))
    assert (error.kind, error.url, error.message) == ("dns", "http://x.test/", "http://x.test/: no")


def test_an_international_host_name_is_idna_encoded_for_dns_and_host(web):
    asked = []

    def resolver(host, port):
        asked.append(host)
        return ["127.0.0.1"]

    web.route("a", "/", Route(body=b"ok"))
    url = f"http://bücher.test:{web.port('a')}/"
    fetched = fetch(url, policy=Policy.from_settings(resolver=resolver))
    assert fetched.status == 200
    assert asked == ["xn--bcher-kva.test"]
    assert web.requests[-1].headers["host"] == f"xn--bcher-kva.test:{web.port('a')}"


# -- answers and redirects ---------------------------------------------------------------------


def test_it_returns_any_http_answer_with_its_metadata(web):
    web.route("a", "/gone", Route(status=410, headers={"Content-Type": "text/plain"}, body=b"x"))
    url = web.url("a", "/gone")
    fetched = fetch(url)
    assert isinstance(fetched, Fetched)
    assert (fetched.status, fetched.reason, fetched.http_version) == (410, "Gone", "HTTP/1.1")
    assert (fetched.url, fetched.final_url, fetched.content) == (url, url, b"x")
    assert fetched.content_type == "text/plain"
    assert fetched.address == "127.0.0.1"
    assert fetched.fetched_at.tzinfo is not None
    assert ("Content-Type", "text/plain") in fetched.headers


def test_a_chain_of_three_redirects_is_followed_and_recorded(web):
    web.route("a", "/1", Route.redirect("/2", status=301))
    web.route("a", "/2", Route.redirect(web.url("b", "/3"), status=302))
    web.route("b", "/3", Route.redirect("/final", status=308))
    web.route("b", "/final", Route(body=b"here"))
    fetched = fetch(web.url("a", "/1"))
    assert (fetched.status, fetched.content) == (200, b"here")
    assert fetched.final_url == web.url("b", "/final")
    assert fetched.redirects == (
        Hop(web.url("a", "/1"), 301, web.url("a", "/2")),
        Hop(web.url("a", "/2"), 302, web.url("b", "/3")),
        Hop(web.url("b", "/3"), 308, web.url("b", "/final")),
    )


def test_a_redirect_loop_is_refused(web):
    web.route("a", "/x", Route.redirect("/y"))
    web.route("a", "/y", Route.redirect("/x"))
    refused(web.url("a", "/x"), "redirect-loop")


@pytest.mark.parametrize(("hops", "kind"), [(5, None), (6, "too-many-redirects")])
def test_at_most_five_redirects_are_followed(web, hops, kind):
    for i in range(hops):
        web.route("a", f"/{i}", Route.redirect(f"/{i + 1}"))
    web.route("a", f"/{hops}", Route(body=b"end"))
    if kind is None:
        assert len(fetch(web.url("a", "/0")).redirects) == hops
    else:
        refused(web.url("a", "/0"), kind)


# -- limits ------------------------------------------------------------------------------------


def test_a_huge_content_length_is_refused_before_the_body_is_read(web):
    sent = []

    def counted():
        for _ in range(32768):  # 2 GB of 64 KB chunks
            sent.append(1)
            yield b"x" * 65536

    web.route(
        "a",
        "/huge",
        Route(headers={"Content-Length": str(2 * 1024**3)}, chunks=counted),
    )
    started = time.monotonic()
    error = refused(web.url("a", "/huge"), "too-large")
    assert "2048.0 MB" in error.message
    assert time.monotonic() - started < 2
    assert len(sent) * 65536 < 8 * 1024 * 1024  # what socket buffers took, not the 25 MB limit


def test_an_endless_chunked_body_is_cut_off_at_max_bytes(web):
    web.route("a", "/endless", Route.endless())
    started = time.monotonic()
    refused(web.url("a", "/endless"), "too-large", policy=Policy.from_settings(max_bytes=300_000))
    assert time.monotonic() - started < 2


ENCODED = [
    ("gzip", lambda b: zlib.compress(b, wbits=31)),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b, wbits=-15)),  # raw deflate, as some servers send it
    ("br", brotli.compress),
]


@pytest.mark.parametrize(("coding", "encode"), ENCODED)
def test_compressed_bodies_are_decoded(web, coding, encode):
    body = b"<p>" + b"compressible " * 2000 + b"</p>"
    web.route("a", "/", Route(headers={"Content-Encoding": coding}, body=encode(body)))
    assert fetch(web.url("a", "/")).content == body


BOMBS = {  # each decodes to 64 MB of zeros, over the 25 MB limit
    "gzip": lambda: Route.gzip_bomb(64 * 1024 * 1024),
    "br": lambda: Route(
        headers={"Content-Encoding": "br"},
        body=brotli.compress(bytes(64 * 1024 * 1024), quality=1),
    ),
}


@pytest.mark.parametrize("coding", BOMBS)
def test_a_decompression_bomb_is_refused(web, coding):
    web.route("a", "/bomb", BOMBS[coding]())
    started = time.monotonic()
    error = refused(web.url("a", "/bomb"), "decoding")
    assert "bomb" in error.message
    assert time.monotonic() - started < 2


def test_a_body_that_is_not_what_its_encoding_says_is_a_decoding_error(web):
    web.route("a", "/", Route(headers={"Content-Encoding": "gzip"}, body=b"plain, not gzip"))
    refused(web.url("a", "/"), "decoding")


@pytest.mark.parametrize(
    "route", [Route.slow(b"late", delay=5), Route.trickle(interval=0.1)], ids=["silent", "trickle"]
)
def test_a_slow_server_times_out_within_the_deadline(web, route):
    web.route("a", "/slow", route)
    started = time.monotonic()
    refused(web.url("a", "/slow"), "timeout", policy=Policy.from_settings(timeout=0.5))
    assert time.monotonic() - started < 1.2


# -- robots.txt and politeness -----------------------------------------------------------------

ROBOTS = b"User-agent: *\nDisallow: /private\n"


def test_robots_txt_is_honoured_for_link_checks_only(web):
    web.route("a", "/robots.txt", Route(headers={"Content-Type": "text/plain"}, body=ROBOTS))
    web.route("a", "/private/page", Route(body=b"p"))
    web.route("a", "/public", Route(body=b"p"))
    url = web.url("a", "/private/page")
    error = refused(url, "robots", purpose="check")
    assert "robots.txt" in error.message
    assert fetch(url, purpose="capture").status == 200
    assert fetch(url, purpose="autofill").status == 200
    assert fetch(web.url("a", "/public"), purpose="check").status == 200
    assert len(web.requests_to("a", "/robots.txt")) == 1  # cached per origin


def test_robots_txt_is_ignored_when_the_setting_is_off(web, settings):
    settings.BRIEFDESK_ROBOTS = False
    web.route("a", "/robots.txt", Route(headers={"Content-Type": "text/plain"}, body=ROBOTS))
    web.route("a", "/private", Route(body=b"p"))
    assert fetch(web.url("a", "/private"), purpose="check").status == 200
    assert web.requests_to("a", "/robots.txt") == []


@pytest.mark.parametrize("status", [404, 500])
def test_a_missing_or_failing_robots_txt_allows_everything(web, status):
    web.route("a", "/robots.txt", Route(status=status, body=b"Disallow: /"))
    web.route("a", "/page", Route(body=b"p"))
    assert fetch(web.url("a", "/page"), purpose="check").status == 200


def test_no_more_than_two_requests_run_at_once_on_one_host(web):
    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def counting(request):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        return Route(body=b"ok")

    web.route("a", "/count", counting)
    threads = [threading.Thread(target=fetch, args=(web.url("a", "/count"),)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(web.requests_to("a", "/count")) == 6
    assert state["most"] == 2


def test_requests_to_one_host_start_spacing_apart(web, settings):
    settings.BRIEFDESK_FETCH_SPACING_MS = 200
    starts = []

    def stamped(request):
        starts.append(time.monotonic())
        return Route(body=b"ok")

    web.route("a", "/", stamped)
    threads = [threading.Thread(target=fetch, args=(web.url("a", "/"),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.17


def test_it_sends_an_honest_user_agent(web, settings):
    settings.BRIEFDESK_CONTACT_URL = "https://briefs.example/about/fetching"
    web.route("a", "/", Route(body=b"ok"))
    fetched = fetch(web.url("a", "/"))
    sent = web.requests[-1].headers["user-agent"]
    assert re.fullmatch(r"briefdesk/\S+ \(\+https://briefs\.example/about/fetching\)", sent)
    assert sent == user_agent()
    assert ("User-Agent", sent) in fetched.request_headers


# -- text ----------------------------------------------------------------------------------------

TEXTS = [
    (
        Route(
            headers={"Content-Type": "text/html; charset=windows-1252"},
            body="<p>Café – “quoted”</p>".encode("cp1252"),
        ),
        "Café – “quoted”",
    ),
    (
        Route(  # declared ISO-8859-1, which browsers (and we) read as windows-1252
            headers={"Content-Type": "text/html; charset=ISO-8859-1"},
            body="<p>“smart” quotes</p>".encode("cp1252"),
        ),
        "“smart” quotes",
    ),
    (
        Route(  # declared in <meta> only
            headers={"Content-Type": "text/html"},
            body='<meta charset="shift_jis"><p>日本語のページ</p>'.encode("shift_jis"),
        ),
        "日本語のページ",
    ),
    (
        Route(  # not declared at all
            headers={"Content-Type": "text/html"},
            body="<p>Überraschung für Sie, Café</p>".encode(),
        ),
        "Überraschung für Sie, Café",
    ),
    (
        Route(  # declared wrongly: bytes that are not UTF-8 still come back as text
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=b"<p>caf\xe9</p>",
        ),
        "caf\ufffd",
    ),
    (
        Route(  # a charset nobody knows
            headers={"Content-Type": "text/html; charset=x-unknown-thing"},
            body=b"<p>plain</p>",
        ),
        "plain",
    ),
]


@pytest.mark.parametrize(("route", "expected"), TEXTS)
def test_text_decodes_pages_in_their_charset_and_never_raises(web, route, expected):
    web.route("a", "/", route)
    assert expected in fetch(web.url("a", "/")).text()


# -- TLS -----------------------------------------------------------------------------------------


@pytest.fixture
def tls_web():
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(FILES / "tls-briefdesk.test.pem")
    with LocalWeb(tls=server) as local:
        local.route("a", "/", Route(body=b"secure"))
        yield local


def tls_policy(**kwargs) -> Policy:
    client = ssl.create_default_context(cafile=str(FILES / "tls-ca.pem"))
    kwargs.setdefault("resolver", lambda host, port: ["127.0.0.1"])
    return Policy.from_settings(verify=client, **kwargs)


def test_https_verifies_the_certificate_against_the_name_not_the_address(tls_web):
    """The connection goes to 127.0.0.1, yet TLS is checked against briefdesk.test: the
    certificate names only that host, so this passes only if the name reaches TLS (SNI)."""
    fetched = fetch(f"https://briefdesk.test:{tls_web.port('a')}/", policy=tls_policy())
    assert (fetched.status, fetched.content, fetched.address) == (200, b"secure", "127.0.0.1")


def test_a_certificate_for_another_name_is_a_tls_error(tls_web):
    refused(f"https://other.test:{tls_web.port('a')}/", "tls", policy=tls_policy())


def test_an_untrusted_certificate_is_a_tls_error(tls_web):
    policy = Policy.from_settings(resolver=lambda host, port: ["127.0.0.1"])
    refused(f"https://briefdesk.test:{tls_web.port('a')}/", "tls", policy=policy)


# -- routes (Policy.connect_to) ------------------------------------------------------------------


def no_lookup(host, port):
    raise AssertionError(f"{host} was looked up; a routed name must not be")


def test_a_route_reaches_a_local_socket_with_the_url_unchanged(web):
    web.route("a", "/story", Route(body=b"local copy"))
    policy = Policy.from_settings(
        allow=(web.socket("a"),),
        resolver=no_lookup,
        connect_to={("www.example.com", 80): ("127.0.0.1", web.port("a"))},
    )
    fetched = fetch("http://www.example.com/story", policy=policy)
    assert (fetched.status, fetched.content) == (200, b"local copy")
    assert fetched.final_url == "http://www.example.com/story"
    assert fetched.address == "127.0.0.1"
    assert web.requests[-1].headers["host"] == "www.example.com"


def test_a_route_still_passes_the_guard_so_an_empty_allow_list_refuses_it(web):
    web.route("a", "/", Route(body=b"secret"))
    routes = {("www.example.com", 80): ("127.0.0.1", web.port("a"))}
    policy = Policy(resolver=no_lookup, connect_to=routes)
    error = refused("http://www.example.com/", "blocked", policy=policy)
    assert "routed to 127.0.0.1 (a loopback address)" in error.message
    assert web.requests == []


def test_a_route_must_land_on_the_socket_the_allow_list_names(web):
    web.route("a", "/", Route(body=b"secret"))
    policy = Policy(
        allow=(web.socket("other"),),
        resolver=no_lookup,
        connect_to={("www.example.com", 80): ("127.0.0.1", web.port("a"))},
    )
    refused("http://www.example.com/", "blocked", policy=policy)
    assert web.requests_to("a") == []


def test_a_redirect_to_a_name_without_a_route_is_looked_up_and_guarded(web):
    web.route("a", "/", Route.redirect("http://localhost/elsewhere", status=302))
    policy = Policy(
        allow=(web.socket("a"),),
        connect_to={("www.example.com", 80): ("127.0.0.1", web.port("a"))},
    )
    error = refused("http://www.example.com/", "blocked", policy=policy)
    assert "redirected to" in error.message


def test_routes_cannot_come_from_settings(settings):
    settings.BRIEFDESK_FETCH_CONNECT_TO = {("www.example.com", 443): ("127.0.0.1", 8443)}
    assert dict(Policy.from_settings().connect_to) == {}


def test_https_through_a_route_verifies_the_certificate_against_the_real_name(tls_web):
    routes = {("briefdesk.test", 443): ("127.0.0.1", tls_web.port("a"))}
    fetched = fetch(
        "https://briefdesk.test/", policy=tls_policy(resolver=no_lookup, connect_to=routes)
    )
    assert (fetched.status, fetched.content, fetched.final_url) == (
        200,
        b"secure",
        "https://briefdesk.test/",
    )
    # The same socket under a name its certificate does not carry is refused.
    routes = {("other.test", 443): ("127.0.0.1", tls_web.port("a"))}
    refused("https://other.test/", "tls", policy=tls_policy(resolver=no_lookup, connect_to=routes))

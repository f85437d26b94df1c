"""The local test web itself: routes, redirects, streams and a clean stop (stdlib client)."""

from __future__ import annotations

import gzip
import http.client
import threading
import time

from briefdesk.archive.testweb import LocalWeb, Request, Route


def get(url: str, *, read: int | None = None) -> tuple[int, dict[str, str], bytes]:
    host, _, path = url.removeprefix("http://").partition("/")
    conn = http.client.HTTPConnection(host, timeout=5)
    conn.request("GET", "/" + path, headers={"User-Agent": "t"})
    resp = conn.getresponse()
    body = resp.read(read) if read is not None else resp.read()
    headers = {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    return resp.status, headers, body


def test_it_serves_a_route_and_logs_the_request():
    with LocalWeb({"news": {"/a": Route(body=b"hello")}}) as web:
        status, headers, body = get(web.url("news", "/a"))
        assert (status, body) == (200, b"hello")
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert web.requests == [Request("news", "GET", "/a", web.requests[0].headers)]
        assert web.requests[0].headers["user-agent"] == "t"


def test_each_host_has_its_own_port_and_unknown_paths_answer_404():
    with LocalWeb() as web:
        assert web.host("a") != web.host("b")
        assert web.host("a").startswith("http://127.0.0.1:")
        assert web.socket("a") == web.host("a").removeprefix("http://")
        assert get(web.url("a", "/nothing"))[0] == 404


def test_a_redirect_route_sends_its_location():
    with LocalWeb() as web:
        web.route("a", "/old", Route.redirect("/new", status=302))
        status, headers, _ = get(web.url("a", "/old"))
        assert (status, headers["location"]) == (302, "/new")


def test_a_callable_route_answers_from_the_request():
    with LocalWeb() as web:
        web.route("a", "/echo", lambda req: Route(body=req.path.encode()))
        assert get(web.url("a", "/echo?x=1"))[2] == b"/echo?x=1"


def test_a_gzip_route_sends_raw_gzip():
    with LocalWeb() as web:
        web.route("a", "/z", Route.gzip(b"squeezed"))
        _, headers, body = get(web.url("a", "/z"))
        assert headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == b"squeezed"


def test_a_gzip_bomb_is_small_on_the_wire():
    bomb = Route.gzip_bomb(50 * 1024 * 1024)
    assert len(bomb.body) < 300_000


def test_endless_and_huge_bodies_stream_without_ending_and_the_web_still_stops():
    with LocalWeb() as web:
        web.route("a", "/endless", Route.endless())
        web.route("a", "/huge", Route.huge())
        _, headers, body = get(web.url("a", "/endless"), read=300_000)
        assert headers["transfer-encoding"] == "chunked"
        assert len(body) == 300_000
        _status, headers, body = get(web.url("a", "/huge"), read=100_000)
        assert headers["content-length"] == str(2 * 1024**3)
        assert len(body) == 100_000
        started = time.monotonic()
    assert time.monotonic() - started < 3


def test_a_slow_route_waits_before_answering():
    with LocalWeb() as web:
        web.route("a", "/slow", Route.slow(b"late", delay=0.3))
        started = time.monotonic()
        assert get(web.url("a", "/slow"))[2] == b"late"
        assert time.monotonic() - started >= 0.3


def test_requests_are_served_concurrently():
    with LocalWeb() as web:
        web.route("a", "/slow", Route.slow(b"late", delay=0.4))
        threads = [threading.Thread(target=get, args=(web.url("a", "/slow"),)) for _ in range(4)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert time.monotonic() - started < 1.2
        assert len(web.requests_to("a", "/slow")) == 4

"""A local web for tests: real HTTP servers on 127.0.0.1, one port per "host", with routes.

    with LocalWeb() as web:
        web.route("news", "/a", Route(body=b"<p>hello</p>"))
        web.route("news", "/old", Route.redirect(web.url("news", "/a")))
        fetched = fetch(web.url("news", "/old"))
        assert web.requests[-1].path == "/a"

Each host is its own `http.server.ThreadingHTTPServer` (HTTP/1.1, one daemon thread per
connection), started lazily the first time the host is named; `web.host("news")` is
"http://127.0.0.1:PORT" and `web.socket("news")` is "127.0.0.1:PORT" (what the fetcher's
test allow-list takes). A route is a `Route` or a callable taking the `Request` and returning
one (to count concurrent requests, answer by the query string, and so on). Unknown paths
answer 404. A path with a query string matches a route for that exact string first, then the
route for the bare path.

Bodies are sent with Content-Length, or chunked when a route streams `chunks`; a streamed body
is never held in memory, so `Route.endless()` and `Route.huge()` serve gigabytes for as long as
the client keeps reading. Every response says "Connection: close", so one request is one
connection and a stop never waits on a kept-alive socket. Leaving the block shuts every server
down and closes their open connections; nothing here outlives it except daemon threads that
finish on the next write.

Every request is logged in `web.requests` as `Request(host, method, path, headers)` (a named
tuple; header names lower case) before its route runs. Stdlib only; for tests and the demo.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

__all__ = ["LocalWeb", "Request", "Route", "gzip_bytes"]


class Request(NamedTuple):
    """One request as the local web received it (header names lower case)."""

    host: str
    method: str
    path: str
    headers: dict[str, str]


ChunkSource = Iterable[bytes] | Callable[[], Iterable[bytes]]


@dataclass
class Route:
    """What a path answers.

    `body` is sent with a Content-Length. `chunks` (a list, or a zero-argument callable returning
    a fresh iterable, so a route can be asked twice) is streamed instead: chunked, unless
    `headers` name a Content-Length, in which case the bytes are written raw under it (a lying
    or huge length). `delay` waits before the status line; `chunk_delay` between chunks. With
    no Content-Type header, a response with a body says "text/html; charset=utf-8".
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    chunks: ChunkSource | None = None
    chunk_delay: float = 0.0

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Route:
        return cls(status=status, headers={"Location": location})

    @classmethod
    def html(cls, text: str, *, charset: str = "utf-8", status: int = 200) -> Route:
        return cls(
            status=status,
            headers={"Content-Type": f"text/html; charset={charset}"},
            body=text.encode(charset),
        )

    @classmethod
    def gzip(cls, body: bytes, *, content_type: str = "text/html; charset=utf-8") -> Route:
        """`body` gzip-compressed and labelled Content-Encoding: gzip."""
        return cls(
            headers={"Content-Type": content_type, "Content-Encoding": "gzip"},
            body=gzip_bytes(body),
        )

    @classmethod
    def gzip_bomb(cls, decoded_size: int, *, content_type: str = "text/html") -> Route:
        """A small gzip body that decodes to `decoded_size` zero bytes (built without ever
        holding the decoded bytes)."""
        return cls(
            headers={"Content-Type": content_type, "Content-Encoding": "gzip"},
            body=gzip_zeros(decoded_size),
        )

    @classmethod
    def endless(cls, chunk: bytes = b"x" * 65536, *, content_type: str = "text/html") -> Route:
        """A chunked body that never ends (until the client hangs up)."""
        return cls(
            headers={"Content-Type": content_type},
            chunks=lambda: itertools.repeat(chunk),
        )

    @classmethod
    def huge(
        cls,
        length: int = 2 * 1024**3,
        chunk: bytes = b"x" * 65536,
        *,
        content_type: str = "text/html",
    ) -> Route:
        """A body announced with Content-Length `length` (2 GB by default), streamed for as long
        as the client reads."""
        count = -(-length // len(chunk))
        return cls(
            headers={"Content-Type": content_type, "Content-Length": str(length)},
            chunks=lambda: itertools.repeat(chunk, count),
        )

    @classmethod
    def slow(cls, body: bytes = b"late", *, delay: float = 5.0) -> Route:
        """Answers only after `delay` seconds."""
        return cls(body=body, delay=delay)

    @classmethod
    def trickle(
        cls, chunk: bytes = b".", *, interval: float = 0.2, count: int | None = None
    ) -> Route:
        """Headers at once, then one small chunk every `interval` seconds (forever by default):
        a server that never lets a read timeout fire."""
        return cls(
            chunks=lambda: itertools.repeat(chunk) if count is None else [chunk] * count,
            chunk_delay=interval,
        )


RouteLike = Route | Callable[[Request], Route]


def gzip_bytes(data: bytes) -> bytes:
    """`data` as a gzip stream (what a server sends under Content-Encoding: gzip)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as out:
        out.write(data)
    return buf.getvalue()


def gzip_zeros(size: int, block: int = 1024 * 1024) -> bytes:
    """A gzip stream of `size` zero bytes, compressed block by block (level 1: fast to make,
    still over 200 times smaller than what it decodes to)."""
    comp = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(block)
    parts = []
    left = size
    while left > 0:
        n = min(block, left)
        parts.append(comp.compress(zeros[:n]))
        left -= n
    parts.append(comp.flush())
    return b"".join(parts)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, web: LocalWeb, name: str) -> None:
        self.web = web
        self.name = name
        self.routes: dict[str, RouteLike] = {}
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        if web.tls is not None:
            # The handshake happens on the first read, in the connection's own thread.
            self.socket = web.tls.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[no-untyped-def]
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        pass  # a client that hangs up or fails TLS is no news in a test

    def close_open(self) -> None:
        with self.open_lock:
            sockets = list(self.open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30  # a client that never sends its request does not hold a thread forever

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet test output; the log is web.requests

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        request = Request(
            host=self.server.name,
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        self.server.web.requests.append(request)
        routes = self.server.routes
        found = routes.get(self.path) or routes.get(self.path.split("?", 1)[0])
        if found is None:
            route = Route(status=404, headers={"Content-Type": "text/plain"}, body=b"not found")
        elif isinstance(found, Route):
            route = found
        else:
            route = found(request)
        self.close_connection = True
        # The client may hang up mid-body, as it should on a huge or endless one.
        with contextlib.suppress(OSError):
            self._send(route, send_body=send_body)

    def _send(self, route: Route, *, send_body: bool) -> None:
        if route.delay:
            time.sleep(route.delay)
        headers = dict(route.headers)
        names = {k.lower() for k in headers}
        has_body = bool(route.body) or route.chunks is not None
        if has_body and "content-type" not in names:
            headers["Content-Type"] = "text/html; charset=utf-8"
        chunked = route.chunks is not None and "content-length" not in names
        if route.chunks is None and "content-length" not in names:
            headers["Content-Length"] = str(len(route.body))
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        if "connection" not in names:
            headers["Connection"] = "close"
        self.send_response(route.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not send_body:
            self.wfile.flush()
            return
        if route.chunks is None:
            self.wfile.write(route.body)
            self.wfile.flush()
            return
        for i, chunk in enumerate(_iterate(route.chunks)):
            if i and route.chunk_delay:
                time.sleep(route.chunk_delay)
            if not chunk:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            self.wfile.flush()
            if self.server.web.stopped.is_set():
                return
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _iterate(source: ChunkSource) -> Iterator[bytes]:
    if callable(source):
        return iter(source())
    return iter(source)


class LocalWeb:
    """Real HTTP servers on 127.0.0.1, one per host name, each with a route table.

    `LocalWeb(routes={"news": {"/a": Route(...)}})` sets routes up front; `web.route(...)` adds
    them later (also while running). `tls=` a server-side SSLContext makes every host https.
    Use as a context manager; `start()`/`stop()` also work.
    """

    def __init__(
        self,
        routes: Mapping[str, Mapping[str, RouteLike]] | None = None,
        *,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.tls = tls
        self.requests: list[Request] = []
        self.stopped = threading.Event()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        for name, table in (routes or {}).items():
            for path, route in table.items():
                self.route(name, path, route)

    # -- hosts ---------------------------------------------------------------------------

    def _server(self, name: str) -> _Server:
        with self._lock:
            server = self._servers.get(name)
            if server is None:
                if self.stopped.is_set():
                    raise RuntimeError("this LocalWeb has been stopped")
                server = _Server(self, name)
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"localweb-{name}",
                    daemon=True,
                )
                thread.start()
                self._servers[name] = server
                self._threads.append(thread)
            return server

    def port(self, name: str) -> int:
        return self._server(name).server_address[1]

    def host(self, name: str) -> str:
        """The origin of host `name`: "http://127.0.0.1:PORT" (started on first use)."""
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port(name)}"

    def socket(self, name: str) -> str:
        """ "127.0.0.1:PORT" for host `name`, as an allow-list entry for one socket."""
        return f"127.0.0.1:{self.port(name)}"

    def url(self, name: str, path: str = "/") -> str:
        return self.host(name) + path

    def route(self, name: str, path: str, route: RouteLike) -> str:
        """Serve `route` at `path` on host `name`; returns its full URL."""
        self._server(name).routes[path] = route
        return self.url(name, path)

    def requests_to(self, name: str, path: str | None = None) -> list[Request]:
        return [r for r in self.requests if r.host == name and (path is None or r.path == path)]

    # -- life ----------------------------------------------------------------------------

    def start(self) -> LocalWeb:
        return self

    def stop(self) -> None:
        self.stopped.set()
        with self._lock:
            servers = list(self._servers.values())
        for server in servers:
            server.shutdown()
            server.server_close()
            server.close_open()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> LocalWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

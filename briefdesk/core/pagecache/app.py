"""The page cache in front of Django, as a WSGI wrapper: a hit never reaches Django.

A request may be answered from the cache when it is a GET or HEAD without the session cookie
(editors and readers who unlocked a private page always reach Django) and without an
Authorization header. Everything else, and every miss, goes to Django; a miss whose response
Django marked `Cache-Control: public` (briefdesk.core.pagecache.middleware decides which) is
stored as the client received it. If-None-Match / If-Modified-Since are answered with 304
from the stored ETag and Last-Modified.

    application = CachedApplication(get_wsgi_application(), store, session_cookie="sessionid")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from .entry import Entry, Key, etag_of, http_date, is_shared_cacheable, storable_headers
from .stores import PageStore

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# Bodies above this are not kept (PDFs and WARCs are streamed files anyway).
MAX_BODY = 4 << 20


class CachedApplication:
    def __init__(
        self,
        app: WSGIApp,
        store: PageStore,
        *,
        session_cookie: str = "sessionid",
        proxy_ssl_header: tuple[str, str] | None = None,
        ssl_redirect: bool = False,
    ) -> None:
        self.app = app
        self.store = store
        self.session_marker = session_cookie + "="
        self.proxy_ssl_header = proxy_ssl_header
        self.ssl_redirect = ssl_redirect

    def _key(self, environ: dict[str, Any]) -> Key | None:
        method = environ.get("REQUEST_METHOD")
        if method != "GET" and method != "HEAD":
            return None
        if self.session_marker in environ.get("HTTP_COOKIE", "") or "HTTP_AUTHORIZATION" in environ:
            return None
        scheme = environ.get("wsgi.url_scheme", "http")
        if self.proxy_ssl_header is not None:
            header, value = self.proxy_ssl_header
            if environ.get(header) == value:
                scheme = "https"
        if self.ssl_redirect and scheme != "https":
            return None  # Django answers with its redirect to https
        return Key(scheme, environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", ""))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        entry = self.store.get(key)
        if entry is not None:
            return self._serve(entry, environ, start_response)
        return self._fill(key, environ, start_response)

    def _serve(
        self, entry: Entry, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if entry.not_modified(
            environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")
        ):
            keep = {"cache-control", "etag", "last-modified", "vary", "content-location"}
            start_response(
                "304 Not Modified",
                [(k, v) for k, v in entry.headers if k.lower() in keep] + [("X-Cache", "HIT")],
            )
            return []
        start_response(entry.status, [*entry.headers, ("X-Cache", "HIT")])
        if environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return [entry.body]

    def _fill(
        self, key: Key, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        started = time.time()
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return None  # started below, once the body is known

        result = self.app(environ, capture)  # Django calls start_response before returning
        cacheable = (
            environ.get("REQUEST_METHOD") == "GET"
            and is_shared_cacheable(captured["status"], captured["headers"])
            # Django's HttpResponse, whole in memory: not a stream, not a file wrapper.
            and getattr(result, "streaming", True) is False
        )
        if not cacheable:
            start_response(captured["status"], [*captured["headers"], ("X-Cache", "MISS")])
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = list(captured["headers"])
        if len(body) <= MAX_BODY:
            entry = _entry(captured["status"], headers, body, started)
            self.store.put(key, entry, started)
            headers = list(entry.headers)
        start_response(captured["status"], [*headers, ("X-Cache", "MISS")])
        return [body]


def _entry(status: str, headers: list[tuple[str, str]], body: bytes, started: float) -> Entry:
    names = {k.lower() for k, _ in headers}
    etag = next((v for k, v in headers if k.lower() == "etag"), None) or etag_of(body)
    extra: list[tuple[str, str]] = []
    if "etag" not in names:
        extra.append(("ETag", etag))
    last_modified = started
    if "last-modified" not in names:
        extra.append(("Last-Modified", http_date(started)))
    return Entry(
        status=status,
        headers=storable_headers(headers) + tuple(extra),
        body=body,
        etag=etag,
        last_modified=last_modified,
        stored_at=time.time(),
    )

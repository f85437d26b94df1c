"""What the page cache stores and which requests it may answer: plain data, no Django.

An `Entry` is a finished response as the client received it (status 200, headers, body),
minus what belongs to one request (Date, Set-Cookie, the request id). It is stored under a
`Key`: the path, which every purge names, and the query string, so that a purge of a path
drops every variant of it (`/briefs/?page=2`, `/briefs/?type=op-ed`).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

# Headers that describe one exchange, not the page: never stored, never replayed.
PER_REQUEST_HEADERS = frozenset({"date", "set-cookie", "x-request-id", "server", "age"})


@dataclass(frozen=True)
class Key:
    scheme: str
    path: str
    query: str

    @property
    def path_id(self) -> str:
        """The name every variant of the path is filed under (what a purge removes)."""
        return hashlib.blake2b(f"{self.scheme}:{self.path}".encode(), digest_size=16).hexdigest()

    @property
    def variant_id(self) -> str:
        return hashlib.blake2b(self.query.encode(), digest_size=8).hexdigest()


def path_ids(path: str) -> list[str]:
    """The path ids of a path under both schemes: a purge names a URL, the cache also keys on
    the scheme the request came in with (behind a proxy, on X-Forwarded-Proto)."""
    return [Key(scheme, path, "").path_id for scheme in ("http", "https")]


@dataclass(frozen=True)
class Entry:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    last_modified: float
    stored_at: float

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(data: bytes) -> Entry:
        entry = pickle.loads(data)  # written by this site's own processes only
        if not isinstance(entry, Entry):
            raise TypeError("not a page cache entry")
        return entry

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """RFC 9110 section 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since is not None:
            try:
                since = parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(self.last_modified) <= since
        return False


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def storable_headers(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in headers if k.lower() not in PER_REQUEST_HEADERS)


def is_shared_cacheable(status: str, headers: list[tuple[str, str]]) -> bool:
    """The response says a shared cache may keep it: 200, `Cache-Control: public`, no cookie
    set, and no Vary but on Cookie (the cache answers only requests without the session
    cookie, and pages differ only by the session)."""
    if not status.startswith("200"):
        return False
    cache_control = ""
    for name, value in headers:
        lower = name.lower()
        if lower == "set-cookie":
            return False
        if lower == "vary" and not varies_only_by_session(value):
            return False
        if lower == "cache-control":
            cache_control = value.lower()
    directives = {part.strip().split("=")[0] for part in cache_control.split(",")}
    return "public" in directives and not directives & {"private", "no-store", "no-cache"}


def varies_only_by_session(vary: str) -> bool:
    return {part.strip().lower() for part in vary.split(",") if part.strip()} <= {"cookie"}

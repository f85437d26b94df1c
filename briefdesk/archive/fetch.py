"""The one way briefdesk reads the web: a guarded, bounded, polite GET (docs/archive.md, Fetching).

    fetched = fetch("https://example.org/report", purpose="capture")   # Fetched, or FetchError
    fetched.status, fetched.final_url, fetched.content_type, fetched.text()
    fetch(url, policy=Policy.from_settings(max_bytes=2_000_000), purpose="check")

Every request briefdesk makes to the web (captures, link checks, autofill, robots.txt) goes
through `fetch`, which promises:

- Only http and https URLs with a host and no credentials ("scheme", "invalid-url").
- The host is resolved once and the connection goes to that checked address and no other
  (the URL's host is replaced by the address, the Host header and TLS's server name keep the
  real name, so certificates are verified against it); an address that is not public is
  refused ("blocked", rules in briefdesk.archive.guard). `Policy.connect_to`, set only in
  code, routes a (host, port) to another socket instead of looking the name up (the demo's
  local copies); the routed socket passes the same guard. The same holds for every redirect,
  which is followed by hand: at most `max_redirects` (5), a URL seen twice is a
  "redirect-loop", one more is "too-many-redirects".
- Nothing unbounded: a Content-Length over `max_bytes` is refused before the body is read, a
  body is cut off while streaming the moment it passes `max_bytes` ("too-large"), gzip,
  deflate and brotli are decoded by us with their output capped at `max_bytes` and at
  `max_ratio` times the bytes received ("decoding"), and the whole fetch, redirects included,
  has one deadline ("timeout"), checked between reads (one read waits at most `read_timeout`).
- An honest User-Agent, "briefdesk/<version> (+<contact URL>)", and per host at most
  `per_host` requests at once, starting `spacing` seconds apart (briefdesk.archive.politeness).
  Waiting for a slot does not count against the deadline.
- purpose="check" (link health) obeys robots.txt when `robots` is on; "capture" and "autofill"
  are a person's request and do not.

Any HTTP answer is a `Fetched`, whatever its status (404 and 500 are answers); anything else is
a `FetchError` whose `kind` says what went wrong and whose `message` is one line naming the URL.
No proxy from the environment is used: a proxy would connect to names we did not check.
"""

from __future__ import annotations

import codecs
import re
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin

import brotli
import httpx

from . import guard, politeness
from .guard import Allow, ConnectTo, GuardError, Resolver, Target

__all__ = ["KINDS", "FetchError", "Fetched", "Hop", "Policy", "fetch", "user_agent"]

PURPOSES = ("capture", "autofill", "check")
KINDS = (
    "invalid-url",
    "scheme",
    "blocked",
    "dns",
    "connect",
    "timeout",
    "tls",
    "too-large",
    "too-many-redirects",
    "redirect-loop",
    "decoding",
    "robots",
    "protocol",
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
ROBOTS_AGENT = "briefdesk"
ROBOTS_MAX_BYTES = 512 * 1024  # what Google reads of a robots.txt
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate, br"


class FetchError(Exception):
    """Anything that is not an HTTP answer. `message` is one line for people, naming the URL."""

    def __init__(self, kind: str, url: str, message: str) -> None:
        assert kind in KINDS, kind
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:  # survives pickling (task queues, processes)
        return (FetchError, (self.kind, self.url, self.message))

    def __repr__(self) -> str:
        return f"FetchError({self.kind!r}, {self.url!r}, {self.message!r})"


@dataclass(frozen=True)
class Hop:
    """One redirect: `url` answered `status` and sent us to `location` (absolute)."""

    url: str
    status: int
    location: str


@dataclass(frozen=True)
class Fetched:
    """An HTTP answer, any status. `content` is decoded from its Content-Encoding."""

    url: str
    final_url: str
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    content: bytes
    content_type: str
    charset: str | None
    redirects: tuple[Hop, ...]
    address: str
    request_headers: tuple[tuple[str, str], ...]
    fetched_at: datetime
    elapsed: float

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first response header called `name` (any case)."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), default)

    def text(self) -> str:
        """`content` as text: by its BOM, declared charset (header, then <meta>), else a
        detected one; undecodable bytes become U+FFFD. Never raises."""
        return decode_text(self.content, self.charset)


def _default_verify() -> ssl.SSLContext:
    global _SSL
    with _SSL_LOCK:
        if _SSL is None:
            _SSL = httpx.create_ssl_context()
        return _SSL


_SSL: ssl.SSLContext | None = None
_SSL_LOCK = threading.Lock()


@dataclass(frozen=True)
class Policy:
    """Limits for one fetch. `Policy.from_settings(**overrides)` is the default."""

    max_bytes: int = 25 * 1024 * 1024
    timeout: float = 30.0  # seconds for the whole fetch, redirects included
    max_redirects: int = 5
    allow: tuple[Allow, ...] = ()  # networks (or one socket) let through the guard; tests only
    user_agent: str = "briefdesk"
    robots: bool = True
    per_host: int = 2
    spacing: float = 1.0  # seconds between request starts to one host
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # one read; the deadline is checked between reads
    max_ratio: int = 100  # decoded bytes per received byte before a body counts as a bomb
    resolver: Resolver = field(default=guard.system_resolver, compare=False)
    verify: ssl.SSLContext | None = field(default=None, compare=False)  # None: system CAs
    # (host, port) -> (address, port) to connect to instead, like curl's --connect-to: for
    # code that serves its own copies of real URLs (the demo). Never read from settings or
    # the environment; the routed socket must still pass the guard (`allow`).
    connect_to: ConnectTo = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow", guard.parse_allow(self.allow))
        routes = {
            (str(host).lower(), int(port)): (str(address), int(to_port))
            for (host, port), (address, to_port) in dict(self.connect_to).items()
        }
        object.__setattr__(self, "connect_to", MappingProxyType(routes))
        if self.max_bytes <= 0 or self.timeout <= 0 or self.max_redirects < 0:
            raise ValueError("Policy: max_bytes and timeout must be positive")

    @classmethod
    def from_settings(cls, **overrides: Any) -> Policy:
        from django.conf import settings

        values: dict[str, Any] = {
            "max_bytes": settings.BRIEFDESK_FETCH_MAX_BYTES,
            "timeout": float(settings.BRIEFDESK_FETCH_TIMEOUT),
            "allow": tuple(settings.BRIEFDESK_FETCH_ALLOW),
            "user_agent": user_agent(),
            "robots": bool(settings.BRIEFDESK_ROBOTS),
            "per_host": settings.BRIEFDESK_FETCH_PER_HOST,
            "spacing": settings.BRIEFDESK_FETCH_SPACING_MS / 1000,
        }
        values.update(overrides)
        return cls(**values)


def user_agent() -> str:
    """ "briefdesk/<version> (+<BRIEFDESK_CONTACT_URL or WAGTAILADMIN_BASE_URL>)"."""
    from django.conf import settings

    from briefdesk import __version__

    contact = settings.BRIEFDESK_CONTACT_URL or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return f"briefdesk/{__version__} (+{contact})" if contact else f"briefdesk/{__version__}"


class _Clock:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def extend(self, seconds: float) -> None:
        self.deadline += seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self, url: str) -> None:
        if self.left() <= 0:
            raise FetchError(
                "timeout", url, f"{url}: no complete answer within {self.seconds:g} s."
            )


def fetch(url: str, *, policy: Policy | None = None, purpose: str = "capture") -> Fetched:
    """GET `url` under `policy` (default: settings); see the module docstring for the promise.

    Raises FetchError on anything that is not an HTTP answer, ValueError on an unknown purpose.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"fetch: unknown purpose {purpose!r}")
    policy = policy or Policy.from_settings()
    fetched_at = datetime.now(UTC)
    started = time.monotonic()
    clock = _Clock(policy.timeout)
    try:
        target = guard.parse_url(url)
    except GuardError as exc:
        raise FetchError(exc.kind, url, exc.message) from None
    hops: list[Hop] = []
    seen = {target.url}
    while True:
        if purpose == "check" and policy.robots:
            _obey_robots(url, target, policy, clock)
        try:
            address, port = guard.choose_socket(
                target, policy.resolver, policy.allow, policy.connect_to
            )
        except GuardError as exc:
            if hops:
                message = f"{url}: redirected to {exc.message}"
            else:  # name the URL as it was asked for, not as normalised
                message = exc.message.replace(target.url, url, 1)
            raise FetchError(exc.kind, url, message) from None
        with politeness.slot(
            target.host, target.port, per_host=policy.per_host, spacing=policy.spacing
        ) as waited:
            clock.extend(waited)
            answer = _request(url, target, address, port, policy, clock)
        location = answer.location
        if answer.status in REDIRECTS and location is not None:
            next_url = urljoin(target.url, location)
            try:
                next_target = guard.parse_url(next_url)
            except GuardError as exc:
                raise FetchError(
                    exc.kind, url, f"{url}: redirected to a refused address: {exc.message}"
                ) from None
            hops.append(Hop(target.url, answer.status, next_target.url))
            if next_target.url in seen:
                raise FetchError(
                    "redirect-loop", url, f"{url}: redirects in a loop (back to {next_target.url})."
                )
            if len(hops) > policy.max_redirects:
                raise FetchError(
                    "too-many-redirects",
                    url,
                    f"{url}: more than {policy.max_redirects} redirects.",
                )
            seen.add(next_target.url)
            target = next_target
            continue
        content_type, charset = _media_type(answer.header("content-type") or "")
        if charset is None and content_type in ("text/html", "application/xhtml+xml", ""):
            charset = sniff_charset(answer.content)
        return Fetched(
            url=url,
            final_url=target.url,
            status=answer.status,
            reason=answer.reason,
            http_version=answer.http_version,
            headers=answer.headers,
            content=answer.content,
            content_type=content_type,
            charset=charset,
            redirects=tuple(hops),
            address=address,
            request_headers=answer.request_headers,
            fetched_at=fetched_at,
            elapsed=time.monotonic() - started,
        )


# -- one request --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    request_headers: tuple[tuple[str, str], ...]
    content: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def location(self) -> str | None:
        return self.header("location")


def _request(
    asked: str, target: Target, address: str, port: int, policy: Policy, clock: _Clock
) -> _Answer:
    clock.check(asked)
    host = f"[{address}]" if ":" in address else address
    # Connect to the checked address itself; the name travels in Host and in TLS's SNI (from
    # which httpcore also verifies the certificate), so no second look-up can redirect us.
    request_url = f"{target.scheme}://{host}:{port}{target.path}"
    extensions: dict[str, Any] = {}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.host
    headers = {
        "Host": target.netloc,
        "User-Agent": policy.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    left = max(clock.left(), 0.001)
    timeout = httpx.Timeout(
        connect=min(policy.connect_timeout, left),
        read=min(policy.read_timeout, left),
        write=min(policy.read_timeout, left),
        pool=min(policy.connect_timeout, left),
    )
    verify = policy.verify if policy.verify is not None else _default_verify()
    try:
        with (
            httpx.Client(trust_env=False, verify=verify, follow_redirects=False) as client,
            client.stream(
                "GET", request_url, headers=headers, extensions=extensions, timeout=timeout
            ) as response,
        ):
            return _read(asked, target, response, policy, clock)
    except FetchError:
        raise
    except httpx.TimeoutException:
        raise FetchError(
            "timeout", asked, f"{asked}: no complete answer within {policy.timeout:g} s."
        ) from None
    except httpx.HTTPError as exc:
        raise _transport_error(asked, target, address, port, exc) from None
    except ssl.SSLError as exc:
        raise FetchError("tls", asked, f"{asked}: TLS failed ({_one_line(exc)}).") from None


def _read(
    asked: str, target: Target, response: httpx.Response, policy: Policy, clock: _Clock
) -> _Answer:
    status = response.status_code
    headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw)
    request_headers = tuple(
        (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.request.headers.raw
    )
    version = response.http_version
    reason = response.reason_phrase
    if status in REDIRECTS and "location" in response.headers:
        return _Answer(status, reason, version, headers, request_headers, b"")
    length = response.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > policy.max_bytes:
        raise FetchError(
            "too-large",
            asked,
            f"{asked}: the answer is {_size(int(length))}, over the limit of "
            f"{_size(policy.max_bytes)}.",
        )
    decoder = _Decoder(asked, response.headers.get("content-encoding", ""), policy)
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > policy.max_bytes:
            raise FetchError(
                "too-large",
                asked,
                f"{asked}: the answer passed the limit of {_size(policy.max_bytes)}; cut off.",
            )
        decoder.feed(chunk)
        clock.check(asked)
    return _Answer(status, reason, version, headers, request_headers, decoder.finish())


def _transport_error(
    asked: str, target: Target, address: str, port: int, exc: Exception
) -> FetchError:
    where = f"{target.host} ({address}:{port})"
    detail = _one_line(exc)
    if _is_tls(exc):
        return FetchError("tls", asked, f"{asked}: TLS with {where} failed ({detail}).")
    if isinstance(exc, httpx.ConnectError):
        return FetchError("connect", asked, f"{asked}: could not connect to {where} ({detail}).")
    if isinstance(exc, httpx.ProtocolError):
        return FetchError("protocol", asked, f"{asked}: {where} broke HTTP ({detail}).")
    if isinstance(exc, httpx.InvalidURL):
        return FetchError("invalid-url", asked, f"{asked} is not a valid URL ({detail}).")
    return FetchError("connect", asked, f"{asked}: the connection to {where} failed ({detail}).")


def _is_tls(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ssl.SSLError) or "SSL" in str(exc) or "CERTIFICATE" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


# -- robots.txt --------------------------------------------------------------------------------


def _obey_robots(asked: str, target: Target, policy: Policy, clock: _Clock) -> None:
    began = time.monotonic()

    def load(robots_url: str) -> str | None:
        robots_policy = replace(
            policy,
            max_bytes=min(policy.max_bytes, ROBOTS_MAX_BYTES),
            timeout=min(policy.timeout, 10),
        )
        try:
            got = fetch(robots_url, policy=robots_policy, purpose="capture")
        except FetchError:
            return None  # unreachable: allowed
        if got.status != 200:
            return None  # missing (4xx) or failing (5xx): allowed
        return got.content.decode("utf-8", errors="replace")

    allowed = politeness.robots_allows(target.origin, target.url, ROBOTS_AGENT, load)
    clock.extend(time.monotonic() - began)
    if not allowed:
        shown = asked if asked == target.url else f"{asked} (redirected to {target.url})"
        raise FetchError("robots", asked, f"{shown}: robots.txt asks briefdesk not to fetch it.")


# -- Content-Encoding --------------------------------------------------------------------------


class _Stage:
    """One capped decoder: gzip (multi-member), deflate (zlib or raw) or brotli."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self.total = 0  # bytes out
        self.consumed = 0  # bytes in that produced them
        self.started = False
        self.brotli = brotli.Decompressor() if coding == "br" else None
        self.zlib = self._zlib()

    def _zlib(self, raw: bool = False) -> Any:
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.coding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        return None

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decode `data`; returns at most limit + 1 bytes (more means: over the limit)."""
        if self.brotli is not None:
            self.consumed += len(data)
            parts = [self.brotli.process(data, output_buffer_limit=limit + 1)]
            size = len(parts[0])
            while size <= limit and not self.brotli.can_accept_more_data():
                more = self.brotli.process(b"", output_buffer_limit=limit + 1 - size)
                if not more:
                    break
                parts.append(more)
                size += len(more)
            return self._count(b"".join(parts))
        if self.coding == "deflate" and not self.started and data:
            self.started = True
            if not _zlib_header(data):
                self.zlib = self._zlib(raw=True)  # servers often send raw deflate
        out = b""
        while data:
            out += self.zlib.decompress(data, limit + 1 - len(out))
            self.consumed += len(data) - len(self.zlib.unconsumed_tail)
            if len(out) > limit or self.zlib.unconsumed_tail:
                return self._count(out + b"!")  # more output waits: over the limit
            data = self.zlib.unused_data if self.zlib.eof else b""
            if data and self.coding in ("gzip", "x-gzip"):
                self.zlib = self._zlib()  # the next member of a multi-member gzip
            elif data:
                break  # trailing bytes after a deflate stream: ignored, as browsers do
        return self._count(out)

    def finish(self) -> bytes:
        if self.zlib is not None:
            return self._count(self.zlib.flush())
        return b""

    def _count(self, out: bytes) -> bytes:
        self.total += len(out)
        return out


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


class _Decoder:
    """Content-Encoding decoding with the output capped by size and by ratio."""

    CODINGS = ("gzip", "x-gzip", "deflate", "br")
    RATIO_FLOOR = 1024 * 1024  # small bodies may be as compressible as they like

    def __init__(self, asked: str, header: str, policy: Policy) -> None:
        self.asked = asked
        self.max_bytes = policy.max_bytes
        self.max_ratio = policy.max_ratio
        codings = [c.strip().lower() for c in header.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        for coding in codings:
            if coding not in self.CODINGS:
                raise FetchError(
                    "decoding", asked, f"{asked}: unsupported Content-Encoding {coding!r}."
                )
        self.stages = [_Stage(c) for c in reversed(codings)]  # the last applied comes off first
        self.received = 0
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        for stage in self.stages:
            try:
                data = stage.feed(data, self.max_bytes - stage.total)
            except (zlib.error, brotli.error) as exc:
                raise FetchError(
                    "decoding",
                    self.asked,
                    f"{self.asked}: the {stage.coding} body could not be decoded ({exc}).",
                ) from None
            self._judge(stage)
        self._keep(data)

    def finish(self) -> bytes:
        tail = b""
        for stage in self.stages:
            try:
                tail = stage.feed(tail, self.max_bytes - stage.total) if tail else b""
                tail += stage.finish()
            except (zlib.error, brotli.error) as exc:
                raise FetchError(
                    "decoding",
                    self.asked,
                    f"{self.asked}: the {stage.coding} body could not be decoded ({exc}).",
                ) from None
            self._judge(stage)
        self._keep(tail)
        return b"".join(self.parts)

    def _keep(self, data: bytes) -> None:
        if data:
            self.parts.append(data)
            self.size += len(data)

    def _judge(self, stage: _Stage) -> None:
        # Judged on the input that produced the output: a bomb is cut off after its first few
        # hundred bytes, which decode to the whole limit.
        ratio = stage.total / max(stage.consumed, 1)
        big = stage.total > min(self.RATIO_FLOOR, self.max_bytes)
        bomb = big and ratio > self.max_ratio
        if bomb:
            raise FetchError(
                "decoding",
                self.asked,
                f"{self.asked}: the {stage.coding} body expands more than {self.max_ratio}"
                f" times (a decompression bomb); refused.",
            )
        if stage.total > self.max_bytes:
            raise FetchError(
                "too-large",
                self.asked,
                f"{self.asked}: the decoded answer passed the limit of "
                f"{_size(self.max_bytes)}; cut off.",
            )


# -- text ----------------------------------------------------------------------------------------

# WHATWG Encoding: labels a browser reads as a wider encoding than the one they name.
_WIDER = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}
_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _media_type(header: str) -> tuple[str, str | None]:
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def sniff_charset(content: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (<meta charset>, http-equiv, <?xml?>)."""
    head = content[:4096]
    found = _META.search(head) or _XML_DECL.search(head)
    if not found:
        return None
    label = found.group(1).decode("ascii", "replace").lower()
    return "utf-8" if label.startswith("utf-16") else label  # a <meta> cannot mean UTF-16


def codec_for(label: str | None) -> str | None:
    """A Python codec for a charset label, or None if there is none."""
    if not label:
        return None
    label = label.strip().lower()
    label = _WIDER.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_text(content: bytes, charset: str | None = None) -> str:
    """`content` as text (BOM, then `charset`, then <meta>, then UTF-8, then detection)."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace")
    codec = codec_for(charset) or codec_for(sniff_charset(content))
    if codec:
        return content.decode(codec, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return content.decode(_detect(content), errors="replace")


def _detect(content: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(content[:65536]).best()
        if best is not None and codec_for(best.encoding):
            return codec_for(best.encoding) or "cp1252"
    except Exception:  # detection is a best effort; cp1252 decodes any byte
        pass
    return "cp1252"

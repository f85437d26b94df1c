"""The address rules of the guarded fetcher: which URLs it reads and which addresses it reaches.

    target = parse_url("https://Bücher.example/a?b#c")    # Target(scheme, host, port, ...)
    address = choose_address(target, resolver, allow)      # "93.184.215.14", or GuardError
    address, port = choose_socket(target, resolver, allow, connect_to)   # with a route

A URL is read only if it is http or https, names a host, carries no user name or password and
has a valid port; an international host name is IDNA-encoded (UTS 46), and one that cannot be
is refused with a message that says so. The host is resolved once (through a `Resolver`, by
default `socket.getaddrinfo`), and every address it resolves to is judged on its own: an
address is reachable only if it is globally routable and is none of loopback, private,
link-local, multicast, reserved, unspecified, shared (100.64.0.0/10), documentation,
benchmarking or cloud metadata (169.254.169.254, fd00:ec2::254). IPv6 forms that carry an IPv4
address inside (IPv4-mapped and -compatible, 6to4, NAT64, Teredo) are judged by that address
too. The fetcher then connects to the chosen address and to nothing else, so a name that
resolves differently a moment later (DNS rebinding) cannot move the connection.

`allow` (settings.BRIEFDESK_FETCH_ALLOW; empty in production) lets listed networks, or one
"address:port" socket, through anyway: the test suite's and the demo's local servers.

`connect_to` (code only, like curl's --connect-to) routes one (host, port) to another
(address, port): the name is not looked up, and the connection goes to that socket while the
URL, the Host header and TLS's server name stay the original. The routed socket is judged by
the same rules, so a route to loopback is refused unless `allow` admits that socket. The demo
uses it to capture "https://www.reuters.com/…" from its own local copy with the URL unchanged.
No setting or environment variable reaches it: a route is a code path, never configuration.

Plain data in, plain data out; no Django, no network except the resolver.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# A resolver takes a host name (ASCII) and a port and returns addresses as strings, best first.
Resolver = Callable[[str, int], Sequence[str]]
# Routes: (host, port) as in the URL -> (address, port) to connect to instead.
ConnectTo = Mapping[tuple[str, int], tuple[str, int]]

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


class GuardError(Exception):
    """A URL or address the fetcher refuses. `kind` is a FetchError kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Target:
    """A URL the guard accepted, split into what the fetcher needs."""

    url: str  # normalised: scheme and host lower case, IDNA host, no fragment
    scheme: str
    host: str  # ASCII (IDNA) host name, or an IP address without brackets
    port: int
    path: str  # path and query, at least "/"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == DEFAULT_PORTS[self.scheme]:
            return host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class Allow:
    """One allow-list entry: a network, optionally limited to one port."""

    network: IPNetwork
    port: int | None = None

    def admits(self, address: IPAddress, port: int) -> bool:
        return address in self.network and (self.port is None or self.port == port)


# Refused whatever `is_global` says (Python's own tables have changed between releases).
_BLOCKED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local machine on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, with the cloud metadata service at .169.254
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo among them
        "2001:db8::/32",
        "fc00::/7",  # unique local, with AWS's metadata service at fd00:ec2::254
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIXTOFOUR = ipaddress.ip_network("2002::/16")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address in _MAPPED:
        return address.ipv4_mapped
    if (address in _COMPATIBLE and int(address) > 0xFFFF) or address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIXTOFOUR:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def refusal(address: IPAddress) -> str | None:
    """Why the fetcher must not connect to `address`, or None if it may."""
    if address in _METADATA:
        return "the cloud metadata service"
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner)
        if reason:
            return f"{reason} (it embeds {inner})"
    for label, test in (
        ("an unspecified", address.is_unspecified),
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("a private", address.is_private),
        ("a reserved", address.is_reserved),
    ):
        if test:
            return f"{label} address"
    if any(address in net for net in _BLOCKED if net.version == address.version):
        return "a reserved address"
    if not address.is_global:
        return "not a public address"
    return None


def parse_allow(entries: Iterable[str | Allow]) -> tuple[Allow, ...]:
    """Allow-list entries from settings: "127.0.0.0/8", "127.0.0.1:8000", "[::1]:8000"."""
    out = []
    for entry in entries:
        if isinstance(entry, Allow):
            out.append(entry)
            continue
        text = entry.strip()
        port = None
        m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\]:(\d+)|([0-9.]+):(\d+)", text)
        if m:
            text = m.group(1) or m.group(3)
            port = int(m.group(2) or m.group(4))
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ValueError(f"BRIEFDESK_FETCH_ALLOW: {entry!r} is not a network") from exc
        out.append(Allow(network, port))
    return tuple(out)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (getaddrinfo order, duplicates dropped)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        addr = str(sockaddr[0]).split("%", 1)[0]
        if addr not in seen:
            seen.append(addr)
    return seen


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def parse_url(url: str) -> Target:
    """Check `url` and split it; raises GuardError ("invalid-url" or "scheme")."""
    if not isinstance(url, str) or not url.strip():
        raise GuardError("invalid-url", f"Not a URL: {url!r}.")
    text = url.strip()
    if _CONTROL.search(text):
        raise GuardError("invalid-url", f"{text!r} has spaces or control characters in it.")
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise GuardError("invalid-url", f"{text} is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise GuardError("invalid-url", f"{text} is not an absolute http(s) URL.")
    if scheme not in SCHEMES:
        raise GuardError("scheme", f"{text}: only http and https addresses are fetched.")
    if "@" in parts.netloc:
        raise GuardError("invalid-url", f"{text} carries a user name or password; refused.")
    try:
        port = parts.port
    except ValueError:
        raise GuardError("invalid-url", f"{text} has an invalid port.") from None
    if port == 0:
        raise GuardError("invalid-url", f"{text} has an invalid port.")
    host = parts.hostname or ""
    if not host:
        raise GuardError("invalid-url", f"{text} names no host.")
    host = _ascii_host(host, text, bracketed=parts.netloc.startswith("["))
    target = Target(
        url="",
        scheme=scheme,
        host=host,
        port=port or DEFAULT_PORTS[scheme],
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )
    return Target(
        url=f"{scheme}://{target.netloc}{target.path}",
        scheme=scheme,
        host=host,
        port=target.port,
        path=target.path,
    )


def _ascii_host(host: str, url: str, *, bracketed: bool) -> str:
    if bracketed:
        if "%" in host:
            raise GuardError("invalid-url", f"{url}: a zone id names a local interface.")
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise GuardError("invalid-url", f"{url} has an invalid IPv6 address.") from None
    host = host.rstrip(".") if host != "." else host
    if host.isascii():
        if not re.fullmatch(r"[a-z0-9_.-]+", host) or ".." in host:
            raise GuardError("invalid-url", f"{url} has an invalid host name.")
        labels = host.split(".")
        if any(label.startswith("xn--") for label in labels):
            try:
                idna.decode(host)
            except idna.IDNAError:
                raise GuardError("invalid-url", f"{url} has an invalid IDNA host name.") from None
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise GuardError(
            "invalid-url", f"{url}: the host name cannot be IDNA-encoded ({exc})."
        ) from None


def choose_address(target: Target, resolver: Resolver, allow: Sequence[Allow] = ()) -> str:
    """The address to connect to for `target`: the first one it resolves to that the rules
    (or the allow-list) admit. Raises GuardError "dns" or "blocked"."""
    return choose_socket(target, resolver, allow)[0]


def choose_socket(
    target: Target,
    resolver: Resolver,
    allow: Sequence[Allow] = (),
    connect_to: ConnectTo | None = None,
) -> tuple[str, int]:
    """The (address, port) to connect to for `target`: `choose_address` on the URL's port, or,
    when `connect_to` routes the target's (host, port), that socket, judged by the same rules
    (the allow-list entry must admit the routed port). Raises GuardError "dns" or "blocked"."""
    routed = (connect_to or {}).get((target.host, target.port))
    port = target.port
    try:
        literal: IPAddress | None = ipaddress.ip_address(routed[0] if routed else target.host)
    except ValueError:
        if routed:
            raise GuardError(
                "blocked", f"{target.url}: refused, the route names no address ({routed[0]!r})."
            ) from None
        literal = None
    if routed:
        port = int(routed[1])
    if literal is not None:
        candidates = [str(literal)]
    else:
        try:
            candidates = list(resolver(target.host, target.port))
        except (OSError, UnicodeError) as exc:
            raise GuardError(
                "dns", f"{target.url}: the host name {target.host} does not resolve ({exc})."
            ) from None
        if not candidates:
            raise GuardError(
                "dns", f"{target.url}: the host name {target.host} resolves to no address."
            )
    first_reason = ""
    for text in candidates:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        inner = embedded_ipv4(address) if address in _MAPPED else None
        chosen = inner or address
        if any(a.admits(chosen, port) for a in allow):
            return str(chosen), port
        reason = refusal(address)
        if reason is None:
            return str(chosen), port
        first_reason = first_reason or f"{text}, {reason}"
    if routed:
        why = f"{target.host}:{target.port} is routed to {first_reason.replace(', ', ' (', 1)})"
    elif literal is not None:
        why = first_reason.replace(", ", " is ", 1)
    else:
        why = f"{target.host} resolves to {first_reason}"
    raise GuardError("blocked", f"{target.url}: refused, {why}; only public addresses are fetched.")

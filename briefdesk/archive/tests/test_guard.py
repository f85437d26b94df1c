"""The guard's address rules on plain data: URLs, addresses, allow-lists (no network)."""

from __future__ import annotations

import ipaddress

import pytest

from briefdesk.archive.guard import (
    Allow,
    GuardError,
    choose_address,
    parse_allow,
    parse_url,
    refusal,
)

REFUSED_ADDRESSES = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "metadata"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "reserved"),  # shared address space (carrier-grade NAT)
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "private"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "address"),
    ("255.255.255.255", "address"),
    ("192.0.2.1", "private"),  # documentation
    ("198.18.0.1", "private"),  # benchmarking
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd00:ec2::254", "metadata"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "private"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "metadata"),
    ("::127.0.0.1", "loopback"),  # IPv4-compatible
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:a00:1::1", "private"),  # 6to4 of 10.0.0.1
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # Teredo, carrying 127.0.0.1
]


@pytest.mark.parametrize(("address", "word"), REFUSED_ADDRESSES)
def test_it_refuses_every_address_that_is_not_public(address, word):
    reason = refusal(ipaddress.ip_address(address))
    assert reason is not None
    assert word in reason


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001::200e"]
)
def test_it_admits_public_addresses(address):
    assert refusal(ipaddress.ip_address(address)) is None


INVALID_URLS = [
    "",
    "   ",
    "example.org/page",
    "//example.org/page",
    "http://",
    "http:///path",
    "http://user:secret@example.org/",
    "http://user@example.org/",
    "http://example.org:99999/",
    "http://example.org:0/",
    "http://example.org:port/",
    "http://[::1/",
    "http://exa mple.org/",
    "http://example.org/a b",
    "http://example.org/\r\nX-Injected: 1",
    "http://a..b/",
    "http://%31%32%37.0.0.1/",
    "http://xn--zz.example/",  # not a valid punycode label
    "http://☃.example/",  # a symbol IDNA does not allow
    "http://[fe80::1%25eth0]/",  # zone ids name a local interface
]


@pytest.mark.parametrize("url", INVALID_URLS)
def test_it_refuses_invalid_urls_with_a_message_naming_them(url):
    with pytest.raises(GuardError) as caught:
        parse_url(url)
    assert caught.value.kind == "invalid-url"
    assert "\n" not in caught.value.message


SCHEMES = [
    "file:///etc/passwd",
    "ftp://example.org/file",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "gopher://example.org/",
    "ws://example.org/socket",
    "mailto:someone@example.org",
    "localhost:8000/admin",
]


@pytest.mark.parametrize("url", SCHEMES)
def test_it_refuses_every_scheme_but_http_and_https(url):
    with pytest.raises(GuardError) as caught:
        parse_url(url)
    assert caught.value.kind == "scheme"
    assert "only http and https" in caught.value.message


PARSED = [
    ("http://example.org", ("http://example.org/", "example.org", 80, "/")),
    (
        "HTTPS://Example.ORG:443/a?b=1#frag",
        ("https://example.org/a?b=1", "example.org", 443, "/a?b=1"),
    ),
    ("http://example.org:8080/x", ("http://example.org:8080/x", "example.org", 8080, "/x")),
    ("http://example.org./x", ("http://example.org/x", "example.org", 80, "/x")),
    ("http://[2606:4700::1]:81/", ("http://[2606:4700::1]:81/", "2606:4700::1", 81, "/")),
    (
        "http://bücher.example/é",
        ("http://xn--bcher-kva.example/é", "xn--bcher-kva.example", 80, "/é"),
    ),
    (
        "https://例え.テスト/",
        ("https://xn--r8jz45g.xn--zckzah/", "xn--r8jz45g.xn--zckzah", 443, "/"),
    ),
]


@pytest.mark.parametrize(("url", "expected"), PARSED)
def test_it_normalises_accepted_urls_and_idna_encodes_hosts(url, expected):
    target = parse_url(url)
    assert (target.url, target.host, target.port, target.path) == expected


def resolver_for(table):
    def resolve(host, port):
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]

    return resolve


def test_it_refuses_a_name_if_it_resolves_only_to_private_addresses():
    resolve = resolver_for({"intranet.example": ["10.1.2.3", "fd00::5"]})
    with pytest.raises(GuardError) as caught:
        choose_address(parse_url("http://intranet.example/"), resolve)
    assert caught.value.kind == "blocked"
    assert "intranet.example resolves to 10.1.2.3" in caught.value.message


def test_it_connects_to_a_public_address_of_a_name_and_never_to_its_private_one():
    resolve = resolver_for({"mixed.example": ["127.0.0.1", "93.184.215.14"]})
    assert choose_address(parse_url("http://mixed.example/"), resolve) == "93.184.215.14"


def test_it_reports_names_that_do_not_resolve_as_dns_errors():
    with pytest.raises(GuardError) as caught:
        choose_address(parse_url("http://nowhere.example/"), resolver_for({}))
    assert caught.value.kind == "dns"
    assert "nowhere.example" in caught.value.message


def test_a_literal_address_is_judged_without_asking_the_resolver():
    def resolve(host, port):
        raise AssertionError("no look-up for a literal address")

    with pytest.raises(GuardError) as caught:
        choose_address(parse_url("http://[::ffff:127.0.0.1]/"), resolve)
    assert caught.value.kind == "blocked"


ALLOW = [
    (["127.0.0.0/8"], "127.0.0.1", 8000, True),
    (["127.0.0.0/8"], "10.0.0.1", 8000, False),
    (["127.0.0.1:8000"], "127.0.0.1", 8000, True),
    (["127.0.0.1:8000"], "127.0.0.1", 8001, False),
    (["[::1]:8000"], "::1", 8000, True),
    (["::1/128"], "::1", 1, True),
    ([], "127.0.0.1", 8000, False),
]


@pytest.mark.parametrize(("entries", "address", "port", "admitted"), ALLOW)
def test_the_allow_list_admits_listed_networks_and_sockets_only(entries, address, port, admitted):
    url = f"http://[{address}]:{port}/" if ":" in address else f"http://{address}:{port}/"
    allow = parse_allow(entries)
    try:
        choose_address(parse_url(url), resolver_for({}), allow)
    except GuardError:
        assert not admitted
    else:
        assert admitted


def test_an_ipv4_mapped_address_is_admitted_by_its_ipv4_network():
    allow = (Allow(ipaddress.ip_network("127.0.0.0/8")),)
    target = parse_url("http://[::ffff:127.0.0.1]:8000/")
    assert choose_address(target, resolver_for({}), allow) == "127.0.0.1"


def test_a_bad_allow_list_entry_fails_loudly():
    with pytest.raises(ValueError, match="not a network"):
        parse_allow(["localhost"])

"""Serve the demo's local copies (pages.py) under their real URLs, on 127.0.0.1, for one run.

    with LocalCopies(DemoSite.from_content(data)) as copies:
        fetch("https://www.reuters.com/article/...", policy=copies.policy)  # the local copy
        copies.move_on()                       # the pages as the link check finds them

Each host the demo's sources name gets its own https server on a free loopback port
(briefdesk.archive.testweb.LocalWeb), with the demo's certificate (tls/site.pem, whose
subjectAltName lists every demo host; tls/make-certs.sh regenerates it). `copies.policy` is a
fetch Policy that reaches them and nothing else new:

- `connect_to` routes (host, 443) of each demo host to its local port, so the fetcher asks
  for the URL unchanged (the WARC records https://www.reuters.com/..., Host and TLS's server
  name are the real names) while the connection goes to the local copy;
- `allow` admits exactly those loopback sockets (host:port), and only in this Policy object:
  the settings' allow-list stays empty, and the guard still judges every routed socket;
- `verify` trusts only the demo CA (tls/ca.pem), so the demo certificate is good for this
  capture and nowhere else.

A host that is not a demo host is not routed, so a stray URL goes to DNS and the guard as
usual (and, offline, fails). No politeness delay and no robots.txt: the sites are ours.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from briefdesk.archive.fetch import Policy
from briefdesk.archive.testweb import LocalWeb, Request, Route

from .pages import DemoSite, Page

TLS = Path(__file__).with_name("tls")
CA = TLS / "ca.pem"
CERTIFICATE = TLS / "site.pem"  # certificate and key: demo only, public on purpose


def demo_client_context() -> ssl.SSLContext:
    """An SSL context that trusts the demo CA and nothing else."""
    return ssl.create_default_context(cafile=str(CA))


class LocalCopies:
    """The demo's pages served over https on loopback, first as captured, then `move_on()`."""

    def __init__(self, site: DemoSite) -> None:
        self.site = site
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server.load_cert_chain(CERTIFICATE)
        self.web = LocalWeb(tls=server)
        self._later = threading.Event()
        for url in [*site.urls(), *site.moved]:
            parts = urlsplit(url)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            self.web.route(parts.hostname or "", path, self._answer_for(url))
        self.policy = Policy.from_settings(
            allow=[self.web.socket(host) for host in site.hosts()],
            connect_to={(host, 443): ("127.0.0.1", self.web.port(host)) for host in site.hosts()},
            verify=demo_client_context(),
            robots=False,
            spacing=0.0,
            per_host=4,
            timeout=15.0,
        )

    def _answer_for(self, url: str) -> Callable[[Request], Route]:
        def answer(request: Request) -> Route:
            page = self.site.later(url) if self._later.is_set() else self.site.page(url)
            return _route(page)

        return answer

    def move_on(self) -> None:
        """From now on the URLs answer as pages.LATER says (gone, moved, drifted, ...)."""
        self._later.set()

    def __enter__(self) -> LocalCopies:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.web.stop()


def _route(page: Page | None) -> Route:
    if page is None:
        return Route(status=404, headers={"Content-Type": "text/plain"}, body=b"not found")
    if page.location:
        return Route.redirect(page.location, status=page.status)
    return Route(status=page.status, headers={"Content-Type": page.content_type}, body=page.body)

"""A small public site, a few pages readers must never get, and a plain web server for OUTDIR."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from wagtail.models import PageViewRestriction

from briefdesk.briefs.models import BriefPage
from tests.factories import SourceFactory, cite, make_author, make_brief, make_topic


@dataclass
class World:
    tree: Any
    brief: BriefPage
    other: BriefPage
    hidden_slugs: list[str]


@pytest.fixture
def world(site_tree: Any) -> World:
    author = make_author(site_tree)
    topic = make_topic(site_tree)
    source = SourceFactory(title="Pakistan Condemns Release of Cables")
    brief = make_brief(
        site_tree,
        title="Zanzibar Clove Exports Collapse",
        authors=[author],
        topics=[topic],
        body=[("paragraph", f"<p>Harvests fell by half {cite(source)}.</p>")],
    )
    other = make_brief(
        site_tree, title="Torkham Crossing Reopens", authors=[author], topics=[topic]
    )
    make_brief(site_tree, title="Draft Never Published", slug="draft-secret", publish=False)
    restricted = make_brief(site_tree, title="Members Only Brief", slug="restricted-secret")
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    withdrawn = make_brief(site_tree, title="Withdrawn Brief", slug="withdrawn-secret")
    withdrawn.unpublish()
    return World(site_tree, brief, other, ["draft-secret", "restricted-secret", "withdrawn-secret"])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Any]:
    """serve(outdir) -> "http://127.0.0.1:PORT": OUTDIR behind Python's own web server."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()

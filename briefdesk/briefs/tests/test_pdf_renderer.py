"""The HTML-to-PDF step on its own (briefdesk.briefs.pdf): it reads this site's static and media
files and nothing else. A real HTTP server on 127.0.0.1 stands in for the outside world and
must see no request."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from briefdesk.briefs.pdf import NotLoaded, PdfMetadata, local_resource, problem_text, render_pdf
from tests.pdfs import pdf_info, pdf_text

BASE = "http://127.0.0.1:8000/"
METADATA = PdfMetadata(
    title="A title", authors=["A. Writer"], subject="", keywords=[], created=dt.date(2010, 1, 2)
)


@pytest.fixture
def outside_server() -> Iterator[list[str]]:
    """An HTTP server on loopback that records every path asked of it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hits.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield hits
    server.shutdown()


def test_rendering_never_fetches_from_another_host(outside_server: list[str]) -> None:
    origin = outside_server.pop(0)
    html = (
        f'<html><head><link rel="stylesheet" href="{origin}/style.css"></head>'
        f'<body><p>Hello</p><img src="{origin}/tracker.png" alt="">'
        f'<img src="http://169.254.169.254/latest/meta-data/" alt=""></body></html>'
    )

    rendered = render_pdf(html, METADATA, base_url=BASE)

    assert outside_server == []  # no request reached the server
    assert "Hello" in pdf_text(rendered.content)
    assert f"Image not loaded: {origin}/tracker.png" in " ".join(rendered.problems)
    assert any("169.254.169.254" in problem for problem in rendered.problems)
    assert any(problem.startswith("Stylesheet not loaded") for problem in rendered.problems)


def test_the_sites_own_static_files_are_read_from_disk() -> None:
    body, content_type = local_resource(f"{BASE}static/briefdesk/print.css", BASE)

    assert content_type == "text/css"
    assert b"@page" in body


@pytest.mark.django_db
def test_media_files_are_read_from_storage() -> None:
    name = default_storage.save("images/pdf-test-pixel.png", ContentFile(b"\x89PNG fake"))

    body, content_type = local_resource(f"{BASE}media/{name}", BASE)

    assert (body, content_type) == (b"\x89PNG fake", "image/png")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["documents/private-report.pdf", "original_images/upload.jpg"])
def test_a_document_or_an_original_upload_is_never_put_in_a_pdf(name: str) -> None:
    """A private collection's document must not reach readers inside a public brief's PDF."""
    saved = default_storage.save(name, ContentFile(b"%PDF-1.7 confidential"))
    try:
        with pytest.raises(NotLoaded, match="only the public media files"):
            local_resource(f"{BASE}media/{saved}", BASE)
    finally:
        default_storage.delete(saved)  # media is shared by the whole test run


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://cdn.example/font.woff2", "only this site's own static and media files"),
        ("http://127.0.0.1:9999/static/briefdesk/print.css", "only this site's own"),
        ("file:///etc/passwd", "only this site's own"),
        (f"{BASE}static/../../etc/passwd", "only this site's own"),
        (f"{BASE}media/../settings.py", "only this site's own"),
        (f"{BASE}static/briefdesk/no-such.css", "missing from storage"),
        (f"{BASE}media/images/no-such.png", "missing from storage"),
    ],
)
def test_anything_else_is_not_loaded_and_says_why(url: str, reason: str) -> None:
    with pytest.raises(NotLoaded, match=reason):
        local_resource(url, BASE)


def test_the_metadata_given_is_the_metadata_written() -> None:
    metadata = PdfMetadata(
        title="Titre & “quotes”",
        authors=["Rehana Qadri", "王小明"],
        subject="One sentence.",
        keywords=["Pakistan", "Leaks"],
        created=dt.date(2010, 12, 6),
        modified=dt.date(2011, 1, 5),
    )

    info = pdf_info(render_pdf("<p>x</p>", metadata, base_url=BASE).content)

    assert info["Title"] == "Titre & “quotes”"
    assert info["Author"] == "Rehana Qadri, 王小明"
    assert info["Subject"] == "One sentence."
    assert info["Keywords"] == "Pakistan, Leaks"
    assert info["CreationDate"].startswith("2010-12-06")
    assert info["ModDate"].startswith("2011-01-05")


def test_problem_lines_name_what_was_not_loaded_and_why() -> None:
    raw = "Failed to load image at 'https://x.example/a.png': NotLoaded: the file is missing"

    assert problem_text(raw) == "Image not loaded: https://x.example/a.png (the file is missing)"
    assert problem_text("Something else") == "Something else"

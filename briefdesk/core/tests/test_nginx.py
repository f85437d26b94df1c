"""deploy/nginx/briefdesk.conf, the nginx example docs/operating.md shows, run by real nginx in
front of the live server with BRIEFDESK_SENDFILE=nginx.

The whole file runs, TLS included: the test makes a self-signed certificate and replaces only
the placeholders an operator replaces (ports, certificate and data paths, the backend address),
so a rule that breaks in the file breaks here. nginx runs in the foreground with no master
process, so it needs no `user` and works the same as root and as anyone else.
"""

from __future__ import annotations

import http.client
import io
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.signals import request_started
from django.test import Client
from django.test.testcases import _MediaFilesHandler
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from briefdesk.briefs.models import BriefPage, BriefPdf
from tests.factories import SiteTree, Users, make_brief

NGINX = "/usr/sbin/nginx"
CONF = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "briefdesk.conf"

# Root page, root collection and roles come from migrations; serialized_rollback restores them.
# scripts/test.sh runs this module in a pytest session of its own: after the browser tests of
# the same session, the restored database lacked the root collection, pages and groups.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def substituted(text: str, replacements: dict[str, str]) -> str:
    """The config with each placeholder replaced; a placeholder missing from the file fails
    (the docs and this test would otherwise drift apart)."""
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in {CONF.name}"
        text = text.replace(old, new)
    return text


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Nginx:
    https_port: int
    http_port: int
    backend: str  # the live server's URL, to ask briefdesk directly
    log_dir: Path
    cookies: dict[str, str] = field(default_factory=dict)

    def _request(
        self,
        conn: http.client.HTTPConnection,
        path: str,
        method: str,
        body: bytes | None,
        **headers: str,
    ) -> Response:
        if self.cookies:
            headers.setdefault("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        conn.request(method, quote(path, safe="/?=&%"), body=body, headers=headers)
        reply = conn.getresponse()
        data = reply.read()
        conn.close()
        return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, data)

    def get(
        self, path: str, method: str = "GET", body: bytes | None = None, **headers: str
    ) -> Response:
        """A request to nginx over HTTPS (the certificate is the test's own)."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=context, timeout=60
        )
        return self._request(conn, path, method, body, **headers)

    def plain(self, path: str) -> Response:
        return self._request(
            http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10), path, "GET", None
        )

    def direct(self, path: str, **headers: str) -> Response:
        """The same request to briefdesk itself, bypassing nginx."""
        parts = urlsplit(self.backend)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        return self._request(conn, path, "GET", None, **headers)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {log.read_text() if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("nginx did not start listening within 10 s")


@pytest.fixture
def nginx(
    live_server: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Nginx]:
    if not os.access(NGINX, os.X_OK):
        pytest.fail(f"{NGINX} is needed for this test (apt-get install nginx-light)")
    settings.BRIEFDESK_SENDFILE = "nginx"
    # Django's live server answers /media/ from MEDIA_ROOT itself, before briefdesk's URLs;
    # a production server has no such shortcut, so it is turned off here.
    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda self, path: False)
    static = Path(settings.STATIC_ROOT)
    (static / "briefdesk").mkdir(parents=True, exist_ok=True)
    for name in ("site.0123456789ab.css", "site.css"):
        (static / "briefdesk" / name).write_text("body { color: black }\n")

    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    https_port, http_port = free_port(), free_port()
    backend = urlsplit(live_server.url)
    logs = tmp_path / "logs"
    logs.mkdir()
    site = substituted(
        CONF.read_text(),
        {
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen [::]:80;": "",
            "/etc/letsencrypt/live/briefs.example.org/fullchain.pem": str(tmp_path / "cert.pem"),
            "/etc/letsencrypt/live/briefs.example.org/privkey.pem": str(tmp_path / "key.pem"),
            "/var/log/nginx/": f"{logs}/",
            "/var/lib/briefdesk/static/": f"{static}/",
            "/var/lib/briefdesk/media/": f"{Path(settings.MEDIA_ROOT)}/",
            "/var/lib/briefdesk/private/": f"{Path(settings.BRIEFDESK_PRIVATE_ROOT)}/",
            "127.0.0.1:8000": f"{backend.hostname}:{backend.port}",
        },
    )
    (tmp_path / "briefdesk.conf").write_text(site)
    temp = tmp_path / "temp"
    temp.mkdir()
    main = f"""
daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {logs}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp_path}/briefdesk.conf;
}}
"""
    (tmp_path / "nginx.conf").write_text(main)
    args = [
        NGINX,
        "-p",
        str(tmp_path),
        "-c",
        str(tmp_path / "nginx.conf"),
        "-e",
        str(logs / "error.log"),
    ]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(https_port, process, logs / "error.log")
        yield Nginx(https_port, http_port, live_server.url, logs)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(static / "briefdesk", ignore_errors=True)


@pytest.fixture
def django_requests() -> Iterator[list[str]]:
    """The paths of the requests that reached briefdesk (the live server's request_started)."""
    seen: list[str] = []

    def record(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if environ is not None:
            seen.append(environ.get("PATH_INFO", ""))

    request_started.connect(record)
    yield seen
    request_started.disconnect(record)


def png(size: tuple[int, int] = (64, 48), noise: bool = False) -> bytes:
    if noise:
        image = PILImage.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = PILImage.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def logged_in(nginx: Nginx, user: Any) -> Nginx:
    client = Client()
    client.force_login(user)
    nginx.cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
    }
    return nginx


def make_document(name: str, content: bytes, *, private: bool) -> Any:
    collection = Collection.get_first_root_node()
    if private:
        collection = collection.add_child(name="Board papers")
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    doc = get_document_model()(
        title=name, file=ContentFile(content, name=name), collection=collection
    )
    doc._set_document_file_metadata()  # size and hash, as the admin's upload form sets them
    doc.save()
    return doc


# --- the tests -----------------------------------------------------------------------------


def test_plain_http_is_redirected_to_https(nginx: Nginx) -> None:
    response = nginx.plain("/briefs/?page=2")

    assert response.status == 301
    assert response.headers["location"] == "https://127.0.0.1/briefs/?page=2"


def test_an_image_rendition_is_served_by_nginx_from_disk_without_asking_briefdesk(
    nginx: Nginx, django_requests: list[str]
) -> None:
    image = get_image_model().objects.create(
        title="Photo", file=ImageFile(io.BytesIO(png()), name="photo.png")
    )
    rendition = image.get_rendition("width-32")
    on_disk = Path(settings.MEDIA_ROOT, rendition.file.name).read_bytes()

    response = nginx.get(rendition.url)

    assert response.status == 200
    assert response.body == on_disk
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert django_requests == []  # nginx answered alone
    # Originals are not public: nginx asks briefdesk, which says no.
    assert nginx.get(f"/media/{image.file.name}").status == 404
    assert django_requests == [f"/media/{image.file.name}"]


def test_a_private_collection_document_needs_a_login_then_comes_from_nginx(
    nginx: Nginx, users: Users
) -> None:
    doc = make_document("minutes.txt", b"board minutes, not for readers\n", private=True)
    url = doc.url

    refused = nginx.get(url)
    assert refused.status == 302  # to the login page
    assert b"board minutes" not in refused.body

    logged_in(nginx, users.reader)
    from_django = nginx.direct(url)
    served = nginx.get(url)

    assert from_django.status == 200
    assert from_django.headers["x-accel-redirect"] == f"/_protected/media/{doc.file.name}"
    assert from_django.body == b""
    assert from_django.headers.get("content-length", "0") == "0"  # not the file's length
    assert served.status == 200
    assert served.body == b"board minutes, not for readers\n"
    assert served.headers["content-type"].startswith("text/plain")
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["content-security-policy"] == "default-src 'none'"
    assert served.headers["etag"] == from_django.headers["etag"]


def test_a_public_document_comes_from_nginx_and_never_from_media(nginx: Nginx) -> None:
    doc = make_document("réponse publique.txt", b"a public document\n", private=False)

    from_django = nginx.direct(doc.url)
    served = nginx.get(doc.url)

    assert from_django.headers["x-accel-redirect"].startswith("/_protected/media/documents/")
    assert from_django.body == b""
    assert served.status == 200
    assert served.body == b"a public document\n"
    assert "content-encoding" not in served.headers
    # The file's own path is never served: not by nginx from disk, not by briefdesk, and the
    # internal location is not reachable from outside.
    assert nginx.get(f"/media/{doc.file.name}").status == 404
    assert nginx.get(f"/_protected/media/{doc.file.name}").status == 404
    assert nginx.get("/media/images/../documents/" + doc.file.name.split("/")[-1]).status in (
        400,
        404,
    )


@pytest.fixture
def pdf_brief(site_tree: SiteTree) -> BriefPage:
    return make_brief(site_tree, title="Brief to print", body=[("paragraph", "<p>Printed.</p>")])


def test_a_brief_pdf_is_checked_by_briefdesk_and_sent_by_nginx(
    nginx: Nginx, pdf_brief: BriefPage
) -> None:
    url = reverse("brief_pdf", args=[pdf_brief.slug])

    from_django = nginx.direct(url)
    record = BriefPdf.objects.get(page=pdf_brief)
    served = nginx.get(url)
    conditional: dict[str, Any] = {"If-None-Match": served.headers["etag"]}
    again = nginx.get(url, **conditional)

    assert from_django.status == 200
    assert from_django.body == b""
    assert from_django.headers["x-accel-redirect"] == f"/_protected/private/{record.file.name}"
    assert served.status == 200
    assert served.body == Path(record.file.path).read_bytes()
    assert served.body.startswith(b"%PDF")
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["etag"] == from_django.headers["etag"]
    assert served.headers["cache-control"] == "public, max-age=300"
    assert pdf_brief.date is not None
    assert served.headers["content-disposition"] == (
        f'inline; filename="{pdf_brief.slug}-{pdf_brief.date.isoformat()}.pdf"'
    )
    assert again.status == 304
    assert nginx.get(f"/_protected/private/{record.file.name}").status == 404


def test_a_private_briefs_pdf_is_404_through_nginx(nginx: Nginx, pdf_brief: BriefPage) -> None:
    PageViewRestriction.objects.create(
        page=pdf_brief, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )

    assert nginx.get(reverse("brief_pdf", args=[pdf_brief.slug])).status == 404
    assert not BriefPdf.objects.filter(page=pdf_brief).exists()


def test_a_4_mb_image_upload_reaches_the_admin_and_32_mb_is_the_limit(
    nginx: Nginx, users: Users
) -> None:
    photo = png((1200, 1150), noise=True)
    assert 4_000_000 < len(photo) < 4_300_000
    logged_in(nginx, users.admin)
    token = "k" * 32
    nginx.cookies[settings.CSRF_COOKIE_NAME] = token
    boundary = "briefdesk-upload"
    fields = {"title": "Big photo", "collection": str(Collection.get_first_root_node().pk)}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + photo
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = nginx.get(
        reverse("wagtailimages:add"),
        method="POST",
        body=body,
        **{
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRFToken": token,
            "Referer": f"https://127.0.0.1:{nginx.https_port}/admin/images/",
        },
    )

    assert response.status == 302, response.body[:500]
    assert get_image_model().objects.filter(title="Big photo").exists()
    too_big = nginx.get("/search/", method="POST", body=b"x" * (33 * 1024 * 1024))
    assert too_big.status == 413


def test_static_files_with_a_content_hash_are_cached_for_a_year(nginx: Nginx) -> None:
    hashed = nginx.get("/static/briefdesk/site.0123456789ab.css")
    plain = nginx.get("/static/briefdesk/site.css")

    assert hashed.status == plain.status == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["cache-control"] == "public, max-age=60"
    assert hashed.headers["x-content-type-options"] == "nosniff"


def test_briefdesk_gets_the_proxy_headers(nginx: Nginx, django_requests: list[str]) -> None:
    seen: dict[str, str] = {}

    def record(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if environ is not None:
            seen.update({k: v for k, v in environ.items() if k.startswith("HTTP_X_")})

    request_started.connect(record)
    try:
        forwarded: dict[str, Any] = {"X-Forwarded-For": "203.0.113.9"}
        nginx.get("/healthz", **forwarded)
    finally:
        request_started.disconnect(record)

    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"
    assert seen["HTTP_X_FORWARDED_FOR"] == "203.0.113.9, 127.0.0.1"
    request_id = seen["HTTP_X_REQUEST_ID"]
    assert len(request_id) == 32
    # nginx's access log has the same id, to find briefdesk's log lines of the request.
    access = (nginx.log_dir / "briefdesk.access.log").read_text()
    assert '"GET /healthz HTTP/1.1"' in access and f"id={request_id} " in access

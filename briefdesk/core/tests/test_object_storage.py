"""Media, brief PDFs and snapshots in an S3-compatible bucket (S3_BUCKET, settings/files.py),
against moto's S3 server on 127.0.0.1: a real HTTP S3 API on loopback, one bucket per test.

Image renditions are at plain bucket URLs anyone can load; brief PDFs (private/) and snapshots
(snapshots/) have no URL and reach readers only through the views that check access; deleting
the rows deletes the objects; a missing bucket or refused keys is one line of `briefdesk check`.

Django resolves a FileField's storage once, when the model loads (before a test can switch
STORAGES), so `on_s3` points the private fields at the bucket's storages itself: in a deployment
S3_BUCKET is set before anything loads and settings/files.py alone does it.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.cache import caches
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage
from wagtail.images import get_image_model

from briefdesk.archive.testweb import LocalWeb, Route
from briefdesk.briefs.models import BriefPdf
from briefdesk.briefs.pdf import local_resource
from briefdesk.core.object_storage import public_read_policy
from briefdesk.core.preflight import STORAGE, run_preflight
from briefdesk.settings.files import media_origins, object_storages
from briefdesk.sources.archiving import capture_source
from briefdesk.sources.models import Snapshot, Source
from tests.factories import SourceFactory, cite, make_brief, make_site_tree
from tests.pdfs import get_pdf

pytestmark = pytest.mark.django_db

KEYS = {"access_key_id": "briefdesk-test", "secret_access_key": "briefdesk-test-secret"}
PAGE = (
    "<html><head><title>Dams at a low</title></head>"
    "<body><p>The dams fell by half.</p></body></html>"
)
PDF_BYTES = b"%PDF-1.4\n% a tiny stand-in\n%%EOF\n"


@dataclass
class S3Server:
    endpoint: str

    def client(self, **keys: str) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=keys.get("access_key_id", KEYS["access_key_id"]),
            aws_secret_access_key=keys.get("secret_access_key", KEYS["secret_access_key"]),
        )


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()


@dataclass
class Bucket:
    name: str
    server: S3Server

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.server.client().list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read())


@pytest.fixture
def on_s3(s3_server: S3Server, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """This test's files in a new bucket, configured as S3_BUCKET would configure them."""
    name = f"briefdesk-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    # What the operator applies once (docs/deploy.md): renditions are public, nothing else.
    s3_server.client().put_bucket_policy(Bucket=name, Policy=public_read_policy(name))
    settings.S3_BUCKET = name
    settings.WAGTAILDOCS_SERVE_METHOD = "serve_view"
    settings.STORAGES = {
        **settings.STORAGES,
        **object_storages(bucket=name, endpoint_url=s3_server.endpoint, region="us-east-1", **KEYS),
    }
    monkeypatch.setattr(BriefPdf._meta.get_field("file"), "storage", storages["private"])
    for field in ("warc", "document"):
        monkeypatch.setattr(Snapshot._meta.get_field(field), "storage", storages["snapshots"])
    # Wagtail caches renditions by image id: another module's, of a file on disk, must not
    # answer for this test's image.
    for cache in caches.all():
        cache.clear()
    return Bucket(name, s3_server)


def unsigned_status(bucket: Bucket, key: str) -> int:
    """What a reader who has only the object's plain URL gets."""
    url = f"{bucket.server.endpoint}/{bucket.name}/{key}"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


# --- media ----------------------------------------------------------------------------------


def test_an_uploaded_image_rendition_is_served_at_its_plain_bucket_url(on_s3: Bucket) -> None:
    image = get_image_model().objects.create(
        title="Chart", file=ImageFile(io.BytesIO(_png()), name="chart.png")
    )
    rendition = image.get_rendition("width-20")

    assert rendition.url.startswith(f"{on_s3.server.endpoint}/{on_s3.name}/media/images/")
    assert "Signature" not in rendition.url
    # Pages may load it: its origin is what settings add to the CSP's img-src.
    origins = media_origins(bucket=on_s3.name, endpoint_url=on_s3.server.endpoint)
    assert rendition.url.startswith(tuple(f"{origin}/" for origin in origins))
    with urllib.request.urlopen(rendition.url, timeout=5) as answer:
        body = answer.read()
    assert body == on_s3.read(f"media/{rendition.file.name}")
    assert PILImage.open(io.BytesIO(body)).size == (20, 15)
    assert f"media/{image.file.name}" in on_s3.keys("media/original_images/")
    # An original upload is not public: its URL is signed and expires within minutes.
    assert "X-Amz-Expires=300" in image.file.url
    assert unsigned_status(on_s3, f"media/{image.file.name}") == 403
    # A PDF reads the rendition through the storage, not over the network.
    assert local_resource(rendition.url, "http://127.0.0.1:8000/") == (body, "image/png")


# --- brief PDFs -----------------------------------------------------------------------------


def test_a_brief_pdf_is_stored_privately_and_downloaded_only_through_the_pdf_view(
    on_s3: Bucket, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    brief = make_brief(make_site_tree(), title="Reservoirs and power")
    url = reverse("brief_pdf", args=[brief.slug])

    first = get_pdf(client, url)
    again = get_pdf(client, url)

    record = BriefPdf.objects.get(page=brief)
    assert first.startswith(b"%PDF") and again == first
    assert on_s3.keys("private/") == [f"private/{record.file.name}"]
    assert on_s3.read(f"private/{record.file.name}") == first
    assert on_s3.keys("media/") == []
    assert unsigned_status(on_s3, f"private/{record.file.name}") == 403
    with pytest.raises(ValueError, match="no public URL"):
        record.file.url  # noqa: B018 (the property raises)

    with django_capture_on_commit_callbacks(execute=True):
        BriefPdf.objects.filter(pk=record.pk).delete()
    assert on_s3.keys("private/") == []


# --- snapshots ------------------------------------------------------------------------------


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as local:
        local.route("news", "/dams", Route.html(PAGE))
        local.route(
            "files",
            "/report.pdf",
            Route(body=PDF_BYTES, headers={"Content-Type": "application/pdf"}),
        )
        yield local


def test_snapshots_are_captured_to_the_bucket_read_back_by_the_archive_views_and_deleted(
    on_s3: Bucket, web: LocalWeb, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page = SourceFactory(title="Dams at a low", url=web.url("news", "/dams"))
    report = SourceFactory(title="Dam report", url=web.url("files", "/report.pdf"))
    make_brief(make_site_tree(), body=[("paragraph", f"<p>{cite(page)} {cite(report)}</p>")])

    snapshot = capture_source(page.pk)
    document = capture_source(report.pk)
    assert isinstance(snapshot, Snapshot) and isinstance(document, Snapshot)

    assert on_s3.keys("snapshots/") == sorted(
        [snapshot.warc.name, document.warc.name, document.document.name]
    )
    assert snapshot.warc.name.startswith(f"snapshots/{page.pk}/")
    args = [page.pk, snapshot.pk]
    archived = client.get(reverse("sources:archive", args=args))
    raw = client.get(reverse("sources:archive_raw", args=args))
    warc = client.get(reverse("sources:archive_warc", args=args))
    pdf = client.get(reverse("sources:archive_document", args=[report.pk, document.pk]))
    wacz = client.get(reverse("sources:wacz", args=[page.pk]))

    assert "The dams fell by half." in archived.content.decode()
    assert raw.content.decode() == PAGE
    assert b"".join(warc.streaming_content) == on_s3.read(snapshot.warc.name)
    assert b"".join(pdf.streaming_content) == PDF_BYTES
    assert wacz.status_code == 200
    assert unsigned_status(on_s3, snapshot.warc.name) == 403
    with pytest.raises(ValueError, match="no public URL"):
        snapshot.warc.url  # noqa: B018 (the property raises)

    with django_capture_on_commit_callbacks(execute=True):
        Source.objects.filter(pk__in=[page.pk, report.pk]).delete()
    assert on_s3.keys() == []


# --- briefdesk check ------------------------------------------------------------------------


def storage_lines() -> list[str]:
    skip = {"database", "migrations", "site", "system checks"}
    return [str(problem) for problem in run_preflight(skip=skip) if problem.check == STORAGE]


def test_a_working_bucket_passes_the_check_and_leaves_no_probe_object(on_s3: Bucket) -> None:
    assert storage_lines() == []
    assert on_s3.keys() == []


def test_a_missing_bucket_is_one_line_naming_it(s3_server: S3Server, settings: Any) -> None:
    settings.S3_BUCKET = "no-such-bucket"
    settings.STORAGES = {
        **settings.STORAGES,
        **object_storages(bucket="no-such-bucket", endpoint_url=s3_server.endpoint, **KEYS),
    }

    assert storage_lines() == [
        f"S3 bucket 'no-such-bucket' does not exist at {s3_server.endpoint} (S3_BUCKET)"
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def checking_server() -> Iterator[str]:
    """A moto server that checks keys (as a real one does): it knows none of ours."""
    port = _free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"}
    moto = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "moto_server"),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or moto.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        moto.terminate()
        moto.wait(timeout=10)


def test_refused_credentials_are_one_line_naming_the_settings(
    checking_server: str, settings: Any
) -> None:
    settings.S3_BUCKET = "briefdesk"
    settings.STORAGES = {
        **settings.STORAGES,
        **object_storages(bucket="briefdesk", endpoint_url=checking_server, **KEYS),
    }

    lines = storage_lines()

    assert len(lines) == 1
    assert lines[0].startswith(
        f"S3 refused the credentials for bucket 'briefdesk' at {checking_server}"
    )
    assert "S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY" in lines[0]
    assert KEYS["secret_access_key"] not in lines[0]


def test_an_endpoint_nobody_listens_on_is_one_line(settings: Any) -> None:
    endpoint = f"http://127.0.0.1:{_free_port()}"
    settings.S3_BUCKET = "briefdesk"
    settings.STORAGES = {
        **settings.STORAGES,
        **object_storages(bucket="briefdesk", endpoint_url=endpoint, **KEYS),
    }

    lines = storage_lines()

    assert len(lines) == 1
    assert lines[0].startswith(f"S3 at {endpoint} cannot be reached:")


def test_briefdesk_check_reads_the_s3_settings_from_the_environment_and_says_one_line(
    s3_server: S3Server, tmp_path: Path
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("S3_", "BRIEFDESK_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="briefdesk.settings.production",
        SECRET_KEY="kq3V9x_Wm2-Lr8TzYb4NcHs7PdJf6GaUeQw1XoRi5Ml0Ek-Zt2Cy9Bv3Nu7Hp4Sj",
        ALLOWED_HOSTS="briefs.example.org",
        BRIEFDESK_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'briefdesk.sqlite3'}",
        S3_BUCKET="not-made-yet",
        S3_ENDPOINT_URL=s3_server.endpoint,
        S3_REGION="us-east-1",
        S3_ACCESS_KEY_ID=KEYS["access_key_id"],
        S3_SECRET_ACCESS_KEY=KEYS["secret_access_key"],
    )

    checked = subprocess.run(
        [sys.executable, "-m", "briefdesk.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    output = checked.stdout + checked.stderr
    assert checked.returncode != 0
    s3_lines = [line for line in output.splitlines() if "S3" in line]
    assert len(s3_lines) == 1, output
    assert "S3 bucket 'not-made-yet' does not exist at" in s3_lines[0]
    assert "Traceback" not in output

"""/media/ in every environment: image renditions are served (cached, typed, conditional) and
nothing else under MEDIA_ROOT is; files handed out after an access check go out streamed or,
with BRIEFDESK_SENDFILE=nginx, as X-Accel-Redirect (the nginx side is test_nginx.py).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from briefdesk.core.sendfile import accel_location

pytestmark = pytest.mark.django_db


def media_url(name: str) -> str:
    return reverse("media", args=[name])


@pytest.fixture
def rendition() -> Any:
    out = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG")
    image = get_image_model().objects.create(
        title="Chart", file=ImageFile(io.BytesIO(out.getvalue()), name="chart.png")
    )
    return image.get_rendition("width-20")


@pytest.fixture
def document() -> Any:
    doc = get_document_model()(title="Minutes", file=ContentFile(b"minutes\n", name="minutes.txt"))
    doc._set_document_file_metadata()
    doc.save()
    return doc


def test_a_rendition_is_served_with_its_type_a_year_of_cache_and_validators(
    rendition: Any, client: Any
) -> None:
    response = client.get(rendition.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(rendition.file.path).read_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(rendition.url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    again = client.get(rendition.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert client.head(rendition.url).status_code == 200
    assert client.post(rendition.url).status_code == 405


def test_with_nginx_a_rendition_goes_out_as_x_accel_redirect(
    rendition: Any, client: Any, settings: Any
) -> None:
    settings.BRIEFDESK_SENDFILE = "nginx"

    response = client.get(rendition.url)

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/media/{rendition.file.name}"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def refused_paths(rendition: Any, document: Any) -> list[str]:
    name = rendition.file.name.split("/", 1)[1]
    return [
        document.file.name,  # documents/: only Wagtail's view, after its access check
        rendition.image.file.name,  # original_images/: uploads as given, with their metadata
        f"images/../{document.file.name}",
        f"images/%2e%2e/{document.file.name}",
        f"images//{name}",
        f"images/./{name}",
        "images/",
        "images",
        "unknown/file.png",
        f"images/{name}/",
        "images/.hidden.png",
        "images/missing.png",
        "images/symlinked.txt",  # a link in images/ to a document
        "images/a\\..\\b.png",
    ]


def test_nothing_under_media_but_renditions_is_served(
    rendition: Any, document: Any, client: Any
) -> None:
    media = Path(settings.MEDIA_ROOT)
    (media / "images" / ".hidden.png").write_bytes(b"x")
    link = media / "images" / "symlinked.txt"
    link.unlink(missing_ok=True)
    link.symlink_to(media / document.file.name)

    for path in refused_paths(rendition, document):
        response = client.get(f"/media/{path}")
        assert response.status_code == 404, path
    assert client.get(rendition.url).status_code == 200


def test_a_document_in_a_private_collection_is_refused_then_streamed_to_a_reader(
    document: Any, client: Any, users: Any
) -> None:
    collection = Collection.get_first_root_node().add_child(name="Board")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    document.collection = collection
    document.save()

    refused = client.get(document.url)
    client.force_login(users.reader)
    served = client.get(document.url)

    assert refused.status_code == 302
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == b"minutes\n"
    # Wagtail sets Content-Encoding to None for a plain file; no "Content-Encoding: None".
    assert "Content-Encoding" not in served
    assert served["Last-Modified"]
    assert client.get(document.url, HTTP_IF_NONE_MATCH=served["ETag"]).status_code == 304


def test_with_nginx_a_document_is_an_x_accel_redirect_with_no_length(
    document: Any, client: Any, settings: Any
) -> None:
    settings.BRIEFDESK_SENDFILE = "nginx"

    response = client.get(document.url)

    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/media/{document.file.name}"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.get("Content-Length", "0") == "0"


@pytest.mark.parametrize(
    ("root", "name", "expected"),
    [
        ("MEDIA_ROOT", "documents/a b.pdf", "/_protected/media/documents/a%20b.pdf"),
        ("MEDIA_ROOT", "images/é?.png", "/_protected/media/images/%C3%A9%3F.png"),
        ("BRIEFDESK_PRIVATE_ROOT", "7/brief-r3-apa.pdf", "/_protected/private/7/brief-r3-apa.pdf"),
    ],
)
def test_a_file_maps_to_the_internal_location_of_its_root(
    root: str, name: str, expected: str
) -> None:
    assert accel_location(Path(getattr(settings, root)) / name) == expected


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "{MEDIA_ROOT}/../x.sqlite3", "{MEDIA_ROOT}", "{BRIEFDESK_PRIVATE_ROOT}/.."],
)
def test_a_file_under_neither_root_is_never_handed_to_nginx(path: str) -> None:
    filled = path.format(
        MEDIA_ROOT=settings.MEDIA_ROOT, BRIEFDESK_PRIVATE_ROOT=settings.BRIEFDESK_PRIVATE_ROOT
    )
    with pytest.raises(ValueError, match="under neither"):
        accel_location(filled)


def test_an_unknown_briefdesk_sendfile_value_stops_start_up_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import briefdesk.settings.test"],
        env={**os.environ, "BRIEFDESK_SENDFILE": "apache"},
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert (
        "BRIEFDESK_SENDFILE must be nginx or empty (Django streams files), not 'apache'"
        in result.stderr
    )

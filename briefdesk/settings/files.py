"""Files: static, media (public uploads) and private storage (generated files served by views)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import envstr
from .paths import DATA_DIR

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Generated files readers reach only through views that check access (cached brief PDFs):
# outside MEDIA_ROOT and with no URL, so a web server serving /media/ can never expose them.
BRIEFDESK_PRIVATE_ROOT = Path(envstr("BRIEFDESK_PRIVATE_ROOT", str(DATA_DIR / "private"))).resolve()
# How files a view hands out after checking access leave the server (briefdesk/core/sendfile.py):
# "" streams them from Django; "nginx" answers with X-Accel-Redirect to the internal locations of
# deploy/nginx/briefdesk.conf, and nginx sends the file. Wagtail documents, brief PDFs, /media/.
BRIEFDESK_SENDFILE = envstr("BRIEFDESK_SENDFILE", "").strip().lower()
if BRIEFDESK_SENDFILE not in ("", "nginx"):
    raise ImproperlyConfigured(
        "BRIEFDESK_SENDFILE must be nginx or empty (Django streams files), "
        f"not {envstr('BRIEFDESK_SENDFILE', '')!r}"
    )
# Wagtail's document view hands its files to this backend once it has checked the collection's
# privacy (with no SENDFILE_BACKEND it streams them itself and X-Accel-Redirect never happens).
SENDFILE_BACKEND = "briefdesk.core.sendfile"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Source snapshots (WARCs, PDFs): private on disk, served only through the archive views.
    "snapshots": {"BACKEND": "briefdesk.core.storage.PrivateStorage"},
    # Cached brief PDFs (core.storage.private_storage): served only through the PDF view.
    "private": {"BACKEND": "briefdesk.core.storage.PrivateStorage"},
}


def object_storages(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key_id: str = "",
    secret_access_key: str = "",
    custom_domain: str = "",
    addressing_style: str = "",
) -> dict[str, dict[str, object]]:
    """STORAGES entries for media, private files and snapshots in one S3-compatible bucket,
    under the prefixes media/, private/ and snapshots/ (briefdesk/core/object_storage.py).

    Empty credentials leave them to boto3's own chain (an instance role, AWS_PROFILE…).
    """
    common: dict[str, object] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "access_key": access_key_id or None,
        "secret_key": secret_access_key or None,
        # Path-style (endpoint/bucket/key) is what MinIO and most self-hosted servers expect.
        "addressing_style": addressing_style or ("path" if endpoint_url else None),
        "signature_version": "s3v4",
        # Never an ACL: buckets with ACLs disabled (the AWS default) refuse any. Who may read
        # what is the bucket policy's job (only media/images/* public).
        "default_acl": None,
        # Keep every upload's name, as the file system storage does: Wagtail keys on them.
        "file_overwrite": False,
    }
    return {
        "default": {
            "BACKEND": "briefdesk.core.object_storage.MediaObjectStorage",
            "OPTIONS": {**common, "location": "media", "custom_domain": custom_domain or None},
        },
        "private": {
            "BACKEND": "briefdesk.core.object_storage.PrivateObjectStorage",
            "OPTIONS": {**common, "location": "private"},
        },
        # Snapshot names already start with snapshots/ (sources.models._snapshot_upload_to),
        # as they do under BRIEFDESK_PRIVATE_ROOT: the same layout on disk and in the bucket.
        "snapshots": {
            "BACKEND": "briefdesk.core.object_storage.PrivateObjectStorage",
            "OPTIONS": {**common, "location": ""},
        },
    }


def media_origins(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    custom_domain: str = "",
    addressing_style: str = "",
) -> list[str]:
    """The origins public images are loaded from with object storage, for the pages'
    Content-Security-Policy img-src (the bucket, its custom domain, or AWS's host names)."""
    if custom_domain:
        return [f"https://{custom_domain}"]
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if addressing_style == "virtual":
            return [f"{parts.scheme}://{bucket}.{parts.netloc}"]
        return [f"{parts.scheme}://{parts.netloc}"]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


# S3-compatible object storage for media, cached PDFs and snapshots (static files stay on
# whitenoise). Off unless S3_BUCKET is set.
S3_BUCKET = envstr("S3_BUCKET", "").strip()
# Where pages load images from besides 'self' (base.py adds them to CSP img-src).
S3_MEDIA_ORIGINS: list[str] = []
if S3_BUCKET:
    _s3 = {
        "bucket": S3_BUCKET,
        "endpoint_url": envstr("S3_ENDPOINT_URL", "").strip(),
        "region": envstr("S3_REGION", "").strip(),
        "custom_domain": envstr("S3_CUSTOM_DOMAIN", "").strip(),
        "addressing_style": envstr("S3_ADDRESSING_STYLE", "").strip(),
    }
    STORAGES.update(
        object_storages(
            **_s3,
            access_key_id=envstr("S3_ACCESS_KEY_ID", "").strip(),
            secret_access_key=envstr("S3_SECRET_ACCESS_KEY", "").strip(),
        )
    )
    S3_MEDIA_ORIGINS = media_origins(**_s3)
    # Documents are streamed by Wagtail's view after its privacy check; Wagtail's default for
    # a storage without local paths would redirect readers to the bucket.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Serve straight from the finders when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = True

WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]

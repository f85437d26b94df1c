"""Files: static, media (public uploads) and private storage (generated files served by views)."""

from __future__ import annotations

from pathlib import Path

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Source snapshots (WARCs, PDFs): private on disk. Any Django storage backend works here,
    # e.g. an S3-compatible bucket through django-storages, which briefdesk does not install
    # (docs/archive.md). Served only through the archive views.
    "snapshots": {"BACKEND": "briefdesk.core.storage.PrivateStorage"},
}
# Serve straight from the finders when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = True

WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]

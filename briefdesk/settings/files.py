"""Files: static, media (public uploads) and private storage (generated files served by views)."""

from __future__ import annotations

from pathlib import Path

from .env import envstr
from .paths import DATA_DIR

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Generated files readers reach only through views that check access (cached brief PDFs):
# outside MEDIA_ROOT and with no URL, so a web server serving /media/ can never expose them.
BRIEFDESK_PRIVATE_ROOT = Path(envstr("BRIEFDESK_PRIVATE_ROOT", str(DATA_DIR / "private"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Serve straight from the finders when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = True

WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]

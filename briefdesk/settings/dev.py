"""Local development and the demo.

`briefdesk demo` sets DEBUG=false (unless DEBUG is set), so the demo shows what readers of a
production site see: the site's 404 and 500 pages, never Django's debug pages; static files
collected and served by WhiteNoise, as production serves them. With DEBUG off the committed
development key is refused (briefdesk.core.checks), so a key is generated once and kept in the
data directory (DATA_DIR/secret_key, readable by its owner only). `manage.py runserver` and
other development use keep DEBUG on and the fixed throwaway key.
"""

import os
import secrets
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATA_DIR
from .env import envbool, envstr
from .keys import DEV_SECRET_KEY

DEBUG = envbool("DEBUG", True)
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def data_dir_secret_key(path: Path) -> str:
    """The key kept in `path`; one is generated and written there (mode 0600) the first time."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    key = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only; a second process racing here keeps the first key.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key + "\n")
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip() or key
    return key


# The secret key check (briefdesk.core.checks) refuses the development key whenever DEBUG is off.
SECRET_KEY = envstr("SECRET_KEY", "") or (
    DEV_SECRET_KEY if DEBUG else data_dir_secret_key(SECRET_KEY_FILE)
)
# Moderation notifications land in BRIEFDESK_DATA_DIR/mail (EMAIL_FILE_PATH), one file per
# message: nothing to install, nothing lost, no traceback from a missing SMTP server.
if not EMAIL_FROM_URL:  # noqa: F405 - EMAIL_URL (settings/ops.py) chose the backend
    EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    # Development: static files straight from the apps, no collectstatic, no manifest.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "snapshots": {"BACKEND": "briefdesk.core.storage.PrivateStorage"},
    }
# Without DEBUG (the demo): production's storage (settings/files.py), hashed and compressed
# files that `briefdesk demo` collects into STATIC_ROOT before serving, as `serve` does.

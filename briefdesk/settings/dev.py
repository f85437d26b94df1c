"""Local development and the demo: debug on, a fixed throwaway secret key."""

from .base import *  # noqa: F403
from .env import envbool, envstr
from .keys import DEV_SECRET_KEY

DEBUG = envbool("DEBUG", True)
# The secret key check (briefdesk.core.checks) refuses this key whenever DEBUG is off.
SECRET_KEY = envstr("SECRET_KEY", DEV_SECRET_KEY)
# Moderation notifications land in BRIEFDESK_DATA_DIR/mail (EMAIL_FILE_PATH), one file per
# message: nothing to install, nothing lost, no traceback from a missing SMTP server.
if not EMAIL_FROM_URL:  # noqa: F405 - EMAIL_URL (settings/ops.py) chose the backend
    EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

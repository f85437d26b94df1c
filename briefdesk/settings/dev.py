"""Local development and the demo: debug on, a fixed throwaway secret key."""

from .base import *  # noqa: F403
from .env import envbool, envstr

DEBUG = envbool("DEBUG", True)
SECRET_KEY = envstr("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

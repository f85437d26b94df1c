"""Test settings: fast password hashing, in-memory media, no debug toolbar noise."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .keys import TEST_SECRET_KEY

SECRET_KEY = TEST_SECRET_KEY
# Lets the secret key check (briefdesk.core.checks) pass this fixed key with DEBUG off: these
# settings never serve readers. Any other settings with this key fail the check.
BRIEFDESK_TEST_SETTINGS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# Fixed values, never read from the environment: a BRIEFDESK_BASE_URL (or site name) exported
# for the demo or a deployment must not change what the suite sees in citations and URLs.
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAIL_SITE_NAME = "Briefdesk"
BRIEFDESK_PUBLISHER = WAGTAIL_SITE_NAME
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="briefdesk-test-media-"))
BRIEFDESK_PRIVATE_ROOT = Path(tempfile.mkdtemp(prefix="briefdesk-test-private-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="briefdesk-test-static-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "snapshots": {"BACKEND": "briefdesk.core.storage.PrivateStorage"},
}
# Each test process keeps its own cache: a shared directory would carry Wagtail's cached site
# roots and renditions from one pytest run (SQLite) into the next (PostgreSQL). The shared
# file cache itself is tested with real server processes (core/tests/test_caches.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite's local web servers run on 127.0.0.1: the fetcher's guard lets loopback through
# in tests only (a test turns this off to prove the guard blocks it). No robots.txt waits and
# no spacing between requests to the same local host.
BRIEFDESK_FETCH_ALLOW = ["127.0.0.0/8"]
BRIEFDESK_FETCH_SPACING_MS = 0
# Jobs run where they are made, whatever TASKS_BACKEND a shell exports; the worker tests
# (core/tests/test_worker.py) start real worker processes with BRIEFDESK_TEST_TASKS_BACKEND.
TASKS = {
    "default": {"BACKEND": task_backend(envstr("BRIEFDESK_TEST_TASKS_BACKEND", ""))}  # noqa: F405
}
# Publishing a brief captures nothing (its sources' invented URLs would be looked up); a test
# of capture on publish turns this on.
BRIEFDESK_CAPTURE_ON_PUBLISH = False

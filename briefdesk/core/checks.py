"""System checks for settings that make a deployment unsafe, run by every `manage.py` command.

- briefdesk.E001: with DEBUG off, SECRET_KEY must be long, varied, generated and not one of
  the keys written in this repository (settings/keys.py). Django's own `check --deploy` only
  warns; this refuses, because a guessable key lets anyone forge sessions and password resets.
  The test settings (BRIEFDESK_TEST_SETTINGS) are let through: they never serve readers.
- briefdesk.E002: EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive; with both on, every
  notification email would fail at send time.
- briefdesk.E003: the citeproc-js file (BRIEFDESK_CITEPROC_JS) must exist; without it every
  save of a source or brief fails. Checked before anything runs, not on the first save.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from briefdesk.settings.keys import COMMITTED_SECRET_KEYS

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5
GENERATE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'


def secret_key_problem(key: str) -> str | None:
    """Why `key` is not fit for a site that serves readers, or None when it is."""
    if key in COMMITTED_SECRET_KEYS:
        return "is a development/test default written in the source"
    if key.startswith("django-insecure-"):
        return "is Django's generated development key (starts with 'django-insecure-')"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"has {len(key)} characters; at least {SECRET_KEY_MIN_LENGTH} are needed"
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        return f"has fewer than {SECRET_KEY_MIN_DISTINCT} distinct characters"
    return None


def check_secret_key(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """briefdesk.E001: an ERROR for a weak or default SECRET_KEY when DEBUG is off."""
    if settings.DEBUG or getattr(settings, "BRIEFDESK_TEST_SETTINGS", False):
        return []
    problem = secret_key_problem(str(settings.SECRET_KEY))
    if problem is None:
        return []
    return [
        Error(
            f"SECRET_KEY {problem}; generate one with: {GENERATE_KEY}",
            id="briefdesk.E001",
        )
    ]


def check_email_security(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """briefdesk.E002: EMAIL_USE_TLS and EMAIL_USE_SSL both on."""
    if settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
        return [
            Error(
                "EMAIL_USE_TLS and EMAIL_USE_SSL are both on; set only one "
                "(TLS for port 587, SSL for port 465)",
                id="briefdesk.E002",
            )
        ]
    return []


def citeproc_problem(path: Path) -> str | None:
    """Why citeproc-js cannot be loaded from `path` (one line saying the fix), or None."""
    if path.is_file():
        return None
    return (
        f"citeproc-js not found at {path}: run `npm ci --omit=dev` in the checkout, "
        "or set BRIEFDESK_CITEPROC_JS to its citeproc_commonjs.js"
    )


def check_citeproc(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """briefdesk.E003: the citeproc-js file is missing."""
    problem = citeproc_problem(Path(settings.BRIEFDESK_CITEPROC_JS))
    return [Error(problem, id="briefdesk.E003")] if problem else []

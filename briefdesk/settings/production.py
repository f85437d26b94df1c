"""Production: SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS must come from the environment (or
the env file, settings/paths.py); HTTPS only.

Behind a TLS-terminating proxy that forwards `X-Forwarded-Proto: https`, nothing more needs
setting. When the proxy does not send that header (Django then sees every request as plain
HTTP) or for a plain-HTTP trial on a private machine, set SECURE_SSL_REDIRECT=false (and for
plain HTTP also SECURE_COOKIES=false); see docs/operating.md.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, WAGTAILADMIN_BASE_URL
from .env import envbool, envint, envlist

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production")
# The default SQLite file suits a demo, not a site: a production install that lost its
# DATABASE_URL (a unit without the env file, a cron job) must stop, not start an empty site.
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "production needs DATABASE_URL; set DATABASE_URL=sqlite:////abs/path.sqlite3 "
        "to use SQLite on purpose"
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
# Django sends HSTS only on requests it sees as HTTPS (X-Forwarded-Proto from the proxy).
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)


def _origin(url: str) -> list[str]:
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# The admin's forms post from the public base URL; trust it unless origins are given.
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", _origin(WAGTAILADMIN_BASE_URL))

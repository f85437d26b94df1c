"""Operations: request ids and logs, email, error reporting, the health endpoint's exemptions.

Read from the environment (docs/operating.md lists them):

- LOG_LEVEL (INFO), LOG_FORMAT (text | json), LOG_ACCESS (true): every line goes to stderr
  (journald under systemd) as `TIME LEVEL [REQUEST-ID] LOGGER: MESSAGE`, the request id
  being the X-Request-ID header (django-guid) or `-` outside a request (briefdesk.core.logs).
- EMAIL_URL (smtp://, smtp+tls://, smtp+ssl://, console://, file:///PATH, memory://), which
  wins over the separate EMAIL_HOST, EMAIL_PORT, ... variables (still read when it is unset).
- SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_TRACES_SAMPLE_RATE: error reports to Sentry (or a
  Sentry-compatible service) when the optional sentry-sdk is installed.

Every bad value stops start-up with one line (ImproperlyConfigured), never a traceback.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .env import envbool, envint, envstr
from .paths import DATA_DIR

# Apps the middleware below needs (base.INSTALLED_APPS includes them).
OPS_APPS: list[str] = ["django_guid"]

# Middleware that must run before everything else (base.MIDDLEWARE starts with these):
# the access log first, so it times the whole request and writes its line after django-guid
# has put the request id on the response; then the request id; then the hook that lets a
# failed notification email reach the admin user as a message (briefdesk.core.mail).
OPS_MIDDLEWARE: list[str] = [
    "briefdesk.core.logs.AccessLogMiddleware",
    "django_guid.middleware.guid_middleware",
    "briefdesk.core.mail.MailFailureMessagesMiddleware",
]

# --- request ids ---------------------------------------------------------------------------
# X-Request-ID from the proxy (nginx: proxy_set_header X-Request-ID $request_id) is kept when
# it is a UUID (nginx's 32 hex digits are), else replaced by a new one; echoed on responses.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    # Only for cross-origin JavaScript reading the header; nothing here does.
    "EXPOSE_HEADER": False,
}

# --- logs ----------------------------------------------------------------------------------
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _level(name: str, default: str) -> str:
    raw = envstr(name, default)
    value = raw.strip().upper()
    if value not in _LEVELS:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(_LEVELS)}, not {raw!r}")
    return value


LOG_LEVEL = _level("LOG_LEVEL", "INFO")
LOG_FORMAT = envstr("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
# One INFO line per request on the logger briefdesk.access (briefdesk.core.logs).
LOG_ACCESS = envbool("LOG_ACCESS", True)

LOGGING_CONFIG = "briefdesk.core.logs.configure_logging"
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "briefdesk.core.logs.RequestIdFilter"},
        "one_line_disallowed_host": {"()": "briefdesk.core.logs.DisallowedHostFilter"},
        "first_line": {"()": "briefdesk.core.logs.FirstLineFilter"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "json": {"()": "briefdesk.core.logs.JsonFormatter"},
    },
    "handlers": {
        # stderr: journald keeps it under systemd (journalctl -u briefdesk).
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        },
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults give "django" a second console handler in debug (every line twice)
        # and mail_admins; the root handler prints its lines, error reports go to Sentry.
        "django": {"handlers": [], "level": LOG_LEVEL},
        # A request with a Host not in ALLOWED_HOSTS (scanners, a load balancer probing by IP)
        # is one WARNING line and a 400, not an ERROR with a traceback per request.
        "django.security.DisallowedHost": {"filters": ["one_line_disallowed_host"]},
        # Python's warnings (captured by LOGGING_CONFIG), one line each.
        "py.warnings": {"filters": ["first_line"]},
        # "Generated new GUID" on every request is noise; an invalid X-Request-ID stays a warning.
        "django_guid": {"level": "WARNING"},
        # The server's own lines inside its workers ("Started worker-1"), in the same format.
        "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # One line per background task and per page action is noise on a console.
        "django_tasks": {"level": "WARNING"},
        # httpx logs every request of the fetcher at INFO ("HTTP Request: GET …"); the fetcher
        # reports what matters (a refused or failed fetch) itself.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "wagtail": {"level": _level("WAGTAIL_LOG_LEVEL", "WARNING")},
        # WeasyPrint's warnings are collected per render and shown in the admin (briefs.pdf);
        # its progress lines and notes on unsupported screen CSS are not for the console.
        "weasyprint": {"level": "WARNING", "handlers": ["null"], "propagate": False},
    },
}

# --- the health endpoint -------------------------------------------------------------------
# A load balancer probes http://BACKEND/healthz in plain HTTP: with SECURE_SSL_REDIRECT on
# (production) it would get a 301 to https:// and count the server as down.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- email ---------------------------------------------------------------------------------
# Real SMTP unless told otherwise; dev and the demo write messages to files instead
# (settings/dev.py), tests keep them in memory.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
# Without a timeout a dead mail server holds the editor's request (submit, approve) forever.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "briefdesk@localhost")
SERVER_EMAIL = envstr("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_EMAIL_SCHEMES = {
    # scheme: (dj-email-url scheme, query added, default port)
    "smtp": ("smtp", {}, None),
    "smtp+tls": ("smtp", {"tls": "true"}, 587),
    "smtp+ssl": ("smtp", {"ssl": "true"}, 465),
    "submission": ("submission", {}, None),
    "console": ("console", {}, None),
    "file": ("file", {}, None),
    "memory": ("memory", {}, None),
}
_EMAIL_QUERY = {"tls", "ssl", "timeout", "_server_email", "_default_from_email"}
_EMAIL_URL_FORMS = (
    "smtp://USER:PASSWORD@HOST:25, smtp+tls://USER:PASSWORD@HOST:587, "
    "smtp+ssl://USER:PASSWORD@HOST:465, console://, file:///PATH or memory://"
)


def email_settings_from_url(url: str) -> dict[str, Any]:
    """Django's EMAIL_* settings for an email URL, parsed by dj-email-url.

    Adds to dj-email-url the schemes smtp+tls:// (STARTTLS, port 587 by default) and
    smtp+ssl:// (TLS from the first byte, port 465), reads file:///PATH as the absolute path
    /PATH, and refuses what it would silently get wrong: an unknown scheme or query parameter,
    a port or timeout that is no number, smtps:// (STARTTLS to dj-email-url, implicit TLS to
    most people). Settings the URL does not give (timeout, from addresses) are left out.
    The error never repeats the URL: it may hold the mail password.
    """
    import dj_email_url

    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "smtps":
        raise ImproperlyConfigured(
            "EMAIL_URL: smtps:// is ambiguous; use smtp+ssl:// (TLS on connect, port 465) "
            "or smtp+tls:// (STARTTLS, port 587)"
        )
    if scheme not in _EMAIL_SCHEMES:
        shown = f"{scheme}://" if scheme else "no scheme"
        raise ImproperlyConfigured(f"EMAIL_URL has {shown}; use {_EMAIL_URL_FORMS}")
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - _EMAIL_QUERY)
    if unknown:
        raise ImproperlyConfigured(
            f"EMAIL_URL has an unknown parameter {unknown[0]!r} "
            f"(known: {', '.join(sorted(_EMAIL_QUERY))})"
        )
    base_scheme, extra_query, default_port = _EMAIL_SCHEMES[scheme]
    query_string = urllib.parse.urlencode({**extra_query, **{k: v[-1] for k, v in query.items()}})
    normalised = urllib.parse.urlunsplit(
        (base_scheme, parts.netloc, parts.path, query_string, parts.fragment)
    )
    try:
        conf: dict[str, Any] = dj_email_url.parse(normalised)
        port = parts.port
    except ValueError as exc:
        # urllib: "Port could not be cast to integer value as 'x'"; int(): the timeout.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ImproperlyConfigured(f"EMAIL_URL is not a valid email URL: {reason}") from None
    if conf.get("EMAIL_TIMEOUT") is None:
        del conf["EMAIL_TIMEOUT"]
    if conf["EMAIL_BACKEND"] == SMTP_BACKEND:
        conf["EMAIL_HOST_USER"] = conf["EMAIL_HOST_USER"] or ""
        conf["EMAIL_HOST_PASSWORD"] = conf["EMAIL_HOST_PASSWORD"] or ""
        if port is None and default_port:
            conf["EMAIL_PORT"] = default_port
        if conf["EMAIL_USE_TLS"] and conf["EMAIL_USE_SSL"]:
            raise ImproperlyConfigured("EMAIL_URL asks for both STARTTLS and SSL; choose one")
        del conf["EMAIL_FILE_PATH"]
    elif scheme == "file":
        # dj-email-url drops the path's leading slash (file:///var/mail → var/mail).
        path = urllib.parse.unquote(parts.path)
        if not Path(path).is_absolute() or parts.netloc:
            raise ImproperlyConfigured(
                "EMAIL_URL: file:// needs an absolute directory, as in file:///var/lib/briefdesk/mail"
            )
        conf = {"EMAIL_BACKEND": conf["EMAIL_BACKEND"], "EMAIL_FILE_PATH": path}
    else:
        conf = {"EMAIL_BACKEND": conf["EMAIL_BACKEND"]}
    return conf


# Not kept as a setting of its own: the URL holds the mail password.
_email_url = envstr("EMAIL_URL", "").strip()
if _email_url:
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ... as the URL gives them.
    globals().update(email_settings_from_url(_email_url))
# True when EMAIL_URL chose the backend (settings/dev.py then keeps it).
EMAIL_FROM_URL = bool(_email_url)

# The admin's "Forgotten password?" form: says when the mail server is down, whoever asks.
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "briefdesk.core.mail.PasswordResetForm"

# --- error reporting -----------------------------------------------------------------------


def _sample_rate(name: str) -> float:
    raw = envstr(name, "0").strip() or "0"
    try:
        rate = float(raw)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {raw!r}")
    return rate


def _start_sentry(dsn: str) -> None:
    """Error reports (unhandled exceptions, ERROR log lines) to the service at `dsn`.

    No personal data: no user ids, cookies or client addresses (send_default_pii=False).
    """
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'briefdesk[sentry]'"
        ) from None
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = f"briefdesk@{version('briefdesk')}"
    except PackageNotFoundError:
        release = None
    try:
        sentry_sdk.init(
            dsn=dsn,
            environment=envstr("SENTRY_ENVIRONMENT", "production"),
            release=release,
            traces_sample_rate=_sample_rate("SENTRY_TRACES_SAMPLE_RATE"),
            send_default_pii=False,
            integrations=[DjangoIntegration()],
        )
    except Exception as exc:  # sentry_sdk.utils.BadDsn and whatever the DSN parser raises
        raise ImproperlyConfigured(f"SENTRY_DSN is not a valid DSN: {exc}") from None


if envstr("SENTRY_DSN", "").strip():
    _start_sentry(envstr("SENTRY_DSN", "").strip())

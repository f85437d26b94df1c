"""Operations: email, logging and error reporting."""

from __future__ import annotations

from .env import envbool, envint, envstr
from .paths import DATA_DIR

# Middleware that must run before everything else (base.MIDDLEWARE starts with these).
OPS_MIDDLEWARE: list[str] = []

# Email (moderation notifications, error mails). Real SMTP unless told otherwise; dev and the
# demo write messages to files instead (settings/dev.py), tests keep them in memory.
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # One line per background task and per page action is noise on a console.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": envstr("WAGTAIL_LOG_LEVEL", "WARNING")},
        # WeasyPrint's warnings are collected per render and shown in the admin (briefs.pdf);
        # its progress lines and notes on unsupported screen CSS are not for the console.
        "weasyprint": {"level": "WARNING", "handlers": ["null"], "propagate": False},
    },
}

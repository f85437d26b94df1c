"""Settings shared by every environment. Everything that differs between machines is read
from the environment; with nothing set, this gives a working site on SQLite in ./var."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from .env import envbool, envint, envlist, envstr

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The checkout root when running from source; node_modules lives here.
PROJECT_DIR = PACKAGE_DIR.parent

DATA_DIR = Path(envstr("BRIEFDESK_DATA_DIR", str(Path.cwd() / "var"))).resolve()

SECRET_KEY = envstr("SECRET_KEY", "")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "briefdesk.core",
    "briefdesk.sources",
    "briefdesk.citations",
    "briefdesk.topics",
    "briefdesk.briefs",
    "briefdesk.search",
    "briefdesk.importers",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "briefdesk.core.headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "briefdesk.urls"

# Security headers on every environment, so tests and the demo see what production sends.
# Public pages: no inline script or style, nothing framed, no plugins. Wagtail's own preview
# views override X-Frame-Options with SAMEORIGIN for the admin's preview panel; the admin
# (which needs inline scripts) gets ADMIN_CONTENT_SECURITY_POLICY (briefdesk.core.headers).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = envstr("SECURE_REFERRER_POLICY", "same-origin")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
ADMIN_URL_PREFIX = "/admin/"
# The admin and its preview frames: Wagtail's scripts and styles are partly inline, so only
# what cannot break it is restricted (framing by other sites, plugins, <base> hijacking).
ADMIN_CONTENT_SECURITY_POLICY = {
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "briefdesk.core.context_processors.site_chrome",
            ],
        },
    },
]

WSGI_APPLICATION = "briefdesk.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'briefdesk.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # SQLite keeps one file open per thread; persistent connections buy nothing there.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Reference imports post up to 5 MB of pasted text back for confirmation.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

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
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}

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

WAGTAIL_SITE_NAME = envstr("BRIEFDESK_SITE_NAME", "Briefdesk")
WAGTAILADMIN_BASE_URL = envstr("BRIEFDESK_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAIL_MODERATION_ENABLED = True
# No avatars from gravatar.com: the admin makes no third-party requests.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea"},
}

# PDFs of briefs (WeasyPrint): paper size "A4" or "letter"; the PDF variant WeasyPrint writes.
BRIEFDESK_PDF_PAGE_SIZE = envstr("BRIEFDESK_PDF_PAGE_SIZE", "A4")
BRIEFDESK_PDF_VARIANT = envstr("BRIEFDESK_PDF_VARIANT", "pdf/ua-1")

# Citations: citeproc-js (npm package `citeproc`, installed by `npm ci`) runs in mini-racer.
BRIEFDESK_CITEPROC_JS = Path(
    envstr("BRIEFDESK_CITEPROC_JS", str(PROJECT_DIR / "node_modules/citeproc/citeproc_commonjs.js"))
)
BRIEFDESK_PUBLISHER = envstr("BRIEFDESK_PUBLISHER", WAGTAIL_SITE_NAME)

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

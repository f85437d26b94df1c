"""Settings shared by every environment. Everything that differs between machines is read
from the environment (and the env file, settings/paths.py); with nothing set, this gives a
working site on SQLite in the data directory (the checkout's var/)."""

from __future__ import annotations

from .database import database_from_url, replica_databases
from .env import envbool, envint, envlist, envstr
from .ops import OPS_APPS, OPS_MIDDLEWARE
from .paths import DATA_DIR, PROJECT_DIR

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
    "briefdesk.bake",
    "briefdesk.importers",
    "briefdesk.feeds",
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
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    "csp",
    # What the operations middleware needs (request ids: django_guid), settings/ops.py.
    *OPS_APPS,
]

MIDDLEWARE = [
    *OPS_MIDDLEWARE,
    # Which database a request reads: a replica for anonymous reads, else the primary.
    "briefdesk.core.dbrouter.ReplicaRoutingMiddleware",
    # ETags and 304s for every response; then which responses shared caches may keep.
    "django.middleware.http.ConditionalGetMiddleware",
    "briefdesk.core.pagecache.middleware.PublicPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "briefdesk.core.headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The request's Site from the cache, without a query (Wagtail reads it from the request).
    "briefdesk.core.sitecache.CachedSiteMiddleware",
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

# DATABASE_URL: postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:////ABSOLUTE/PATH (settings/
# database.py). Unset: SQLite in the data directory (production refuses that, production.py).
# Not kept as a setting of its own: the URL holds the password.
DATABASES = {
    "default": database_from_url(
        envstr("DATABASE_URL", "") or f"sqlite:///{DATA_DIR / 'briefdesk.sqlite3'}",
        data_dir=DATA_DIR,
        conn_max_age=envint("CONN_MAX_AGE", 60),
    )
}
# DATABASE_REPLICA_URLS: comma-separated postgres:// URLs of streaming replicas (read-only
# aliases replica1, replica2…; briefdesk/core/dbrouter.py decides which reads go there, and
# with none every query goes to the primary). docs/deploy.md, "Read replicas".
DATABASES.update(
    replica_databases(
        envlist("DATABASE_REPLICA_URLS", []),
        data_dir=DATA_DIR,
        conn_max_age=envint("CONN_MAX_AGE", 60),
    )
)
BRIEFDESK_DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["briefdesk.core.dbrouter.ReplicaRouter"]

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

WHITENOISE_AUTOREFRESH = DEBUG

# Background jobs (captures, link checks, More on This Topic scores, PDFs made at publish).
# TASKS_BACKEND "immediate" (the default) runs each job in the request that makes it: nothing
# else to run, right for a small site. "database" queues jobs in the database for
# `briefdesk worker` processes (docs/operating.md, "Background jobs"). Not chosen by DEBUG:
# a queue with no worker would leave every job waiting, so the operator opts in with the
# worker running beside it.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


def task_backend(value: str) -> str:
    """The backend class for a TASKS_BACKEND value: a name above or its class path (empty is
    the default, "immediate")."""
    from django.core.exceptions import ImproperlyConfigured

    value = value.strip() or "immediate"
    if value in TASK_BACKENDS:
        return TASK_BACKENDS[value]
    if value in TASK_BACKENDS.values() or value == "django_tasks_db.backend.DatabaseBackend":
        return value
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be 'immediate' (jobs run where they are made) or 'database' "
        f"(jobs wait for `briefdesk worker`), not {value!r}"
    )


TASKS = {"default": {"BACKEND": task_backend(envstr("TASKS_BACKEND", "immediate"))}}

WAGTAIL_SITE_NAME = envstr("BRIEFDESK_SITE_NAME", "Briefdesk")
WAGTAILADMIN_BASE_URL = envstr("BRIEFDESK_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
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

# Citations: citeproc-js (npm package `citeproc`, installed by `npm ci --omit=dev` in the
# checkout) runs in mini-racer. An installed package has no checkout beside it: set the path.
# Missing file: system check briefdesk.E003.
# A relative path resolves against the checkout root, like BRIEFDESK_DATA_DIR.
BRIEFDESK_CITEPROC_JS = PROJECT_DIR / envstr(
    "BRIEFDESK_CITEPROC_JS", "node_modules/citeproc/citeproc_commonjs.js"
)
BRIEFDESK_PUBLISHER = envstr("BRIEFDESK_PUBLISHER", WAGTAIL_SITE_NAME)

# The public search's index (tantivy), a cache of the database kept per machine: rebuilt by
# `briefdesk search --rebuild` or the first search when missing. See docs/search.md.
BRIEFDESK_SEARCH_DIR = DATA_DIR / envstr("BRIEFDESK_SEARCH_DIR", "search")


# The parts below are kept in their own modules: files (media, static, private storage),
# operations (email, logging, error reporting), caches and the web archive (fetching).
from .archive import *  # noqa: E402, F403
from .caches import *  # noqa: E402, F403
from .files import *  # noqa: E402, F403
from .ops import *  # noqa: E402, F403

# Object storage: pages load image renditions from the bucket (settings/files.py).
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += S3_MEDIA_ORIGINS  # noqa: F405

"""The page cache: anonymous readers' pages served without Django, purged exactly.

- `app.CachedApplication` answers hits in front of Django (briefdesk.wsgi wraps the site with
  `wrap`); `middleware.PublicPagesMiddleware` says which responses are public.
- `stores`: a directory shared by the machine's processes (default) or Redis (REDIS_URL).
- `purge`: what a change to a brief, source, outlet, expert, guide or link state shows on, sent
  through Wagtail's purge batches to every backend of WAGTAILFRONTENDCACHE (this store as
  `backend.PageStoreBackend`, Varnish or a CDN).

docs/deploy.md tells operators how to configure it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .stores import PageStore


@cache
def page_store() -> PageStore | None:
    """The configured store, made once per process (None with PAGE_CACHE=false)."""
    from django.conf import settings

    from .stores import FileStore, RedisStore

    if not settings.PAGE_CACHE:
        return None
    if settings.REDIS_URL:
        return RedisStore(settings.REDIS_URL, ttl=settings.PAGE_CACHE_TTL)
    return FileStore(settings.PAGE_CACHE_DIR, ttl=settings.PAGE_CACHE_TTL)


def wrap(application: Any) -> Any:
    """The WSGI application behind the page cache, or as it is when the cache is off."""
    from django.conf import settings

    from .app import CachedApplication

    store = page_store()
    if store is None:
        return application
    return CachedApplication(
        application,
        store,
        session_cookie=settings.SESSION_COOKIE_NAME,
        # Django names the header as in request.META, which is the WSGI environ's name too.
        proxy_ssl_header=settings.SECURE_PROXY_SSL_HEADER,
        ssl_redirect=settings.SECURE_SSL_REDIRECT,
    )

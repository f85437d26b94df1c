"""Serving uploaded media (issue 11, work in progress): today only under DEBUG."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404("media is served by the web server")
    return serve(request, path, document_root=settings.MEDIA_ROOT)

"""SKELETON (issue 12, site chrome): robots.txt, the favicon, the 500 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse("User-agent: *\nDisallow:\n", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Server error", status=500, content_type="text/plain")

"""GET /media/<path>: the public part of MEDIA_ROOT, safe to route in every environment.

Only image renditions (MEDIA_ROOT/images/, what every page, feed and PDF links to) are public.
Everything else under /media/ is 404: documents/ (Wagtail's /documents/<id>/<name> view checks
the collection's privacy first), original_images/ (uploads as given, with their camera and
location metadata; the site links only to renditions), and any other or malformed path.

Rendition names are unique per file (Wagtail names a rendition after its image file, its filter
and its focal point), so they are cached for a year. Behind nginx, deploy/nginx/briefdesk.conf
serves /media/images/ from disk and sends the rest of /media/ here; with BRIEFDESK_SENDFILE=nginx
this view answers with X-Accel-Redirect instead of streaming.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .sendfile import file_response

PUBLIC_PREFIXES = ("images",)
RENDITION_CACHE = "public, max-age=31536000, immutable"
# Formats Wagtail writes that Python's table may not know (then nosniff would stop the image).
IMAGE_TYPES = {".avif": "image/avif", ".webp": "image/webp", ".svg": "image/svg+xml"}
# An image opened on its own runs nothing (an SVG could otherwise run script on this origin).
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def public_media_file(path: str) -> Path | None:
    """The file under MEDIA_ROOT that /media/<path> may serve, or None.

    None for a path outside the public prefixes, with an empty, dot or dot-dot segment or a
    backslash or NUL anywhere, for a file that is not there, and for a symlink that leads out.
    """
    parts = PurePosixPath(path).parts
    if (
        len(parts) < 2
        or parts[0] not in PUBLIC_PREFIXES
        or path != "/".join(parts)  # "a//b", "a/./b", a trailing slash
        or any(part in (".", "..") or part.startswith(".") for part in parts)
        or "\\" in path
        or "\0" in path
    ):
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    found = (root / Path(*parts)).resolve()
    if not found.is_relative_to(root / parts[0]) or not found.is_file():
        return None
    return found


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    found = public_media_file(path)
    if found is None:
        raise Http404("Not a public media file")
    stat = found.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if not_modified is not None:
        not_modified["Cache-Control"] = RENDITION_CACHE
        return not_modified
    content_type = (
        IMAGE_TYPES.get(found.suffix.lower())
        or mimetypes.guess_type(found.name)[0]
        or "application/octet-stream"
    )
    response = file_response(found, content_type=content_type)
    response["Cache-Control"] = RENDITION_CACHE
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response

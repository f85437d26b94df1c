"""The read API's HTTP rules, the same for every endpoint:

- HEAD answers as GET does (same status and headers, ETag and 304 included); the server
  drops the body, as it does for every other view of the site (django-ninja routes by
  method and would answer 405: `ReadAPI.urls` wraps each view in `head_as_get`);
- every answer carries an `ETag` (a hash of its body) and a short public `Cache-Control`; a
  GET whose `If-None-Match` names the current ETag gets `304 Not Modified` and no body;
- a query parameter the endpoint does not know is a 400 naming it (django-ninja ignores unknown
  parameters by default, so a misspelt filter would silently return everything);
- a value the schema refuses (`?page=abc`, `?date_from=yesterday`) is a 400 whose `detail`
  says which parameter and why; a value the schema accepts but names nothing (an unknown
  slug, a topic no reader can see, a page past the end) is a 404. Both are JSON.

    api = ReadAPI(...)              # a NinjaAPI with the rules above
    api.add_decorator(reject_unknown_parameters, mode="view")
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from ninja import NinjaAPI
from ninja.errors import ValidationError

# Readers see a change within a minute; clients revalidate cheaply with the ETag meanwhile.
MAX_AGE = 60


def with_etag(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Give a response its ETag and Cache-Control, or answer 304 for a successful GET the
    client already holds. Streaming responses are left alone (no body to hash)."""
    if response.streaming or not isinstance(response, HttpResponse):
        return response
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if response.status_code == 200 and request.method in ("GET", "HEAD"):
        conditional = get_conditional_response(request, etag=etag, response=response)
        if conditional is not None:
            return conditional
    return response


def etagged(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """`with_etag` for a plain Django view (the OpenAPI schema, the JSON 404 below)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return with_etag(request, view(request, *args, **kwargs))

    return wrapper


@etagged
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under /api/: a JSON 404, never the site's HTML page."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}. The API is described at /api/v1/."},
        status=404,
    )


class ReadAPI(NinjaAPI):
    """NinjaAPI with ETags on every answer and 400/404 JSON errors (module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # django-ninja types a handler as taking the exception or its class; it is called
        # with the exception.
        self.add_exception_handler(ValidationError, self._invalid)  # type: ignore[arg-type]
        self.add_exception_handler(Http404, self._not_found)  # type: ignore[arg-type]

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        """NinjaAPI's URL configuration, each view answering HEAD as GET (`head_as_get`)."""
        patterns, app_name, namespace = super().urls
        return [_with_head(p) for p in patterns], app_name, namespace

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return with_etag(request, response)  # type: ignore[return-value]

    def _invalid(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        return self.create_response(
            request,
            {"detail": validation_message(exc.errors), "errors": exc.errors},
            status=400,
        )

    def _not_found(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        return self.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


def head_as_get(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """HEAD runs the view as a GET: the same status, headers and ETag, 304 to a matching
    If-None-Match. The body stays for the server to drop (Django's runserver, gunicorn-style
    servers and nginx do; Django's test client too), so Content-Length is the GET's. A 405
    names HEAD among the methods allowed wherever GET is."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "HEAD":
            request.method = "GET"
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        else:
            response = view(request, *args, **kwargs)
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        if response.status_code == 405 and "GET" in allowed and "HEAD" not in allowed:
            response["Allow"] = ", ".join([*allowed, "HEAD"])
        return response

    return wrapper


def _with_head(pattern: URLResolver | URLPattern) -> URLResolver | URLPattern:
    if not isinstance(pattern, URLPattern):
        return pattern
    return URLPattern(
        pattern.pattern, head_as_get(pattern.callback), pattern.default_args, pattern.name
    )


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One sentence per refused parameter: "page: Input should be a valid integer, …"."""
    parts = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        name = ".".join(location) or "request"
        parts.append(f"{name}: {error.get('msg', 'invalid value')}")
    return "Invalid parameter. " + "; ".join(parts) if parts else "Invalid request."


def reject_unknown_parameters(run: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """A ninja "view" decorator (it wraps `Operation.run`, before validation): a 400 naming
    any query parameter the operation does not declare."""
    operation = run.__self__  # type: ignore[attr-defined]
    known = sorted(
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    )

    @wraps(run)
    def checked(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        unknown = sorted(set(request.GET) - set(known))
        if unknown:
            accepted = ", ".join(known) if known else "none"
            plural = "s" if len(unknown) > 1 else ""
            # Outside Operation.run's own error handling: answer here, never raise.
            message = (
                f"Unknown query parameter{plural}: {', '.join(unknown)}. "
                f"This endpoint accepts: {accepted}."
            )
            return operation.api.create_response(request, {"detail": message}, status=400)
        return run(request, **kwargs)

    return checked

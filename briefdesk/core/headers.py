"""The Content-Security-Policy header: strict on public pages, loose in the admin, none on PDFs.

django-csp's middleware with three changes:

- Under ADMIN_URL_PREFIX (the Wagtail admin and its preview frames) the policy is
  ADMIN_CONTENT_SECURITY_POLICY instead of CONTENT_SECURITY_POLICY: Wagtail's admin relies on
  inline scripts and styles, so there only framing, plugins and `<base>` are restricted.
- Previews of public pages (Wagtail renders them through the whole middleware stack with a
  stand-in request for the page's public URL, marked `is_preview`) get the public policy with
  `frame-ancestors 'self'`, so the admin's preview panel can frame them and an author sees in
  the preview what the public policy would block.
- PDF responses get no policy: Chromium's PDF viewer draws its page with inline styles and
  shows a blank or clipped page when the PDF's own response forbids them.

Views decorated with django-csp's decorators (`csp_update`, `csp_exempt`, …) keep working.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin, preview and PDF rules described above."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith("application/pdf"):
            response._csp_exempt = True  # type: ignore[attr-defined]
        return super().process_response(request, response)

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if getattr(request, "is_preview", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
            return parts
        prefix = getattr(settings, "ADMIN_URL_PREFIX", None)
        admin_policy = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None)
        if (
            not report_only
            and parts.config is None
            and prefix
            and admin_policy
            and request.path_info.startswith(prefix)
        ):
            parts.config = dict(admin_policy)
        return parts

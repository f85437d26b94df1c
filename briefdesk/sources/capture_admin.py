""" "Capture now": an editor asks for a fresh snapshot of one source's page from the admin.

Sources are captured on demand (issue 13) as well as on publish. The button posts here from
the Source health report; the capture runs through the task queue (`capture_source_task`,
queued once with `enqueue_once`, so pressing twice while a worker is busy adds no second job).
With the immediate backend it has already run when the editor comes back, so the message says
what it did; with the database backend it says the capture started.

Editors only, the same users as the report (`sources.publish_source`), checked on the server.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_tasks.base import TaskResultStatus
from wagtail.admin import messages

from briefdesk.core.tasks import enqueue_once

from .health_admin import can_see_health
from .linkhealth import checkable
from .models import Source
from .tasks import capture_source_task

URL_NAME = "source_capture_now"


def capture_message(title: str, result: Any) -> tuple[bool, str]:
    """(success?, the one line an editor reads) for a queued capture's TaskResult, or None
    when an equal capture was already waiting."""
    if result is None:
        return (
            True,
            f"Capture of ‘{title}’ is already waiting; the snapshot appears when it has run.",
        )
    if result.status == TaskResultStatus.SUCCESSFUL:
        done = result.return_value
        if done["state"] == "captured":
            return True, f"Captured ‘{title}’: a new snapshot was stored."
        if done["state"] == "unchanged":
            return (
                True,
                f"‘{title}’ is unchanged since its latest snapshot; nothing new was stored.",
            )
        return False, f"Capture of ‘{title}’ failed: {done['reason']}"
    if result.status == TaskResultStatus.FAILED:
        return False, f"Capture of ‘{title}’ failed: an unexpected error (see the server log)."
    return True, f"Capture of ‘{title}’ started; the snapshot appears when it has run."


def _back(request: HttpRequest) -> str:
    # `next` comes in the form (the report) or on the action's URL (the source's edit page).
    back = request.POST.get("next", "") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    return back or reverse("source_health")


@require_POST
def capture_now(request: HttpRequest) -> HttpResponse:
    """Capture one source (`source`, its id) and go back to `next` (or the report)."""
    if not can_see_health(request.user):
        # A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard).
        return HttpResponseForbidden("Only editors may capture sources.")
    back = _back(request)
    raw = request.POST.get("source", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        messages.error(request, "No such source.")
        return HttpResponseRedirect(back)
    source = checkable(Source.objects.filter(pk=int(raw))).only("pk", "title", "url").first()
    if source is None:
        messages.error(request, "No such source with a web link to capture.")
        return HttpResponseRedirect(back)
    title = source.title or source.url
    ok, text = capture_message(title, enqueue_once(capture_source_task, source.pk))
    (messages.success if ok else messages.error)(request, text)
    return HttpResponseRedirect(back)

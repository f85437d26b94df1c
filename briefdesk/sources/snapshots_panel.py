"""A read-only panel on a source's edit page: its snapshots (newest first) and, for editors,
"Capture now".

Kept out of models.py (which lists it in `Source.panels`) and free of model imports at load
time, so models.py can import it. The edit page is itself a form, and forms do not nest: the
button submits that form to the capture view instead (`formaction`), carrying its CSRF token
and `source` as the button's own value; the capture view ignores the other fields and sends
the editor back to this page (`?next=` on the action). Unsaved edits are not kept, which the
help text says."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from wagtail.admin.panels import Panel

MAX_LISTED = 20


class SnapshotsPanel(Panel):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("heading", "Snapshots")
        kwargs.setdefault(
            "help_text",
            "Archived copies of the page at the URL, newest first. “Capture now” takes one at "
            "once; save your changes first, they are not kept.",
        )
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "sources/panels/snapshots.html"

        def is_shown(self) -> bool:
            return self.instance is not None and self.instance.pk is not None

        def get_context_data(self, parent_context: Any = None) -> Any:
            from .capture_admin import URL_NAME
            from .health_admin import can_see_health
            from .richtext import is_web_url
            from .views import public_sources

            context = super().get_context_data(parent_context)
            source = self.instance
            snapshots = list(source.snapshots.order_by("-captured_at", "-id")[: MAX_LISTED + 1])
            here = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
            may_capture = (
                self.request is not None
                and can_see_health(self.request.user)
                and is_web_url(source.url)
            )
            context.update(
                source=source,
                snapshots=snapshots[:MAX_LISTED],
                more=len(snapshots) > MAX_LISTED,
                public=bool(snapshots) and public_sources().filter(pk=source.pk).exists(),
                capture_url=(
                    f"{reverse(URL_NAME)}?{urlencode({'next': here})}" if may_capture else ""
                ),
            )
            return context

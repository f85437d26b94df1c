"""Background jobs of the sources app (django-tasks: the immediate backend runs them where
they are enqueued; the database backend in `briefdesk worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def capture_source_task(source_id: int) -> dict[str, Any]:
    """Capture one source (briefdesk.sources.archiving.capture); the result says what it did:
    {"state": "captured" | "unchanged" | "failed", "snapshot": id or None, "kind", "reason"}."""
    from .archiving import capture

    outcome = capture(source_id)
    failure = outcome.failure
    return {
        "state": outcome.state,
        "snapshot": outcome.snapshot.pk if outcome.snapshot else None,
        "kind": failure.kind if failure else "",
        "reason": failure.reason if failure else "",
    }

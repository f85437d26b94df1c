"""Snapshots of sources: capture a source's URL into a Snapshot, all or nothing.

    outcome = capture(source.pk)          # Outcome("captured" | "unchanged" | "failed", ...)
    snapshot_or_failure = capture_source(source.pk)   # Snapshot | CaptureFailed

A capture fetches the URL (briefdesk.archive.fetch, purpose "capture": the guard applies,
robots.txt does not, since a person or a publication asked for it), writes the exchange as a
gzip WARC (briefdesk.archive.warc), keeps a PDF or another document as the file itself too,
extracts the main text (briefdesk.archive.text), and stores the files through
STORAGES["snapshots"] (private on disk, or an S3-compatible bucket) with one Snapshot row.

All or nothing: the row is written only after its files are stored, and a failure while
storing deletes the files already written, so there is never a row without files nor files
without a row. What is not a page is refused with a reason and stores nothing: no URL, a
fetch error (its kind and one-line message), an answer that is not 2xx, an empty body.

Idempotent: a capture whose payload has the same SHA-256 as the source's latest snapshot
stores nothing and answers "unchanged" with that snapshot (whenever it was taken: the copy
kept already says the same, and `archive --all` on a timer then stores only what changed).
Snapshots are never changed once written; a later capture is a new row.

Captures on first citation: when a brief is published, each source with a URL it cites that
has no snapshot yet gets a capture task (capture_source_task, once per source while one waits,
after the publish commits), unless settings.BRIEFDESK_CAPTURE_ON_PUBLISH is off. With a worker
(TASKS_BACKEND=database) the publish never waits; with the immediate backend the captures run
in the publishing process after the commit (each bounded by BRIEFDESK_FETCH_TIMEOUT).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.signals import page_published

from briefdesk.archive.fetch import FetchError, Policy, fetch
from briefdesk.archive.text import extract_text
from briefdesk.archive.warc import write_warc

from .models import Snapshot, Source

logger = logging.getLogger(__name__)

# A re-run (the command twice, a publish and an editor's request) within this time stores no
# second copy of the same payload.
_PAGE_TYPES = {"text/html", "application/xhtml+xml"}


@dataclass(frozen=True)
class CaptureFailed:
    """Why nothing was stored: a kind (a FetchError kind, or "no-source", "no-url",
    "http-status", "empty", "storage") and one line for people."""

    source_id: int
    url: str
    kind: str
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Outcome:
    """What a capture did: stored a new snapshot, found the latest one unchanged, or failed."""

    state: Literal["captured", "unchanged", "failed"]
    snapshot: Snapshot | None = None
    failure: CaptureFailed | None = None


def software() -> str:
    """The name the WARCs give their writer: briefdesk's version and the operator's contact."""
    from importlib.metadata import version

    import briefdesk

    contact = settings.BRIEFDESK_CONTACT_URL
    name = f"briefdesk/{briefdesk.__version__} warcio/{version('warcio')}"
    return f"{name} (+{contact})" if contact else name


def capture_source(source_id: int, *, policy: Policy | None = None) -> Snapshot | CaptureFailed:
    """The source's new (or unchanged latest) snapshot, or why none was stored."""
    outcome = capture(source_id, policy=policy)
    if outcome.snapshot is not None:
        return outcome.snapshot
    assert outcome.failure is not None
    return outcome.failure


def capture(source_id: int, *, policy: Policy | None = None) -> Outcome:
    """Capture the source's URL (see the module docstring for the rules)."""
    source = Source.objects.filter(pk=source_id).only("pk", "url").first()
    if source is None:
        return _failed(source_id, "", "no-source", f"There is no source {source_id}.")
    url = source.url.strip()
    if not url:
        return _failed(source_id, "", "no-url", "The source has no web URL to capture.")

    try:
        fetched = fetch(url, policy=policy, purpose="capture")
    except FetchError as exc:
        return _failed(source_id, url, exc.kind, exc.message)
    if not 200 <= fetched.status < 300:
        answer = f"{fetched.status} {fetched.reason}".strip()
        return _failed(
            source_id, url, "http-status", f"The server answered {answer}, not the page."
        )
    if not fetched.content:
        return _failed(source_id, url, "empty", "The server answered with an empty body.")

    stamp = fetched.fetched_at.strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{stamp}-{source_id}"
    warc = write_warc(
        fetched,
        software=software(),
        filename=f"{name}.warc.gz",
        operator=settings.BRIEFDESK_CONTACT_URL,
    )
    found = extract_text(
        fetched.content, fetched.content_type, charset=fetched.charset, url=fetched.final_url
    )
    is_document = fetched.content_type not in _PAGE_TYPES and not fetched.content_type.startswith(
        "text/"
    )

    with transaction.atomic():
        # One capture of a source at a time decides "unchanged" (the row lock; SQLite
        # serialises writers anyway).
        list(Source.objects.select_for_update().filter(pk=source_id).values_list("pk"))
        latest = Snapshot.objects.filter(source_id=source_id).order_by("-captured_at").first()
        if latest is not None and latest.sha256 == warc.payload_sha256:
            return Outcome("unchanged", snapshot=latest)

        snapshot = Snapshot(
            source_id=source_id,
            captured_at=fetched.fetched_at,
            url=url[:2000],
            final_url=fetched.final_url[:2000],
            status=fetched.status,
            content_type=fetched.content_type[:200],
            title=found.title[:1000],
            text=found.text,
            sha256=warc.payload_sha256,
            size=warc.payload_size,
        )
        stored: list[Any] = []
        try:
            snapshot.warc.save(f"{name}.warc.gz", ContentFile(warc.data), save=False)
            stored.append(snapshot.warc)
            if is_document:
                snapshot.document.save(
                    f"{name}{_extension(fetched.content_type)}",
                    ContentFile(fetched.content),
                    save=False,
                )
                stored.append(snapshot.document)
            snapshot.save()
        except Exception as exc:
            for field_file in stored:
                _delete_quietly(field_file)
            logger.exception("Snapshot of source %s not stored", source_id)
            return _failed(source_id, url, "storage", f"The snapshot could not be stored: {exc}")
    return Outcome("captured", snapshot=snapshot)


def _failed(source_id: int, url: str, kind: str, reason: str) -> Outcome:
    return Outcome("failed", failure=CaptureFailed(source_id, url, kind, reason))


def _extension(content_type: str) -> str:
    return {
        "application/pdf": ".pdf",
        "application/msword": ".doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/json": ".json",
        "application/xml": ".xml",
        "image/png": ".png",
        "image/jpeg": ".jpg",
    }.get(content_type, ".bin")


def _delete_quietly(field_file: Any) -> None:
    try:
        field_file.storage.delete(field_file.name)
    except Exception:  # the first error is the one to report
        logger.exception("Could not delete %s after a failed capture", field_file.name)


def sources_to_capture_for(brief_id: int) -> list[int]:
    """Ids of the sources with a URL that this brief cites and that have no snapshot.

    Live or not: a never-published source goes live with the brief, by another receiver of
    the same signal that may run after this one; a snapshot is shown only where the source
    has a public page, so capturing one that stays a draft exposes nothing."""
    return list(
        Source.objects.filter(citing_briefs__page_id=brief_id, snapshots__isnull=True)
        .exclude(url="")
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


def _enqueue_first_captures(brief_id: int) -> None:
    from briefdesk.core.tasks import enqueue_once

    from .tasks import capture_source_task

    for source_id in sources_to_capture_for(brief_id):
        try:
            enqueue_once(capture_source_task, source_id)
        except Exception:  # a capture must never undo or fail a publish
            logger.exception("Could not capture source %s cited by brief %s", source_id, brief_id)


def _capture_cited_on_publish(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not getattr(settings, "BRIEFDESK_CAPTURE_ON_PUBLISH", True):
        return
    brief_id = instance.pk
    # After the publish commits: the cited-source index is rebuilt by then, and a slow fetch
    # (the immediate task backend runs it right here) never holds the publish's transaction.
    transaction.on_commit(lambda: _enqueue_first_captures(brief_id))


_DISPATCH_UID = "briefdesk-capture-on-publish"


def connect_capture_on_publish() -> None:
    """Connect the first-citation capture to BriefPage's page_published (idempotent)."""
    from briefdesk.briefs.models import BriefPage

    page_published.connect(_capture_cited_on_publish, sender=BriefPage, dispatch_uid=_DISPATCH_UID)


@contextmanager
def capture_on_publish_paused() -> Iterator[None]:
    """Publish without the first-citation capture (the demo loader, which captures its
    sources from local copies instead of the real sites); connected again afterwards."""
    from briefdesk.briefs.models import BriefPage

    was_connected = page_published.disconnect(sender=BriefPage, dispatch_uid=_DISPATCH_UID)
    try:
        yield
    finally:
        if was_connected:
            connect_capture_on_publish()


connect_capture_on_publish()

"""What a reviewer compares a submission with: the last submission and the live version.

Wagtail's "Compare with previous version" compares a revision with the one saved just before
it. Wagtail 8 autosaves while an author types, and "Submit" then saves once more, so the
revision before a submission is the author's last autosave -- a copy of it -- and the
comparison says "There are no differences" (a "Save draft" just before "Submit" does the
same). A reviewer wants what changed since they last looked, or since readers last saw it:

    review = review_comparisons(obj, revision, request, "wagtailadmin_pages:revisions_compare")
    review.links   # [Comparison("Compare with live version", url), ...]
    review.notes   # ["No changes since the last submission"]

- *since the last submission*: the revision an earlier review task was given (the revision
  of a `TaskState` -- what a reviewer approved or sent back);
- *since the live version*: what readers see now.

A comparison is offered as a link only when it shows something: one with no changes is a
note instead, and the last submission is left out when it is the live version. The
changes are found with the same panels the compare view uses, for the same user, so a link
here never opens on "There are no differences".

The admin's two review surfaces use it through `core/templatetags/review_tags.py`: the
dashboard's "Awaiting your review" and the workflow dialog of the editor's status panel.
Pages and reviewed snippets (sources, outlets) alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.utils import quote
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from wagtail.admin.panels import get_edit_handler
from wagtail.models import Page, Revision

LIVE = "Compare with live version"
LAST_SUBMISSION = "Compare with last submission"
SAME_AS_LIVE = "No changes since the live version"
SAME_AS_SUBMISSION = "No changes since the last submission"


@dataclass(frozen=True)
class Comparison:
    label: str
    url: str


@dataclass(frozen=True)
class ReviewComparisons:
    """The comparisons offered for one revision under review."""

    links: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def last_submission_before(obj: Any, revision: Revision) -> Revision | None:
    """The newest revision of `obj` older than `revision` that was submitted for review
    (given to a workflow task), or None. Autosaves and drafts never count."""
    older = Q(created_at__lt=revision.created_at) | Q(
        created_at=revision.created_at, pk__lt=revision.pk
    )
    return (
        Revision.objects.for_instance(obj)
        .filter(older, task_states__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )


def _edit_handler(obj: Any) -> Any:
    if isinstance(obj, Page):
        return obj.get_edit_handler()
    viewset = getattr(obj, "snippet_viewset", None)
    return viewset.get_edit_handler() if viewset else get_edit_handler(type(obj))


def has_changes(obj: Any, older: Any, newer: Any, request: HttpRequest | None) -> bool:
    """Whether Wagtail's compare view, opened by `request`'s user, lists any change from
    `older` to `newer` (versions of `obj`, e.g. `revision.as_object()` or the live object).

    Without a request (no user to ask the panels about) it answers True: offering a
    comparison is the safe side.
    """
    if request is None:
        return True
    panel = _edit_handler(obj).get_bound_panel(instance=obj, request=request, form=None)
    return any(comparison(older, newer).has_changed() for comparison in panel.get_comparison())


def review_comparisons(
    obj: Any, revision: Revision, request: HttpRequest | None, compare_url_name: str
) -> ReviewComparisons:
    """The comparisons to offer a reviewer of `revision` (a revision of `obj`): with the
    live version, if any, and with the last submission, if there was one that is not the
    live version. `compare_url_name` is the model's revisions-compare URL name."""
    review = ReviewComparisons()
    newer = revision.as_object()

    def url(baseline: str | int) -> str:
        return reverse(compare_url_name, args=(quote(obj.pk), baseline, revision.pk))

    is_live = getattr(obj, "live", True)
    live_revision_id = getattr(obj, "live_revision_id", None) if is_live else None
    if live_revision_id and live_revision_id != revision.pk:
        # What readers see is the row in the database (`obj` may be a draft: the editor
        # passes the latest revision as the object).
        live = type(obj)._default_manager.get(pk=obj.pk)
        if has_changes(obj, live, newer, request):
            review.links.append(Comparison(LIVE, url("live")))
        else:
            review.notes.append(SAME_AS_LIVE)

    submitted = last_submission_before(obj, revision)
    if submitted is not None and submitted.pk != live_revision_id:
        if has_changes(obj, submitted.as_object(), newer, request):
            review.links.append(Comparison(LAST_SUBMISSION, url(submitted.pk)))
        else:
            review.notes.append(SAME_AS_SUBMISSION)
    return review

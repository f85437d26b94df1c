"""Two editors saving the same brief or source: the second save is refused with a message
naming the first, instead of silently replacing what the first saved.

    class BriefPage(Page):
        base_form_class = ConflictCheckedPageForm          # pages
    class Outlet(RevisionMixin, ...):
        base_form_class = ConflictCheckedModelForm        # snippets
    class SourceForm(EditConflictCheck, WagtailAdminModelForm): ...   # a snippet's own form

Wagtail 8 posts, with every edit form, the revision the editor loaded (`loaded_revision_id`,
`loaded_revision_created_at`) and, once the browser has autosaved, its own autosave revision
(`overwrite_revision_id`). It compares them with the latest revision only for autosaves (a
JSON post, answered "Saving will overwrite a newer version"); the browser's editing-session
ping shows "X has saved a newer version" up to 10 seconds late, and a form posted without
JavaScript, or between two pings, replaces the newer revision without a word. This check runs
the same comparison in the form's validation, for every post (save, publish, submit): a save
from an out-of-date form is a validation error, the editor's own changes stay in the form, and
the re-rendered form is loaded with the newer revision, so saving once more (having looked at
the latest version) replaces it on purpose.

Caveat: two saves at the very same moment on PostgreSQL may both pass the check (it reads,
it does not lock); SQLite runs one save at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Revision


def newer_revision(obj: Any, data: Mapping[str, Any], user: Any = None) -> Revision | None:
    """The revision another editor saved since `data`'s edit form was loaded, or None when
    the form is up to date, the object has no revisions yet, or the post does not say what it
    loaded (a create form, a form built in code): Wagtail's own `is_out_of_date` rule, on a
    fresh read of the object's latest revision.

    A newer revision by `user` (the editor posting) is not a conflict: it is their own
    autosave, made while the form was being posted (the browser had not yet put its id in
    the form). The same editor in two tabs is therefore not refused; Wagtail's ping still
    tells them "You saved a new version in another window"."""
    if obj is None or getattr(obj, "pk", None) is None:
        return None
    latest_id = (
        type(obj)._default_manager.filter(pk=obj.pk).values_list("latest_revision_id", flat=True)
    ).first()
    if latest_id is None:
        return None
    latest = Revision.objects.filter(pk=latest_id).select_related("user").first()
    if latest is None or (user is not None and latest.user_id == getattr(user, "pk", None)):
        return None
    # An editor who autosaved posts the revision that autosave made (and keeps rewriting).
    own_autosave = data.get("overwrite_revision_id")
    if own_autosave:
        return None if str(own_autosave) == str(latest.pk) else latest
    loaded = data.get("loaded_revision_id")
    if not loaded:
        return None
    if str(loaded) != str(latest.pk):
        return latest
    # The same revision, rewritten by another editor's autosave since it was loaded.
    if data.get("loaded_revision_created_at", "") != latest.created_at.isoformat():
        return latest
    return None


def conflict_message(revision: Revision, noun: str) -> str:
    """What the editor whose save was refused reads (one line, plain text)."""
    who = "Another editor"
    if revision.user is not None:
        who = revision.user.get_full_name() or revision.user.get_username()
    when = timezone.localtime(revision.created_at).strftime("%H:%M:%S")
    return (
        f"{who} saved a newer version of this {noun} at {when}, after you opened it. "
        "Your changes are not saved, so theirs are not lost: look at the latest version "
        "(History), then save again to replace it with yours."
    )


class EditConflictCheck:
    """A mixin for Wagtail admin model forms (before the form class in the bases): refuses
    the post of an edit form loaded before the object's latest revision."""

    data: Mapping[str, Any]
    instance: Any

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        newer = newer_revision(self.instance, self.data, getattr(self, "for_user", None))
        if newer is not None:
            noun = str(type(self.instance)._meta.verbose_name)
            self.add_error(None, conflict_message(newer, noun))  # type: ignore[attr-defined]
        return cleaned


class ConflictCheckedPageForm(EditConflictCheck, WagtailAdminPageForm):
    """WagtailAdminPageForm with the check: a page model's `base_form_class`."""


class ConflictCheckedModelForm(EditConflictCheck, WagtailAdminModelForm):
    """WagtailAdminModelForm with the check: a snippet model's `base_form_class`."""

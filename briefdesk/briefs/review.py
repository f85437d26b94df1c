"""Review in the admin, as the author and the editor meet it.

- The author sees an editor's change request -- who asked, when, and the comment -- on the
  dashboard ("Changes requested on your briefs", `changes_requested_for`) and as a message at
  the top of the brief's editor (`change_request_message`). Wagtail itself keeps the comment
  two clicks deep, in the status side panel's workflow dialog.
- Approving from the dashboard's "Awaiting your review" always asks first: every action there
  opens Wagtail's workflow modal (`confirmed_actions`), which for "Approve" says what will
  happen -- published now, scheduled for a time, or passed to a next task -- and takes an
  optional comment. Wagtail's plain "Approve" posts at once.
- Afterwards the editor is told what happened ("‘Title’ approved and published", "…approved
  and scheduled for …", "Changes requested on ‘Title’"): Wagtail's workflow action view says
  nothing (`ReportingWorkflowActionView`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.models import Page, Revision, TaskState, WorkflowState

from .models import BriefIndexPage, BriefPage
from .quote_checks import check_briefs, quote_checks_url, summary_text


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- change requests, for the author --------------------------------------------------------


@dataclass(frozen=True)
class ChangeRequest:
    """An editor's request for changes on a brief, as its author is shown it."""

    page: Page
    reviewer: str
    requested_at: dt.datetime | None
    comment: str
    edit_url: str


def _change_request(state: WorkflowState, page: Page) -> ChangeRequest:
    task_state = state.current_task_state
    reviewer = task_state.finished_by if task_state else None
    return ChangeRequest(
        page=page,
        reviewer=get_user_display_name(reviewer) if reviewer else "",
        requested_at=task_state.finished_at if task_state else None,
        comment=(task_state.specific.get_comment() if task_state else "") or "",
        edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
    )


def changes_requested_for(user: Any) -> list[ChangeRequest]:
    """Change requests on briefs `user` owns or submitted, newest first."""
    owned = Exists(
        BriefPage.objects.filter(
            owner=user, pk=Cast(OuterRef("object_id"), output_field=IntegerField())
        )
    )
    states = list(
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_NEEDS_CHANGES,
            content_type=ContentType.objects.get_for_model(BriefPage),
        )
        .filter(owned | Q(requested_by=user))
        .select_related("current_task_state", "current_task_state__finished_by")
        .order_by("-current_task_state__finished_at", "-pk")
    )
    pages = BriefPage.objects.in_bulk([int(state.object_id) for state in states])
    return [
        _change_request(state, pages[int(state.object_id)])
        for state in states
        if int(state.object_id) in pages
    ]


def change_request_message(page: Page) -> str:
    """The change request standing on `page`, as one line of HTML, or "" when none."""
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return ""
    request = _change_request(state, page)
    who = request.reviewer or "An editor"
    when = f" on {_when(request.requested_at)}" if request.requested_at else ""
    if request.comment:
        return format_html(
            "{} requested changes{}: <q>{}</q> Make them, then submit again.",
            who,
            when,
            request.comment,
        )
    return format_html("{} requested changes{}. Make them, then submit again.", who, when)


class ChangesRequestedPanel(Component):
    name = "changes_requested"
    template_name = "briefs/admin/changes_requested_panel.html"
    order = 205  # before Wagtail's "Your pages and snippets in a workflow"

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {"requests": changes_requested_for(parent_context["request"].user)}


# --- approving from the dashboard -------------------------------------------------------------


def confirmed_actions(actions: Iterable[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """Wagtail's task actions with every one opening the modal (so nothing happens on one
    click), one entry per action: "Approve" and "Approve with comment" become one "Approve"
    whose modal takes an optional comment."""
    seen: dict[str, tuple[str, str, bool]] = {}
    for name, label, _modal in actions:
        seen.setdefault(name, (name, label, True))
    return list(seen.values())


class ConfirmingModerationPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "Awaiting your review", with every action confirmed in a modal first, and
    under each brief's title its quote checks in one line ("Quotes: 2 found · 1 close"),
    linked to the list (`quote_checks`): the revision in review is what is checked."""

    def get_context_data(self, parent_context: Any) -> Any:
        context = super().get_context_data(parent_context)
        for state in context["states"]:
            state["actions"] = confirmed_actions(state["actions"])
        briefs = [
            (state, state["revision"].as_object())
            for state in context["states"]
            if isinstance(state["obj"], BriefPage)
        ]
        checked = check_briefs([brief for _state, brief in briefs])
        for (state, _brief), rows in zip(briefs, checked, strict=True):
            state["quote_summary"] = summary_text(rows)
        self._summaries = [
            render_to_string(
                "briefs/admin/moderation_quote_summary.html",
                {
                    "summary": state.get("quote_summary", ""),
                    "url": quote_checks_url(state["obj"].pk) if "quote_summary" in state else "",
                },
            )
            for state in context["states"]
        ]
        return context

    def render_html(self, parent_context: Any = None) -> str:
        # Wagtail's template has no block to extend: each summary goes after its row's
        # title, in the order of the rows.
        html = super().render_html(parent_context)
        marker = '<div class="title-wrapper">'
        head, *rows = html.split(marker)
        summaries = getattr(self, "_summaries", [])
        if len(rows) != len(summaries):
            return html
        out = [head]
        for row, summary in zip(rows, summaries, strict=True):
            title, closing, rest = row.partition("</div>")
            out.append(f"{marker}{title}{closing}{summary}{rest}")
        return mark_safe("".join(out))  # Wagtail's HTML and our template's, both escaped


def _tasks_after(task_state: TaskState) -> list[Any]:
    done = {TaskState.STATUS_APPROVED, TaskState.STATUS_SKIPPED}
    return [
        task
        for task in task_state.workflow_state.all_tasks_with_status()
        if task.pk != task_state.task_id and task.status not in done
    ]


def approval_outcome(task_state: TaskState) -> tuple[str, str]:
    """What approving `task_state` will do, before it is done: (sentence, button label)."""
    if later := _tasks_after(task_state):
        return (f"It then waits for “{later[0].name}”.", "Approve")
    go_live_at = task_state.revision.as_object().go_live_at
    if go_live_at and go_live_at > timezone.now():
        return (f"It will go live on {_when(go_live_at)}.", "Approve and schedule")
    return ("It will be published now.", "Approve and publish")


def action_outcome_message(page: Page, task_state: TaskState) -> str:
    """What a finished action on `task_state` did to `page`, in one sentence."""
    title = page.get_admin_display_title()
    if task_state.status == TaskState.STATUS_REJECTED:
        return f"Changes requested on ‘{title}’; its author sees your comment."
    workflow_state = task_state.workflow_state
    if workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
        next_task = workflow_state.current_task_state.task
        return f"‘{title}’ approved; it now waits for “{next_task.name}”."
    revision = Revision.objects.get(pk=task_state.revision_id)
    if revision.approved_go_live_at:
        return f"‘{title}’ approved and scheduled for {_when(revision.approved_go_live_at)}."
    if page.live and page.live_revision_id == revision.pk:
        return f"‘{title}’ approved and published."
    return f"‘{title}’ approved."


class ReportingWorkflowActionView(WorkflowActionView):
    """Wagtail's workflow action (approve, request changes), saying what will happen before
    approving and what happened after any action."""

    approve_template_name = "briefs/admin/approve_modal.html"

    def get_template_names(self) -> list[str]:
        if self.action_name == "approve":
            return [self.approve_template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.action_name == "approve":
            outcome, label = approval_outcome(self.task_state)
            context.update(outcome=outcome, action_verbose=label)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        self.task_state.refresh_from_db()
        if self.task_state.status in (TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED):
            page = Page.objects.get(pk=self.object.pk).specific
            buttons = []
            if page.live and page.url:
                buttons.append(messages.button(page.url, "View live", new_window=True))
            buttons.append(
                messages.button(reverse("wagtailadmin_pages:edit", args=[page.pk]), "Edit")
            )
            messages.success(
                request, action_outcome_message(page, self.task_state), buttons=buttons
            )
        return response


# --- starting a brief ---------------------------------------------------------------------


def new_brief_url(user: Any) -> str:
    """The add-brief form under the Briefs index, or "" if `user` may not add a brief
    (or there is no Briefs index yet)."""
    index = BriefIndexPage.objects.first()
    if index is None or not index.permissions_for_user(user).can_add_subpage():
        return ""
    return reverse("wagtailadmin_pages:add", args=["briefs", "briefpage", index.pk])


class NewBriefPanel(Component):
    name = "new_brief"
    template_name = "briefs/admin/new_brief_panel.html"
    order = 50  # first: writing is what most visits to the dashboard are for

    def __init__(self, add_url: str) -> None:
        self.add_url = add_url

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {"add_url": self.add_url}

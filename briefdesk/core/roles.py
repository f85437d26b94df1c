"""The two editorial roles, set up after every migrate (idempotently):

- Authors write and submit briefs for review; they cannot publish.
- Editors review, publish, schedule and unpublish.

A workflow "Editorial review" with one task for the Editors group is attached to the root page,
so every brief an author submits waits for an editor.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

AUTHORS = "Authors"
EDITORS = "Editors"
WORKFLOW = "Editorial review"

AUTHOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]

SNIPPET_MODELS = [("sources", "source"), ("sources", "outlet")]
AUTHOR_SNIPPET_ACTIONS = ["add", "change", "view"]
EDITOR_SNIPPET_ACTIONS = ["add", "change", "view", "delete"]
MEDIA_ACTIONS = [("wagtailimages", "image"), ("wagtaildocs", "document")]


def _perm(app_label: str, codename: str) -> Permission | None:
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def ensure_roles(**kwargs: Any) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from wagtail.models import (
        GroupApprovalTask,
        GroupPagePermission,
        Page,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    root = Page.get_first_root_node()
    if root is None:
        return
    # post_migrate reaches apps in order; make sure every app's permissions exist first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    authors, _ = Group.objects.get_or_create(name=AUTHORS)
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    admin_access = _perm("wagtailadmin", "access_admin")

    for group, page_perms, snippet_actions in (
        (authors, AUTHOR_PAGE_PERMISSIONS, AUTHOR_SNIPPET_ACTIONS),
        (editors, EDITOR_PAGE_PERMISSIONS, EDITOR_SNIPPET_ACTIONS),
    ):
        if admin_access:
            group.permissions.add(admin_access)
        for codename in page_perms:
            permission = _perm("wagtailcore", codename)
            if permission:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission
                )
        for app_label, model in SNIPPET_MODELS:
            for action in snippet_actions:
                permission = _perm(app_label, f"{action}_{model}")
                if permission:
                    group.permissions.add(permission)
        for app_label, model in MEDIA_ACTIONS:
            for action in ("add", "change", "choose"):
                permission = _perm(app_label, f"{action}_{model}")
                if permission:
                    group.permissions.add(permission)

    # Wagtail's migrations also create "Moderators" and a default workflow; ours replaces the
    # default on the root page so approval always rests with Editors.
    task = GroupApprovalTask.objects.filter(name="Editor approval").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Editor approval")
    task.groups.set([editors])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})

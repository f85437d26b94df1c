"""The two editorial roles, set up after every migrate (idempotently):

- Authors create briefs and edit their own (Wagtail's "add" page permission is exactly that),
  save drafts of sources and outlets and submit them for review; they publish nothing.
- Editors edit every brief, source and outlet, review, publish, schedule and unpublish.
- Both may upload, edit and choose images and documents (in every collection).

A workflow "Editorial review" with one task for the Editors group is attached to the root page
and to the Source and Outlet models, so whatever an author submits waits for an editor.

The lists below are the whole truth for the permissions they cover: ensure_roles adds what is
missing and takes away what a role must not hold (e.g. an author's old `change_page`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, connections, transaction

AUTHORS = "Authors"
EDITORS = "Editors"
WORKFLOW = "Editorial review"

# No "change_page" for authors: with "add" alone, Wagtail lets them edit only pages they own.
AUTHOR_PAGE_PERMISSIONS = ["add_page"]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]

SNIPPET_MODELS = [("sources", "source"), ("sources", "outlet")]
SNIPPET_ACTIONS = ["add", "change", "view", "delete", "publish", "lock", "unlock"]
# Authors save drafts and submit them; only an editor's "publish" changes what readers see.
AUTHOR_SNIPPET_ACTIONS = ["add", "change", "view"]
EDITOR_SNIPPET_ACTIONS = SNIPPET_ACTIONS
MEDIA_MODELS = [("wagtailimages", "image"), ("wagtaildocs", "document")]
# Images and documents are permitted per collection (GroupCollectionPermission); a plain group
# permission does not open their admin screens.
MEDIA_ACTIONS = ["add", "change", "choose"]


def _perm(app_label: str, codename: str) -> Permission | None:
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def ensure_roles(**kwargs: Any) -> None:
    """Create or repair the Authors and Editors groups, their permissions and the workflow.

    Safe to run any number of times (it runs after every migrate); does nothing before
    Wagtail's root page exists.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
        Workflow,
        WorkflowContentType,
        WorkflowPage,
        WorkflowTask,
    )
    from wagtail.snippets.models import create_extra_permissions

    # A partial migrate (`migrate contenttypes` on a new database) leaves tables missing.
    needed = [Group, Page, Workflow, WorkflowContentType, GroupCollectionPermission]
    existing = set(connections[kwargs.get("using", DEFAULT_DB_ALIAS)].introspection.table_names())
    if not {model._meta.db_table for model in needed} <= existing:
        return
    root = Page.get_first_root_node()
    if root is None:
        return
    # post_migrate reaches apps in order; make sure every app's permissions exist first,
    # including the publish/lock/unlock permissions Wagtail adds for draftable snippets.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    create_extra_permissions(apps.get_app_config("wagtailsnippets"))
    authors, _ = Group.objects.get_or_create(name=AUTHORS)
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    admin_access = _perm("wagtailadmin", "access_admin")
    root_collection = Collection.get_first_root_node()

    for group, page_perms, snippet_actions in (
        (authors, AUTHOR_PAGE_PERMISSIONS, AUTHOR_SNIPPET_ACTIONS),
        (editors, EDITOR_PAGE_PERMISSIONS, EDITOR_SNIPPET_ACTIONS),
    ):
        if admin_access:
            group.permissions.add(admin_access)
        GroupPagePermission.objects.filter(group=group, page=root).exclude(
            permission__content_type__app_label="wagtailcore",
            permission__codename__in=page_perms,
        ).delete()
        for codename in page_perms:
            permission = _perm("wagtailcore", codename)
            if permission:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission
                )
        for app_label, model in SNIPPET_MODELS:
            for action in SNIPPET_ACTIONS:
                permission = _perm(app_label, f"{action}_{model}")
                if permission is None:
                    continue
                if action in snippet_actions:
                    group.permissions.add(permission)
                else:
                    group.permissions.remove(permission)
        for app_label, model in MEDIA_MODELS:
            for action in MEDIA_ACTIONS:
                permission = _perm(app_label, f"{action}_{model}")
                if permission is None:
                    continue
                # Older installs held these as group permissions, which Wagtail ignores.
                group.permissions.remove(permission)
                if root_collection is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )

    # Wagtail's migrations also create "Moderators" and a default workflow; ours replaces the
    # default on the root page so approval always rests with Editors.
    task = GroupApprovalTask.objects.filter(name="Editor approval").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Editor approval")
    task.groups.set([editors])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    for app_label, model in SNIPPET_MODELS:
        content_type = ContentType.objects.get_for_model(apps.get_model(app_label, model))
        WorkflowContentType.objects.update_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )

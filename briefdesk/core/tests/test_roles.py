"""The editorial roles set up after every migrate (briefdesk.core.roles.ensure_roles):
Authors write and submit, Editors review and publish, through the "Editorial review" workflow
on the root page. Every rule is checked for the user it allows and the users it does not."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from briefdesk.core.roles import AUTHORS, EDITORS, WORKFLOW, ensure_roles

pytestmark = pytest.mark.django_db


def page_permissions(group: str) -> set[str]:
    root = Page.get_first_root_node()
    return set(
        GroupPagePermission.objects.filter(group__name=group, page=root).values_list(
            "permission__codename", flat=True
        )
    )


def root_workflow() -> Workflow:
    return WorkflowPage.objects.get(page=Page.get_first_root_node()).workflow


def state() -> dict[str, Any]:
    """Everything ensure_roles writes, to compare runs."""
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "group permissions": sorted(
            Group.objects.values_list("name", "permissions__codename").order_by()
        ),
        "page permissions": GroupPagePermission.objects.count(),
        "workflows": Workflow.objects.count(),
        "workflow tasks": WorkflowTask.objects.count(),
        "workflow pages": WorkflowPage.objects.count(),
        "approval tasks": GroupApprovalTask.objects.count(),
    }


# --- after migrate -----------------------------------------------------------------------


def test_authors_and_editors_groups_exist_after_migrate() -> None:
    assert Group.objects.filter(name=AUTHORS).exists()
    assert Group.objects.filter(name=EDITORS).exists()


@pytest.mark.parametrize("group", [AUTHORS, EDITORS])
def test_both_roles_may_open_the_admin(group: str) -> None:
    codenames = Group.objects.get(name=group).permissions.values_list("codename", flat=True)

    assert "access_admin" in codenames


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (AUTHORS, {"add_page", "change_page"}),
        (EDITORS, {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"}),
    ],
)
def test_each_role_has_its_page_permissions_on_the_root_page(
    group: str, expected: set[str]
) -> None:
    assert page_permissions(group) == expected


def test_the_editorial_review_workflow_is_attached_to_the_root_page() -> None:
    workflow = root_workflow()

    assert workflow.name == WORKFLOW == "Editorial review"
    assert workflow.active


def test_the_workflows_only_task_is_assigned_to_editors() -> None:
    tasks = [task.specific for task in root_workflow().tasks.all()]

    assert len(tasks) == 1
    assert isinstance(tasks[0], GroupApprovalTask)
    assert list(tasks[0].groups.values_list("name", flat=True)) == [EDITORS]


# --- idempotence and repair --------------------------------------------------------------


def test_running_ensure_roles_again_changes_nothing() -> None:
    before = state()

    ensure_roles()
    ensure_roles()

    assert state() == before


def test_ensure_roles_hands_review_back_to_editors() -> None:
    task = root_workflow().tasks.get().specific
    task.groups.set([Group.objects.get(name=AUTHORS)])
    WorkflowPage.objects.filter(page=Page.get_first_root_node()).update(
        workflow=Workflow.objects.create(name="Someone else's workflow")
    )

    ensure_roles()

    assert root_workflow().name == WORKFLOW
    task = root_workflow().tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == [EDITORS]


def test_ensure_roles_restores_a_removed_permission() -> None:
    editors = Group.objects.get(name=EDITORS)
    GroupPagePermission.objects.filter(group=editors, permission__codename="publish_page").delete()
    editors.permissions.remove(*editors.permissions.filter(codename="delete_source"))

    ensure_roles()

    assert "publish_page" in page_permissions(EDITORS)
    assert editors.permissions.filter(codename="delete_source").exists()


# --- each rule, from each side -----------------------------------------------------------

MODEL_PERMISSIONS = [
    # (permission, who has it)
    ("wagtailadmin.access_admin", {"author", "editor", "admin"}),
    ("sources.add_source", {"author", "editor", "admin"}),
    ("sources.change_source", {"author", "editor", "admin"}),
    ("sources.view_source", {"author", "editor", "admin"}),
    ("sources.delete_source", {"editor", "admin"}),
    ("sources.add_outlet", {"author", "editor", "admin"}),
    ("sources.change_outlet", {"author", "editor", "admin"}),
    ("sources.delete_outlet", {"editor", "admin"}),
    ("wagtailimages.add_image", {"author", "editor", "admin"}),
    ("wagtailimages.choose_image", {"author", "editor", "admin"}),
    ("wagtaildocs.add_document", {"author", "editor", "admin"}),
    ("wagtaildocs.choose_document", {"author", "editor", "admin"}),
]


@pytest.mark.parametrize(("permission", "holders"), MODEL_PERMISSIONS)
@pytest.mark.parametrize("who", ["author", "editor", "admin", "reader"])
def test_only_the_right_users_hold_each_permission(
    users: Any, who: str, permission: str, holders: set[str]
) -> None:
    user = getattr(users, who)

    assert user.has_perm(permission) == (who in holders)


PAGE_ACTIONS = [
    # (action on a published page under the root, who may)
    ("can_add_subpage", {"author", "editor", "admin"}),
    ("can_edit", {"author", "editor", "admin"}),
    ("can_publish", {"editor", "admin"}),
    ("can_unpublish", {"editor", "admin"}),
    ("can_lock", {"editor", "admin"}),
    ("can_delete", {"editor", "admin"}),  # authors may delete only drafts
]


@pytest.mark.parametrize(("action", "allowed"), PAGE_ACTIONS)
@pytest.mark.parametrize("who", ["author", "editor", "admin", "reader"])
def test_only_the_right_users_may_act_on_pages(
    users: Any, who: str, action: str, allowed: set[str]
) -> None:
    page = Page.get_first_root_node().add_child(instance=Page(title="Published", slug="pub"))
    tester = page.permissions_for_user(getattr(users, who))

    assert getattr(tester, action)() == (who in allowed)

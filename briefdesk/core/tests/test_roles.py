"""The editorial roles set up after every migrate (briefdesk.core.roles.ensure_roles):
Authors write their own briefs and drafts of sources and submit them, Editors review and
publish, through the "Editorial review" workflow on the root page and on the Source and Outlet
models. Every rule is checked for the user it allows and the users it does not."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
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
from wagtail.permissions import policy_registry

from briefdesk.core.roles import AUTHORS, EDITORS, WORKFLOW, ensure_roles
from briefdesk.sources.models import Outlet, Source

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
        "workflow content types": WorkflowContentType.objects.count(),
        "collection permissions": GroupCollectionPermission.objects.count(),
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
        (AUTHORS, {"add_page"}),
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


@pytest.mark.parametrize("model", [Source, Outlet])
def test_the_editorial_review_workflow_is_attached_to_sources_and_outlets(model: type) -> None:
    link = WorkflowContentType.objects.get(content_type=ContentType.objects.get_for_model(model))

    assert link.workflow == root_workflow()
    assert model().get_workflow() == root_workflow()


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


def test_ensure_roles_takes_change_page_away_from_authors_of_an_older_install() -> None:
    authors = Group.objects.get(name=AUTHORS)
    change_page = Permission.objects.get(
        content_type__app_label="wagtailcore", codename="change_page"
    )
    GroupPagePermission.objects.create(
        group=authors, page=Page.get_first_root_node(), permission=change_page
    )
    authors.permissions.add(Permission.objects.get(codename="publish_source"))

    ensure_roles()

    assert page_permissions(AUTHORS) == {"add_page"}
    assert not authors.permissions.filter(codename="publish_source").exists()


def test_ensure_roles_hands_sources_back_to_the_editorial_review_workflow() -> None:
    source_type = ContentType.objects.get_for_model(Source)
    WorkflowContentType.objects.filter(content_type=source_type).update(
        workflow=Workflow.objects.create(name="Someone else's workflow")
    )

    ensure_roles()

    assert WorkflowContentType.objects.get(content_type=source_type).workflow.name == WORKFLOW


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
    ("sources.publish_source", {"editor", "admin"}),
    ("sources.lock_source", {"editor", "admin"}),
    ("sources.unlock_source", {"editor", "admin"}),
    ("sources.add_outlet", {"author", "editor", "admin"}),
    ("sources.change_outlet", {"author", "editor", "admin"}),
    ("sources.view_outlet", {"author", "editor", "admin"}),
    ("sources.delete_outlet", {"editor", "admin"}),
    ("sources.publish_outlet", {"editor", "admin"}),
    ("sources.lock_outlet", {"editor", "admin"}),
    ("sources.unlock_outlet", {"editor", "admin"}),
]


@pytest.mark.parametrize(("permission", "holders"), MODEL_PERMISSIONS)
@pytest.mark.parametrize("who", ["author", "editor", "admin", "reader"])
def test_only_the_right_users_hold_each_permission(
    users: Any, who: str, permission: str, holders: set[str]
) -> None:
    user = getattr(users, who)

    assert user.has_perm(permission) == (who in holders)


MEDIA_PERMISSIONS = [
    # (model, action in every collection, who has it); Wagtail's "change" includes delete
    (get_image_model(), "add", {"author", "editor", "admin"}),
    (get_image_model(), "change", {"author", "editor", "admin"}),
    (get_image_model(), "choose", {"author", "editor", "admin"}),
    (get_document_model(), "add", {"author", "editor", "admin"}),
    (get_document_model(), "change", {"author", "editor", "admin"}),
    (get_document_model(), "choose", {"author", "editor", "admin"}),
]


@pytest.mark.parametrize(("model", "action", "holders"), MEDIA_PERMISSIONS)
@pytest.mark.parametrize("who", ["author", "editor", "admin", "reader"])
def test_only_the_right_users_may_use_images_and_documents_in_every_collection(
    users: Any, who: str, model: type, action: str, holders: set[str]
) -> None:
    policy = policy_registry.get_by_type(model)
    child = Collection.get_first_root_node().add_child(name="Photos")

    assert policy.user_has_permission(getattr(users, who), action) == (who in holders)
    assert policy.user_has_permission_for_instance(
        getattr(users, who), action, policy.model(collection=child, title="x")
    ) == (who in holders)


@pytest.mark.parametrize("url", ["wagtailimages:index", "wagtaildocs:index"])
@pytest.mark.parametrize("who", ["author", "editor"])
def test_authors_and_editors_can_open_images_and_documents(
    users: Any, client: Any, who: str, url: str
) -> None:
    client.force_login(getattr(users, who))

    assert client.get(reverse(url)).status_code == 200


@pytest.mark.parametrize("url", ["wagtailimages:index", "wagtaildocs:index"])
def test_a_reader_cannot_open_images_or_documents(users: Any, client: Any, url: str) -> None:
    client.force_login(users.reader)

    response = client.get(reverse(url))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


PAGE_ACTIONS = [
    # (action on a published page under the root owned by nobody here, who may)
    ("can_add_subpage", {"author", "editor", "admin"}),
    ("can_edit", {"editor", "admin"}),  # authors edit only their own pages
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


OWN_PAGE_ACTIONS = [
    # (action on a page the author owns, who may)
    ("can_edit", {"author", "editor", "admin"}),
    ("can_publish", {"editor", "admin"}),
]


@pytest.mark.parametrize(("action", "allowed"), OWN_PAGE_ACTIONS)
@pytest.mark.parametrize("who", ["author", "editor", "admin", "reader"])
def test_an_author_may_edit_but_not_publish_a_page_they_own(
    users: Any, who: str, action: str, allowed: set[str]
) -> None:
    page = Page.get_first_root_node().add_child(
        instance=Page(title="Mine", slug="mine", owner=users.author)
    )
    tester = page.permissions_for_user(getattr(users, who))

    assert getattr(tester, action)() == (who in allowed)

"""Admin wiring for reference import: its URL and a menu item beside Sources."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import can_import, import_references


class ImportReferencesMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return can_import(request.user)


@hooks.register("register_admin_urls")
def register_import_url() -> list[Any]:
    return [path("import-references/", import_references, name="import_references")]


@hooks.register("register_admin_menu_item")
def register_import_menu_item() -> MenuItem:
    return ImportReferencesMenuItem(
        "Import references", reverse("import_references"), icon_name="upload", order=260
    )

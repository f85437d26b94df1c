from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Build the site's home page, its Briefs, Authors and Topic guides indexes, the Site "
        "on BRIEFDESK_BASE_URL and the editorial roles, where missing (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.cache import cache

        from briefdesk.core.site_tree import SiteTreeError, ensure_site

        try:
            report = ensure_site()
        except SiteTreeError as exc:
            raise CommandError(str(exc)) from exc
        for change in report.changes:
            self.stdout.write(change)
        if not report.changes:
            self.stdout.write("The site is already set up.")
        # `briefdesk init` is also the upgrade step: what a previous version cached (Wagtail's
        # site root paths and renditions) is rebuilt by this one.
        cache.clear()

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Load the demo briefs, authors, topics and sources, with snapshots and link checks "
        "from local copies of the cited pages (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any brief already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.briefs.models import BriefPage
        from briefdesk.core.demo.loader import DEMO_PASSWORD, load_demo

        if options["if_empty"] and BriefPage.objects.exists():
            self.stdout.write("Briefs exist already; demo content not loaded.")
            return
        try:
            # The demo's sources are captured from its own local copies, never from the real
            # sites (briefdesk.core.demo.loader and .snapshots).
            report = load_demo()
        except (KeyError, ValueError) as exc:
            raise CommandError(f"demo content is invalid: {exc}") from exc
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing new"
        self.stdout.write(f"Demo content loaded: {created}.")
        if report.created.get("users"):
            self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}): admin, editor, author.")

"""Publish and unpublish scheduled pages on a timer: Wagtail's `publish_scheduled`, every
`--interval` seconds, until stopped. `briefdesk demo` runs it beside the server; in production
run it as a service (or `briefdesk manage publish_scheduled` from a systemd timer or cron)."""

from __future__ import annotations

import io
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError


class Command(BaseCommand):
    help = "Run Wagtail's publish_scheduled every --interval seconds (go-live and expiry)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=int, default=60, help="seconds between runs (default 60)"
        )
        parser.add_argument("--once", action="store_true", help="run once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        if interval < 1:
            raise CommandError(f"--interval must be at least 1 second, not {interval}")
        while True:
            self._tick()
            if options["once"]:
                return
            time.sleep(interval)

    def _tick(self) -> None:
        from django.utils import timezone
        from wagtail.models import Revision

        try:
            due = Revision.objects.filter(approved_go_live_at__lte=timezone.now()).count()
            call_command("publish_scheduled", stdout=io.StringIO())
        except DatabaseError as exc:
            # A locked or unreachable database is retried on the next tick, not fatal.
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.stderr.write(f"publish_scheduled failed: {first}")
            return
        if due:
            stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{stamp} published {due} scheduled revision(s)")

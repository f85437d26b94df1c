"""`briefdesk related --rebuild`: score every live, public brief again and replace every
stored More on This Topic list. A thin shell over `briefdesk.briefs.related_store`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "More on This Topic: --rebuild scores every published brief again and replaces the "
        "stored lists (publishing a brief updates them on its own)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="recompute every brief's related briefs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.briefs.related_store import rebuild_related
        from briefdesk.related.engine import worker_processes

        if not options["rebuild"]:
            raise CommandError("nothing to do: use briefdesk related --rebuild")
        started = time.perf_counter()
        with worker_processes():  # a command may fork; a web process never does
            scored = rebuild_related()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Scored {scored} briefs in {seconds:.1f} s")

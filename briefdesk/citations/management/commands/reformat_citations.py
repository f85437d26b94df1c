from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Re-format the stored citations of every source and brief (after upgrading the "
        "citation engine or style files, or changing BRIEFDESK_PUBLISHER). A changed base URL "
        "is picked up by migrate and `briefdesk demo` on their own."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="worker processes formatting at once (default: one per core; 1: in this one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.core.reformat_workers import default_processes, reformat_in_processes

        processes = options["processes"]
        if processes is not None and processes < 1:
            raise CommandError("--processes must be 1 or more.")
        processes = default_processes() if processes is None else processes
        sources, briefs = reformat_in_processes(processes)
        self.stdout.write(f"Re-formatted {sources} sources and {briefs} briefs.")

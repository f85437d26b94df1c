"""`briefdesk archive --all | --source ID [--source ID ...]`: capture sources' URLs as snapshots.

One line per source: `captured`, `unchanged` (the latest snapshot holds the same payload) or
`failed: <reason>`. Every source is tried; the exit status is 1 when any failed. A thin shell
over briefdesk.sources.archiving.capture.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefdesk.sources.archiving import capture
from briefdesk.sources.models import Source


class Command(BaseCommand):
    help = "Capture sources' URLs as snapshots (WARC, main text; the file itself for a PDF)."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--all", action="store_true", help="every live source that has a web URL"
        )
        which.add_argument(
            "--source", type=int, action="append", metavar="ID", help="a source's id (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            ids = list(
                Source.objects.filter(live=True)
                .exclude(url="")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        else:
            ids = list(dict.fromkeys(options["source"]))
        failed = 0
        for source_id in ids:
            outcome = capture(source_id)
            if outcome.failure is not None:
                failed += 1
                self.stdout.write(f"source {source_id}: failed: {outcome.failure.reason}")
                continue
            snapshot = outcome.snapshot
            assert snapshot is not None
            when = snapshot.captured_at.strftime("%Y-%m-%d %H:%M UTC")
            self.stdout.write(
                f"source {source_id}: {outcome.state} {snapshot.final_url} "
                f"(snapshot {snapshot.pk}, {when}, {snapshot.size} bytes)"
            )
        if failed:
            raise CommandError(f"{failed} of {len(ids)} captures failed", returncode=1)

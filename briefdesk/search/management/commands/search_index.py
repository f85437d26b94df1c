"""`briefdesk search --rebuild | --sync | --status`: the public search's index on this machine.
A thin shell over `briefdesk.search.sync`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "The public search's index: --rebuild builds it from the database (after a restore, "
        "an upgrade or on a new machine); --sync applies pending changes; --status says how "
        "far it is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rebuild", action="store_true", help="build it again from scratch")
        action.add_argument("--sync", action="store_true", help="apply the pending changes")
        action.add_argument("--status", action="store_true", help="say how far it is")

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.search import sync

        if options["rebuild"]:
            started = time.perf_counter()
            count = sync.rebuild(wait=60.0)
            if count is None:
                raise CommandError(
                    "another process has been writing the search index for 60 s; try again"
                )
            seconds = time.perf_counter() - started
            if options["verbosity"]:
                self.stdout.write(
                    f"Indexed {count} records in {seconds:.1f} s ({sync.index_root()})"
                )
        elif options["sync"]:
            applied = 0
            while True:
                done = sync.sync(wait=60.0)
                if done is None:
                    raise CommandError(
                        "another process has been writing the search index for 60 s; try again"
                    )
                applied += done
                if done < sync.MAX_PER_SYNC:
                    break
            if options["verbosity"]:
                self.stdout.write(f"Applied {applied} changes")
        elif options["status"]:
            synced = sync.store().synced()
            if synced is None:
                self.stdout.write(f"No index yet in {sync.index_root()}: run --rebuild")
                return
            waiting = len(sync.pending(synced))
            self.stdout.write(
                f"{sync.index_root()}: {sync.store().count()} records, changes applied up to "
                f"{synced.watermark}, {waiting} waiting"
            )
        else:
            raise CommandError("nothing to do: use briefdesk search --rebuild, --sync or --status")

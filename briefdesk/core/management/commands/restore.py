"""briefdesk restore DIR: a backup into an empty database and empty media/private roots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection


class Command(BaseCommand):
    help = (
        "Restore a backup made by `briefdesk backup` into an empty database and empty media "
        "and private directories. Every checksum is verified before anything is written; "
        "then the site is migrated if the backup is older and answers on this BRIEFDESK_BASE_URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="a directory made by briefdesk backup")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db.migrations.executor import MigrationExecutor

        from briefdesk.core import backup
        from briefdesk.core.origin import sync_origin
        from briefdesk.core.stored_citations import current_base_url

        directory = Path(options["directory"]).absolute()
        roots = backup.site_roots()
        try:
            manifest = backup.read_backup(directory)
            self.stdout.write(
                f"Checked the backup of {manifest.created}: {len(manifest.files)} files, "
                "every checksum matches."
            )
            backup.check_target(manifest, connection, roots, backup.migrations_on_disk())
            summary = backup.restore_backup(directory, manifest, connection, roots)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"database error: {_first_line(exc)}") from None
        except OSError as exc:
            raise CommandError(f"restore failed: {exc}") from None
        self.stdout.write(summary.line())

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            # Migrating also syncs the Site and citations to the base URL (post_migrate).
            self.stdout.write(f"The backup is from an older briefdesk: {len(plan)} migrations.")
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            self._rebuild_search_index()
            return
        result = sync_origin()
        if result.site_changed:
            self.stdout.write(f"The site now answers on {current_base_url()} (BRIEFDESK_BASE_URL).")
        if result.citations_refreshed:
            self.stdout.write(f"Stored citations re-formatted for {current_base_url()}.")
        self._rebuild_search_index()

    def _rebuild_search_index(self) -> None:
        """The search index is a cache of the database, kept per machine (not in backups):
        one left in the data directory would describe another database."""
        from briefdesk.search import sync

        self.stdout.write(sync.rebuild_report())


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

"""briefdesk import-jsonl IN.jsonl [--files DIR_OR_TAR]: an export into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError


class Command(BaseCommand):
    help = (
        "Import a file made by `briefdesk export` into an empty database (after "
        "`briefdesk init`), all or nothing: every line and file is checked first, and a "
        "truncated or corrupted file changes nothing and names the line where it broke."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="IN.jsonl", help="a file made by briefdesk export")
        parser.add_argument(
            "--files",
            metavar="DIR_OR_TAR",
            help="the directory or .tar made by `briefdesk export --with-files`",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.core.portable.jsonl import ExportFileError
        from briefdesk.core.portable.load import plan_import, run_import

        path = Path(options["file"]).absolute()
        files_from = Path(options["files"]).absolute() if options["files"] else None
        try:
            plan = plan_import(path, files_from)
            contents = plan.contents
            self.stdout.write(
                f"Checked {path.name}: {contents.records} records and {len(contents.files)} "
                f"files, exported {contents.header.get('created')} from "
                f"{contents.header.get('base_url')}; every line's checksum matches."
            )
            summary = run_import(plan)
        except ExportFileError as exc:
            raise CommandError(f"{exc}; nothing was imported") from None
        except DatabaseError as exc:
            raise CommandError(
                f"database error: {_first_line(exc)}; nothing was imported"
            ) from None
        except OSError as exc:
            raise CommandError(f"import failed: {exc}; nothing was imported") from None
        self.stdout.write(summary.line())
        for note in summary.notes:
            self.stdout.write(note)
        self._rebuild_search_index()

    def _rebuild_search_index(self) -> None:
        """The public search index is files under the data directory, outside the database
        transaction: rebuilt once the rows are committed."""
        from briefdesk.search import sync

        self.stdout.write(sync.rebuild_report())


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

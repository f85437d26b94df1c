"""briefdesk export OUT.jsonl [--with-files DIR_OR_TAR]: the whole site as one JSONL file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError


class Command(BaseCommand):
    help = (
        "Export every brief (all revisions), expert, topic guide, source, snapshot record, "
        "user (without passwords) and setting to a JSONL file that `briefdesk import-jsonl` "
        "loads into an empty database, on SQLite or PostgreSQL. With --with-files, the stored "
        "files (images, documents, snapshots, PDFs) go to a new directory or a .tar file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT.jsonl", help="the file to write (replaced)")
        parser.add_argument(
            "--with-files",
            metavar="DIR_OR_TAR",
            help="also copy the stored files into this new directory or .tar/.tar.gz file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.core.portable.dump import export_site
        from briefdesk.core.portable.jsonl import ExportFileError

        out = Path(options["out"]).absolute()
        files_to = Path(options["with_files"]).absolute() if options["with_files"] else None
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent} is not a directory")
        try:
            summary = export_site(out, files_to)
        except ExportFileError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"database error: {_first_line(exc)}") from None
        except OSError as exc:
            raise CommandError(f"export failed: {exc}") from None
        self.stdout.write(summary.line())
        if summary.missing_files:
            self.stdout.write(
                f"{len(summary.missing_files)} files named by the site were not in storage, "
                f"for example {summary.missing_files[0]}."
            )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

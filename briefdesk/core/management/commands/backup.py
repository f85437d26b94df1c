"""briefdesk backup DIR: the database and the media and private files, with a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection


class Command(BaseCommand):
    help = (
        "Back up the database (in its engine's own format), the media files and the private "
        "files (cached PDFs) into DIR, a new or empty directory (created 0700, files 0600), "
        "with a manifest of checksums. Safe while the site runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="a new or empty directory")

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.core.backup import BackupError, briefdesk_version, make_backup, site_roots

        try:
            summary = make_backup(
                Path(options["directory"]),
                connection,
                site_roots(),
                briefdesk_version=briefdesk_version(),
                base_url=settings.WAGTAILADMIN_BASE_URL,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"cannot read the database: {_first_line(exc)}") from None
        except OSError as exc:
            raise CommandError(f"backup failed: {exc}") from None
        self.stdout.write(summary.line())


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

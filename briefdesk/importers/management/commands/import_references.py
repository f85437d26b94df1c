"""`briefdesk import-references FILE [--dry-run] [--format F]`: CSL-JSON, BibTeX or RIS in,
one line per reference out. A thin shell over `briefdesk.importers.references` (parse) and
`briefdesk.importers.apply` (write, all or nothing)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefdesk.importers.apply import import_entries
from briefdesk.importers.references import (
    MAX_BYTES,
    ImportFailed,
    check_size,
    decode,
    parse_references,
)

# Bad input (unreadable, too big, any bad reference) exits 2, as a usage error does.
BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Import references (CSL-JSON, BibTeX or RIS, as Zotero, Mendeley and EndNote export "
        "them) as sources. Prints '<key> -> /sources/<id>/' per reference. If any reference "
        "is bad, prints why for each, writes nothing and exits with status 2. The dry run "
        "runs the same checks, formatting included."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the export to read; '-' reads standard input")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every reference and show what would be created or updated; write nothing",
        )
        parser.add_argument(
            "--format",
            choices=["auto", "csl-json", "bibtex", "ris"],
            default="auto",
            help="the input format (default: detected from the text)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            text = decode(self._read(name, options.get("stdin")))
            fmt = None if options["format"] == "auto" else options["format"]
            parsed = parse_references(text, fmt)
        except ImportFailed as exc:
            raise CommandError(f"{name}: {exc}", returncode=BAD_INPUT) from None
        # The operator may update published sources (editors review in the admin; this is
        # the site's own command). Ids are printed only for rows that were committed.
        report = import_entries(parsed.entries, dry_run=options["dry_run"])
        for result in report.results:
            self.stdout.write(result.as_line())
        if not report.ok:
            raise CommandError(report.summary(), returncode=BAD_INPUT)
        self.stdout.write(report.summary())

    def _read(self, name: str, stdin: Any) -> bytes:
        """The input's bytes; over MAX_BYTES is refused before it is parsed (or, for a
        file, read)."""
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(MAX_BYTES + 1)
            size = len(data)
            while len(data) > MAX_BYTES and (chunk := stream.read(1024 * 1024)):
                size += len(chunk)  # measured for the message, not kept
            check_size(size)
            return data
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        check_size(path.stat().st_size)
        return path.read_bytes()

"""What `import-html` and `import-markdown` share: finding the input files, the options every
brief import takes, and printing one line per input and the summary (exit status 1 when any
input failed, after the others were imported)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .briefs import InputFailure, UnknownTopic, import_briefs
from .parsed import ParsedBrief

FAILED = 1


def input_files(paths: Sequence[str], suffixes: set[str]) -> list[tuple[Path, str]]:
    """Each file to read, with its path relative to the argument that named it (a file's
    own name), in a stable order: arguments as given, a directory's files sorted."""
    found: list[tuple[Path, str]] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes):
                if file.is_file():
                    found.append((file, file.relative_to(path).as_posix()))
        else:
            found.append((path, path.name))
    return found


def read_bytes(path: Path, limit: int) -> bytes | InputFailure:
    """The file's bytes, or why they cannot be read (missing, unreadable, over `limit`)."""
    if not path.is_file():
        return InputFailure(str(path), "no such file")
    try:
        size = path.stat().st_size
        if size > limit:
            return InputFailure(str(path), f"the file is {size:,} bytes; the limit is {limit:,}")
        return path.read_bytes()
    except OSError as exc:
        return InputFailure(str(path), f"cannot read it: {exc.strerror or exc}")


class BriefImportCommand(BaseCommand):
    """A command that reads inputs into ParsedBriefs (`read_inputs`) and imports them."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--topic", default="", help="file every brief under this guide (slug)")
        parser.add_argument(
            "--publish", action="store_true", help="publish the briefs (default: drafts)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check everything; write nothing"
        )

    def read_inputs(self, options: dict[str, Any]) -> list[ParsedBrief | InputFailure]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        inputs = self.read_inputs(options)
        if not inputs:
            raise CommandError("no files to import", returncode=FAILED)
        try:
            report = import_briefs(
                inputs,
                publish=options["publish"],
                dry_run=options["dry_run"],
                topic=options["topic"],
            )
        except UnknownTopic as exc:
            raise CommandError(f"--topic: {exc}", returncode=FAILED) from None
        for result in report.results:
            self.stdout.write(result.as_line())
            if options["verbosity"] > 1:
                for note in result.notes:
                    self.stdout.write(f"  note: {note}")
        if not report.ok:
            raise CommandError(report.summary(), returncode=FAILED)
        self.stdout.write(report.summary())

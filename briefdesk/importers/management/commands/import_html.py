"""`briefdesk import-html FILE_OR_DIR... [--base-url URL] [--topic SLUG] [--publish]
[--dry-run]`: saved brief pages in, one line per file out (`file -> /briefs/slug/ (created,
draft)`, or `file: reason`). A thin shell over `importers.html.parser` (read) and
`importers.briefs` (write, each file in its own transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefdesk.importers.briefs import InputFailure, UnknownTopic, import_briefs
from briefdesk.importers.html.decode import MAX_BYTES
from briefdesk.importers.html.parser import parse_html
from briefdesk.importers.parsed import BriefInputError, ParsedBrief

FAILED = 1
SUFFIXES = {".html", ".htm", ".xhtml"}


def page_files(paths: list[str]) -> list[tuple[Path, str]]:
    """Each page to read, with its path relative to the argument that named it (a file's
    own name), in a stable order: arguments as given, a directory's pages sorted."""
    found: list[tuple[Path, str]] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES):
                if file.is_file():
                    found.append((file, file.relative_to(path).as_posix()))
        else:
            found.append((path, path.name))
    return found


def read_page(path: Path, relative: str, base_url: str) -> ParsedBrief | InputFailure:
    """One file as a ParsedBrief, or why it cannot be one."""
    origin = str(path)
    if not path.is_file():
        return InputFailure(origin, "no such file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return InputFailure(origin, f"the page is {size:,} bytes; the limit is {MAX_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        return InputFailure(origin, f"cannot read it: {exc.strerror or exc}")
    fallback = f"{base_url.rstrip('/')}/{relative}" if base_url else path.resolve().as_uri()
    try:
        return parse_html(data, origin, base_url=base_url, fallback_url=fallback)
    except BriefInputError as exc:
        return InputFailure(origin, str(exc))


class Command(BaseCommand):
    help = (
        "Import saved brief pages (HTML files, or directories of them) as briefs: type, "
        "title, authors, date, body, sources, Additional Analysis, featured guide and "
        "pinned related briefs. Prints '<file> -> /briefs/<slug>/' per page, or why it "
        "failed; a failed page leaves nothing behind, the others are imported, and the "
        "command then exits with status 1. Importing a page again updates its brief."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
        parser.add_argument(
            "--base-url",
            default="",
            help="the old site's address (e.g. https://www.example.org/): links to it are "
            "internal, and pages without a canonical URL are matched as BASE_URL/<path>",
        )
        parser.add_argument("--topic", default="", help="file every brief under this guide")
        parser.add_argument(
            "--publish", action="store_true", help="publish the briefs (default: drafts)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and check everything; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["base_url"]
        if base_url and not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        files = page_files(options["paths"])
        if not files:
            raise CommandError("no HTML files found", returncode=FAILED)
        inputs = [read_page(path, relative, base_url) for path, relative in files]
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

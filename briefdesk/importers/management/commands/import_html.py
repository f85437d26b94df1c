"""`briefdesk import-html FILE_OR_DIR... [--base-url URL] [--topic SLUG] [--publish]
[--dry-run]`: saved brief pages in, one line per file out (`file -> /briefs/slug/ (created,
draft)`, or `file: reason`). A thin shell over `importers.html.parser` (read) and
`importers.briefs` (write, each file in its own transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from briefdesk.importers.brief_commands import BriefImportCommand, input_files, read_bytes
from briefdesk.importers.briefs import InputFailure
from briefdesk.importers.html.decode import MAX_BYTES
from briefdesk.importers.html.parser import parse_html
from briefdesk.importers.parsed import BriefInputError, ParsedBrief

SUFFIXES = {".html", ".htm", ".xhtml"}


def page_files(paths: list[str]) -> list[tuple[Path, str]]:
    return input_files(paths, SUFFIXES)


def read_page(path: Path, relative: str, base_url: str) -> ParsedBrief | InputFailure:
    """One file as a ParsedBrief, or why it cannot be one. A page with no canonical URL is
    known as BASE_URL/<relative path>, else by its file:// URL."""
    data = read_bytes(path, MAX_BYTES)
    if isinstance(data, InputFailure):
        return data
    fallback = f"{base_url.rstrip('/')}/{relative}" if base_url else path.resolve().as_uri()
    try:
        return parse_html(data, str(path), base_url=base_url, fallback_url=fallback)
    except BriefInputError as exc:
        return InputFailure(str(path), str(exc))


class Command(BriefImportCommand):
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
        super().add_arguments(parser)

    def read_inputs(self, options: dict[str, Any]) -> list[ParsedBrief | InputFailure]:
        base_url = options["base_url"]
        if base_url and not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        return [read_page(path, rel, base_url) for path, rel in page_files(options["paths"])]

"""`briefdesk import-markdown DIR_OR_FILE... [--topic SLUG] [--publish] [--dry-run]`: Markdown
briefs with YAML front matter in, one line per file out (`file -> /briefs/slug/ (created,
draft)`, or `file: line N: reason`). A thin shell over `importers.markdown.parser` (read) and
`importers.briefs` (write, each file in its own transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from briefdesk.importers.brief_commands import BriefImportCommand, input_files, read_bytes
from briefdesk.importers.briefs import InputFailure
from briefdesk.importers.markdown.parser import MAX_BYTES, decode, parse_markdown
from briefdesk.importers.parsed import BriefInputError, ParsedBrief

SUFFIXES = {".md", ".markdown"}


def read_brief(path: Path, relative: str) -> ParsedBrief | InputFailure:
    """One file as a ParsedBrief, or why it cannot be one. Without a `url` in its front
    matter, a brief is known as markdown:<path relative to the directory named>."""
    data = read_bytes(path, MAX_BYTES)
    if isinstance(data, InputFailure):
        return data
    try:
        return parse_markdown(decode(data), str(path), key=f"markdown:{relative}")
    except BriefInputError as exc:
        return InputFailure(str(path), str(exc))


class Command(BriefImportCommand):
    help = (
        "Import Markdown briefs (YAML front matter: title, type, authors, date, topics, "
        "summary, guide, sources keyed by id; [@key] cites a source) from directories or "
        "files. Prints '<file> -> /briefs/<slug>/' per file, or why it failed with its line; "
        "a failed file leaves nothing behind, the others are imported, and the command then "
        "exits with status 1. Importing a file again updates its brief."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="DIR_OR_FILE")
        super().add_arguments(parser)

    def read_inputs(self, options: dict[str, Any]) -> list[ParsedBrief | InputFailure]:
        return [read_brief(path, rel) for path, rel in input_files(options["paths"], SUFFIXES)]

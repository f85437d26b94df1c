"""`briefdesk pdf SLUG [-o FILE] [--style KEY] [--draft]`: the brief's PDF, the same file the
site serves at /briefs/<slug>/pdf/ (made once per published revision and style, then reused).
A thin shell over `briefdesk.briefs.printing`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefdesk.citations.styles import DEFAULT_STYLE, STYLES


class Command(BaseCommand):
    help = (
        "Write a published brief's PDF (the same file as /briefs/<slug>/pdf/). "
        "--draft renders the latest draft instead, without storing it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the brief's slug, as in /briefs/<slug>/")
        parser.add_argument(
            "-o",
            "--output",
            help="file to write (default: <slug>-<date>.pdf here); '-' writes to standard output",
        )
        parser.add_argument(
            "--style",
            default=DEFAULT_STYLE,
            help=f"citation style of the endnotes and 'Cite as:' ({', '.join(STYLES)}; "
            f"default {DEFAULT_STYLE})",
        )
        parser.add_argument(
            "--draft", action="store_true", help="render the latest revision, published or not"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.briefs.models import BriefPage
        from briefdesk.briefs.pdf import PdfRenderError
        from briefdesk.briefs.printing import cached_pdf, pdf_filename, render_brief_pdf

        slug, style = options["slug"], options["style"]
        if style not in STYLES:
            raise CommandError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
        pages = BriefPage.objects.filter(slug=slug)
        page = pages.first() if options["draft"] else pages.live().first()
        if page is None:
            hint = " (it has no published revision: use --draft)" if pages.exists() else ""
            raise CommandError(f"no published brief with slug {slug!r}{hint}")
        try:
            if options["draft"]:
                page = page.get_latest_revision_as_object()
                rendered = render_brief_pdf(page, style)
                content, problems, pages_count = rendered.content, rendered.problems, rendered.pages
            else:
                record = cached_pdf(page, style)
                with record.file.open("rb") as stored:
                    content = stored.read()
                problems, pages_count = record.problems, record.pages
        except PdfRenderError as exc:
            raise CommandError(f"the PDF of {slug!r} could not be made: {exc}") from None
        for problem in problems:
            self.stderr.write(f"warning: {problem}")
        output = options["output"] or pdf_filename(page)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        _write_atomically(Path(output), content)
        self.stdout.write(f"Wrote {output} ({pages_count} pages, {len(content) // 1024} KB)")


def _write_atomically(path: Path, content: bytes) -> None:
    """Write the whole file or nothing: a temporary file beside it, then a rename."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise CommandError(f"cannot write {path}: no directory {directory}")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None

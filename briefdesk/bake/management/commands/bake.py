"""`briefdesk bake OUTDIR [--base-url URL]`: the public site as static files (bake/run.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefdesk.bake.manifest import BakeError
from briefdesk.bake.run import bake_site


class Command(BaseCommand):
    help = "Write the public site as static files (with a Pagefind search page) into OUTDIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", help="a new or empty directory, or a previous bake")
        parser.add_argument(
            "--base-url",
            default="",
            help="where the files will be served (https://host/path); default: links from /",
        )
        parser.add_argument(
            "--full", action="store_true", help="render every page, not only what changed"
        )
        parser.add_argument(
            "--no-pdfs", action="store_true", help="leave out the briefs' PDFs (and their links)"
        )
        parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="rendering processes (default: the CPUs, at most 4)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["base_url"].strip()
        if base_url:
            split = urlsplit(base_url)
            if split.scheme not in ("http", "https") or not split.netloc:
                raise CommandError(f"--base-url must be an http(s) URL, not {base_url!r}")
        if options["workers"] < 1:
            raise CommandError("--workers must be 1 or more")
        try:
            report = bake_site(
                Path(options["outdir"]),
                base_url,
                with_pdfs=not options["no_pdfs"],
                workers=options["workers"],
                full=options["full"],
                search=not options["no_search"],
                log=self.stdout.write,
            )
        except BakeError as exc:
            raise CommandError(str(exc)) from exc
        timing = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
        self.stdout.write(f"time: {timing}")
        for url in report.broken[:20]:
            self.stderr.write(f"broken link (not found when baked): {url}")
        if len(report.broken) > 20:
            self.stderr.write(f"... and {len(report.broken) - 20} more broken links")

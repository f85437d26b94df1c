"""`briefdesk manage check_links`: check sources' links and keep each result as history.

    check_links                   every source with a web URL (--all, the default)
    check_links --source 12 --source 13
    check_links --state gone --state unreachable    re-check only links last found so

One line per source as it is decided, then counts by state. A source asked for by id whose
URL is not a web address (none, ftp:, file:, javascript: ...) gets a "not checked" line: it
has no link to check, and no row is written. A broken link is data: the
command exits 0 whatever it finds, and 1 (a CommandError) only on bad arguments.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefdesk.sources.linkhealth import check_sources
from briefdesk.sources.models import LinkCheck, LinkState, Source


class Command(BaseCommand):
    help = "Check sources' links (ok, redirected, gone, soft-404, drifted ...) and record each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="every source with a web URL (the default)"
        )
        parser.add_argument(
            "--source", type=int, action="append", default=[], metavar="ID", help="a source id"
        )
        parser.add_argument(
            "--state",
            action="append",
            default=[],
            metavar="STATE",
            help=f"only sources whose latest check found STATE ({', '.join(LinkState.values)})",
        )
        parser.add_argument("--workers", type=int, default=16, help="threads (default 16)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["source"]
        states: list[str] = options["state"]
        if options["all"] and ids:
            raise CommandError("give --all or --source, not both")
        if bad := [state for state in states if state not in LinkState.values]:
            raise CommandError(f"unknown state {bad[0]!r}; one of {', '.join(LinkState.values)}")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        known = set(Source.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing := sorted(set(ids) - known):
            raise CommandError(f"no source with id {missing[0]}")

        def show(check: LinkCheck) -> None:
            line = f"{check.source_id}\t{check.state}\t{_one_line(check.url)}"
            if check.target:
                line += f" -> {_one_line(check.target)}"
            if check.detail:
                line += f"\t{_one_line(check.detail, 500)}"
            self.stdout.write(line)

        checks = check_sources(
            ids or None, states=states or None, on_checked=show, workers=options["workers"]
        )
        checked = {check.source_id for check in checks}
        for pk, url in Source.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "url"):
            if pk not in checked and not states:
                shown = _one_line(url) or "(no URL)"
                self.stdout.write(f"{pk}\tnot checked\t{shown}\tnot a web (http/https) address")
        counts = Counter(check.state for check in checks)
        summary = ", ".join(f"{counts[s]} {s}" for s in LinkState.values if counts[s])
        self.stdout.write(f"Checked {len(checks)} link(s): {summary or 'none'}")


def _one_line(text: str, limit: int = 200) -> str:
    """`text` on one line (control characters as spaces), cut at `limit` characters."""
    flat = "".join(c if c.isprintable() else " " for c in text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"

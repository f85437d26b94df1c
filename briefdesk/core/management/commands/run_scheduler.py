"""The scheduler: Wagtail's `publish_scheduled` every `--interval` seconds (go-live and expiry),
and once a day, from `--links-at` (local time, TIME_ZONE; default 03:00), a check of every
source's link (check_links), until stopped. `briefdesk demo` runs it beside the server; in
production run it as a service (or `briefdesk manage publish_scheduled` and
`briefdesk manage check_links` from a systemd timer or cron).

The daily link check is claimed in the database (core.ScheduledRun, one row per job and local
day) before it starts, so it runs once a day however often the scheduler restarts, and a
scheduler started after the hour (down at night) runs the day's check when it starts. With
TASKS_BACKEND=database the check is a job for `briefdesk worker` (check_all_task); otherwise it
runs here, between two publishing ticks.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, IntegrityError, transaction

LINKS_JOB = "check_links"
DEFAULT_LINKS_AT = "03:00"  # a night hour, when editors are not waiting on the site
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def parse_links_at(value: str) -> dt.time | None:
    """ "HH:MM" (24-hour) as a time, "off" as None; anything else is a CommandError."""
    if value.strip().lower() == "off":
        return None
    match = _CLOCK.fullmatch(value.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    raise CommandError(f"--links-at must be HH:MM (24-hour, local time) or off, not {value!r}")


class Command(BaseCommand):
    help = (
        "Run Wagtail's publish_scheduled every --interval seconds (go-live and expiry), and "
        "check every source's link once a day from --links-at."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=int, default=60, help="seconds between runs (default 60)"
        )
        parser.add_argument(
            "--links-at",
            default=DEFAULT_LINKS_AT,
            metavar="HH:MM",
            help=f"local time of the daily link check (default {DEFAULT_LINKS_AT}; off: none)",
        )
        parser.add_argument("--once", action="store_true", help="run once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        if interval < 1:
            raise CommandError(f"--interval must be at least 1 second, not {interval}")
        links_at = parse_links_at(options["links_at"])
        while True:
            self._tick()
            if links_at is not None:
                self._links_tick(links_at)
            if options["once"]:
                return
            time.sleep(interval)

    def _tick(self) -> None:
        from django.utils import timezone
        from wagtail.models import Revision

        try:
            due = Revision.objects.filter(approved_go_live_at__lte=timezone.now()).count()
            call_command("publish_scheduled", stdout=io.StringIO())
        except DatabaseError as exc:
            # A locked or unreachable database is retried on the next tick, not fatal.
            self.stderr.write(f"publish_scheduled failed: {_first_line(exc)}")
            return
        if due:
            stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{stamp} published {due} scheduled revision(s)")

    def _links_tick(self, links_at: dt.time) -> None:
        """Start today's link check if its time has come and nobody has claimed it yet."""
        from django.utils import timezone

        from briefdesk.core.models import ScheduledRun

        now = timezone.localtime()
        if now.time() < links_at:
            return
        stamp = now.strftime("%Y-%m-%d %H:%M")
        try:
            with transaction.atomic():
                claim = ScheduledRun.objects.create(job=LINKS_JOB, day=now.date())
        except IntegrityError:
            return  # today's check has run or is running (here, or in another scheduler)
        except DatabaseError as exc:
            self.stderr.write(f"daily link check not started: {_first_line(exc)}")
            return
        try:
            self.stdout.write(f"{stamp} {_check_links()}")
        except DatabaseError as exc:
            # Nothing (or only part) was done: let the next tick try again today.
            ScheduledRun.objects.filter(pk=claim.pk).delete()
            self.stderr.write(f"daily link check failed: {_first_line(exc)}")


def _check_links() -> str:
    """Check every link, as a worker job or here; says what was done, in one line."""
    from briefdesk.core.tasks import enqueue_once, uses_worker
    from briefdesk.sources.linkhealth import check_all, check_all_task, state_counts

    if uses_worker(check_all_task.backend):
        enqueue_once(check_all_task)
        return "queued the daily link check for the worker"
    counts = state_counts(check_all())
    summary = ", ".join(f"{n} {state}" for state, n in counts.items())
    return f"checked {sum(counts.values())} link(s): {summary or 'none'}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]

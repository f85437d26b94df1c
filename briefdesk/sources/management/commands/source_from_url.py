"""`briefdesk source-from-url URL [--save]`: the source a page proposes for itself, one field
per line with where it came from; `--save` creates it (and its new outlet) as the editor's
confirmation. A thin shell over `briefdesk.sources.autofill`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefdesk.sources.autofill import AutofillError, propose_source, save_proposal


class Command(BaseCommand):
    help = (
        "Fetch URL and print the source it proposes: outlet, kind, title, authors, date, "
        "description, language, DOI, each with the signal it came from. Nothing is saved "
        "unless --save is given; then the source is created as a draft for review. A bad URL "
        "or a failed fetch is one line on stderr and exit status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the page or PDF to read")
        parser.add_argument(
            "--save",
            action="store_true",
            help="create the proposed source (and a new outlet if one is proposed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            proposal = propose_source(options["url"])
        except AutofillError as exc:
            raise CommandError(str(exc), returncode=1) from None
        width = max(len(name) for name, _, _ in proposal.lines())
        for name, value, where in proposal.lines():
            suffix = f"  [{where}]" if where else ""
            self.stdout.write(f"{name:<{width}}  {value}{suffix}")
        if not options["save"]:
            return
        try:
            source = save_proposal(proposal)
        except AutofillError as exc:
            raise CommandError(str(exc), returncode=1) from None
        outlet = f" with outlet {source.outlet.name!r}" if source.outlet else ""
        self.stdout.write(f"saved: source {source.pk}{outlet} (a draft for review)")

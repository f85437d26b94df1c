from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Re-format the stored citations of every source and brief (after upgrading the "
        "citation engine or style files, or changing BRIEFDESK_PUBLISHER / the base URL)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.briefs.models import BriefPage
        from briefdesk.sources.models import Source

        with transaction.atomic():
            sources = 0
            for source in Source.objects.select_related("outlet").iterator():
                source.refresh_formatted()
                Source.objects.filter(pk=source.pk).update(formatted=source.formatted)
                sources += 1
            briefs = 0
            for brief in BriefPage.objects.all():
                brief.refresh_citations()
                BriefPage.objects.filter(pk=brief.pk).update(citations=brief.citations)
                briefs += 1
            from briefdesk.briefs.printing import invalidate_pdfs

            invalidate_pdfs()  # their endnotes and "Cite as:" are made from these
        self.stdout.write(f"Re-formatted {sources} sources and {briefs} briefs.")

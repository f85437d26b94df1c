from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Re-format the stored citations of every source and brief (after upgrading the "
        "citation engine or style files, or changing BRIEFDESK_PUBLISHER). A changed base URL "
        "is picked up by migrate and `briefdesk demo` on their own."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from briefdesk.core.stored_citations import reformat_stored_citations

        sources, briefs = reformat_stored_citations()
        self.stdout.write(f"Re-formatted {sources} sources and {briefs} briefs.")

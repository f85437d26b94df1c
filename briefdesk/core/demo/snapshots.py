"""Give every demo source a real snapshot and a link-health history, from the demo's own copies.

    archive_demo(data, report)   # after the demo content is in; idempotent

The demo's sources cite invented URLs on real sites, and nothing outside this machine is
reachable. So the loader serves a local copy of each page under its real URL
(localcopies.LocalCopies) and runs the real pipeline against it: `capture` (the guarded
fetcher, a WARC recording the original URL, the extracted text; a PDF kept as the file) for
each demo source with a URL and no snapshot, then the copies "move on" (pages.LATER: some gone,
drifted, moved, one soft-404) and `check_sources` (the polite checker and the classifier) for
each demo source with a URL and no link check yet. Source health then shows every state, a
gone or drifted source's citation leads to its archived copy, and the quotes some citations
carry (markup.py) are checked against real snapshot text.

Idempotent: a second run finds every source captured and checked, and starts no server.
Only demo sources (by citation key) are touched; a source an editor added keeps its own URL
and is captured by the usual paths, never from the demo's copies.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from briefdesk.sources.models import Source

from .pages import DemoSite

logger = logging.getLogger(__name__)


def archive_demo(data: Mapping[str, Any], report: Any) -> None:
    """Capture and check the demo's sources from their local copies (see the module)."""
    from briefdesk.briefs.models import BriefPage
    from briefdesk.briefs.printing import invalidate_pdfs
    from briefdesk.sources.archiving import capture
    from briefdesk.sources.linkhealth import check_sources

    keys = [row["key"] for row in data["sources"] if row.get("url")]
    demo = Source.objects.filter(citation_key__in=keys).exclude(url="")
    to_capture = list(
        demo.filter(snapshots__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    to_check = list(
        demo.filter(link_checks__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    if not to_capture and not to_check:
        return
    from .localcopies import LocalCopies

    with LocalCopies(DemoSite.from_content(data)) as copies:
        for source_id in to_capture:
            outcome = capture(source_id, policy=copies.policy)
            if outcome.failure is not None:
                logger.warning("Demo source %s not captured: %s", source_id, outcome.failure)
            report.count("snapshots", outcome.state == "captured")
        copies.move_on()
        checks = check_sources(
            to_check, policy=copies.policy, retries=1, backoff=0.05, max_backoff=0.2, workers=8
        )
        for _check in checks:
            report.count("link checks", True)
    # A brief's PDF made before its sources had copies would print no archive URLs.
    if to_capture:
        cited_by = BriefPage.objects.filter(cited_sources__source_id__in=to_capture)
        invalidate_pdfs(list(cited_by.values_list("pk", flat=True).distinct()))

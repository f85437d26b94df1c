"""Which briefs cite a source, live and in drafts, for the Sources listing and edit page.

    annotate_citations(Source.objects.all())  # .cited_live, .cited_draft, .cited_by per row
    citing_briefs(source.pk)                  # [CitingBrief(title=…, live=True, draft=True)]

A brief's cited sources are indexed in BriefSource from the brief's database row on every full
save. For a brief that is not live the row is its latest draft (Wagtail saves a draft of an
unpublished page into the row); for a live brief it is the published version, and a draft
waiting for review lives only in its latest revision. Wagtail's ReferenceIndex is built from
the same row, so it knows no more than BriefSource. The drafts of live briefs are therefore
read from their latest revisions (`pending_draft_citations`): few briefs wait for review at a
time, so this is one query and a parse of each waiting draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from briefdesk.briefs.models import BriefPage, BriefSource

from .models import Source
from .richtext import cited_source_ids


@dataclass(frozen=True)
class CitingBrief:
    """A brief citing a source: in its live version, in its latest draft, or both."""

    page_id: int
    title: str
    live: bool
    draft: bool

    @property
    def status(self) -> str:
        if self.live and self.draft:
            return "live"
        if self.live:
            return "live, removed in draft"
        return "draft"


def annotate_citations(queryset: QuerySet[Source]) -> QuerySet[Source]:
    """Add `cited_live` (live briefs whose published version cites the source), `cited_draft`
    (unpublished briefs whose draft cites it) and `cited_by` (their sum, to sort by), in the
    listing's own query. Drafts of live briefs waiting for review are not in these counts:
    see `pending_draft_citations`."""
    return queryset.annotate(
        cited_live=Count("citing_briefs__page", filter=Q(citing_briefs__page__live=True)),
        cited_draft=Count("citing_briefs__page", filter=Q(citing_briefs__page__live=False)),
    ).annotate(cited_by=F("cited_live") + F("cited_draft"))


def pending_draft_citations() -> dict[int, set[int]]:
    """Source id -> ids of live briefs whose draft waiting to be published cites it and whose
    live version does not (those are counted as live already)."""
    pages = list(
        BriefPage.objects.filter(live=True, has_unpublished_changes=True).select_related(
            "latest_revision"
        )
    )
    if not pages:
        return {}
    live = set(BriefSource.objects.filter(page__in=pages).values_list("page_id", "source_id"))
    pending: dict[int, set[int]] = {}
    for page in pages:
        for source_id in _draft_citations(page):
            if (page.pk, source_id) not in live:
                pending.setdefault(source_id, set()).add(page.pk)
    return pending


def citing_briefs(source_id: int) -> list[CitingBrief]:
    """The briefs citing a source, by title: live briefs (noting a draft that removes the
    citation), unpublished drafts, and live briefs whose waiting draft adds it."""
    rows = BriefSource.objects.filter(source_id=source_id).select_related(
        "page", "page__latest_revision"
    )
    found: dict[int, CitingBrief] = {}
    for row in rows:
        page = row.page
        draft = source_id in _draft_citations(page) if _has_waiting_draft(page) else True
        found[page.pk] = CitingBrief(page.pk, page.draft_title or page.title, page.live, draft)
    for page_id in pending_draft_citations().get(source_id, set()) - found.keys():
        page = BriefPage.objects.get(pk=page_id)
        found[page_id] = CitingBrief(page_id, page.draft_title or page.title, False, True)
    return sorted(found.values(), key=lambda b: (b.title.casefold(), b.page_id))


def _has_waiting_draft(page: BriefPage) -> bool:
    return bool(page.live and page.has_unpublished_changes and page.latest_revision_id)


def _draft_citations(page: BriefPage) -> list[int]:
    if not _has_waiting_draft(page):
        return []
    draft = page.latest_revision.as_object()
    return cited_source_ids(draft.rich_text_values())

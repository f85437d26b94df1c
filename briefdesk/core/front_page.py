"""What the front page shows, in a fixed number of queries whatever the site holds.

    front = front_page(home)   # lead brief, latest by type, topic guides, featured experts

The lead is the brief the editors chose (HomePage.lead_brief) when a reader may open it, else
the newest. Below it, the newest briefs of each type (the lead left out), the types with the
freshest briefs first; the top-level topic guides, each with its newest timeline event; and
the experts the editors featured, in their order. Nothing a reader may not open (drafts,
unpublished or private pages: core/visibility.py) is ever in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber

from briefdesk.briefs.teasers import prose_text, shorten

from .visibility import is_visible, private_q, restricted_paths

PER_TYPE = 3
GUIDES = 8
EVENT_LIMIT = 200
PORTRAIT = "fill-160x160"


@dataclass(frozen=True)
class LatestEvent:
    date: dt.date
    text: str  # plain text, citations left out, shortened


@dataclass(frozen=True)
class GuideItem:
    guide: Any
    event: LatestEvent | None


@dataclass(frozen=True)
class TypeSection:
    brief_type: str
    briefs: list[Any]


@dataclass
class FrontPage:
    lead: Any | None = None
    sections: list[TypeSection] = field(default_factory=list)
    guides: list[GuideItem] = field(default_factory=list)
    experts: list[Any] = field(default_factory=list)


def latest_event(raw_timeline: Any) -> LatestEvent | None:
    """The newest event of a guide's timeline (its raw StreamField data: a list of
    {"type": "event", "value": {"date": "YYYY-MM-DD", "text": html, ...}}), or None. Reads no
    page: the event's briefs are not resolved. Events with a missing or bad date are skipped;
    of events on one date, the first in the editor's order wins."""
    newest: tuple[dt.date, str] | None = None
    for item in raw_timeline or []:
        if not isinstance(item, dict) or item.get("type") != "event":
            continue
        value = item.get("value") or {}
        try:
            date = dt.date.fromisoformat(str(value.get("date") or ""))
        except ValueError:
            continue
        if newest is None or date > newest[0]:
            newest = (date, str(value.get("text") or ""))
    if newest is None:
        return None
    return LatestEvent(date=newest[0], text=shorten(prose_text(newest[1]), EVENT_LIMIT))


def front_page(home: Any) -> FrontPage:
    """The front page's content for `home` (see the module docstring)."""
    from briefdesk.briefs.models import BriefAuthor, BriefPage

    restricted = restricted_paths()
    front = FrontPage()
    briefs = (
        BriefPage.objects.live()
        .exclude(private_q(restricted))
        .order_by("-date", "-first_published_at")
    )
    with_authors = Prefetch("brief_authors", queryset=BriefAuthor.objects.select_related("author"))
    if home.lead_brief_id:
        front.lead = briefs.filter(pk=home.lead_brief_id).prefetch_related(with_authors).first()
    if front.lead is None:
        front.lead = briefs.prefetch_related(with_authors).first()
    front.sections = _sections(briefs, front.lead, with_authors)
    front.guides = _guides(home, restricted)
    front.experts = _experts(home, restricted)
    return front


def _sections(briefs: Any, lead: Any, with_authors: Prefetch[str]) -> list[TypeSection]:
    rest = briefs.exclude(pk=lead.pk) if lead is not None else briefs
    ranked = rest.annotate(
        type_rank=Window(
            RowNumber(),
            partition_by=[F("brief_type")],
            order_by=[F("date").desc(nulls_last=True), F("first_published_at").desc()],
        )
    ).filter(type_rank__lte=PER_TYPE)
    by_type: dict[str, list[Any]] = {}
    for brief in ranked.prefetch_related(with_authors):
        by_type.setdefault(brief.brief_type, []).append(brief)
    sections = [TypeSection(brief_type, items) for brief_type, items in by_type.items()]
    # The freshest type first; the query already orders each type's briefs newest first.
    return sorted(sections, key=lambda s: _freshness(s.briefs[0]), reverse=True)


def _freshness(brief: Any) -> tuple[dt.date, dt.datetime]:
    return (
        brief.date or dt.date.min,
        brief.first_published_at or dt.datetime.min.replace(tzinfo=dt.UTC),
    )


def _guides(home: Any, restricted: list[str]) -> list[GuideItem]:
    from briefdesk.topics.models import TopicGuidePage

    # Top-level guides: children of the topic index, itself a child of the home page.
    guides = (
        TopicGuidePage.objects.descendant_of(home)
        .filter(depth=home.depth + 2)
        .live()
        .exclude(private_q(restricted))
        .order_by("title")[:GUIDES]
    )
    return [GuideItem(guide, latest_event(guide.timeline.raw_data)) for guide in guides]


def _experts(home: Any, restricted: list[str]) -> list[Any]:
    from wagtail.images import get_image_model

    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=PORTRAIT)
    # In the editors' order; rows added in code have no sort_order, so ties go by creation
    # (PostgreSQL returns equal keys in any order).
    featured = (
        home.featured_experts.select_related("expert", "expert__photo")
        .prefetch_related(Prefetch("expert__photo__renditions", queryset=renditions))
        .order_by("sort_order", "pk")
    )
    return [item.expert for item in featured if is_visible(item.expert, restricted)]

"""Which topics experts write under, from their live, public briefs' topics:

    expert_topics(author)                 # [TopicCount(topic=<Pakistan>, count=7), …]
    experts_by_topic(authors, index)      # [ExpertGroup(topic=<Afghanistan>, experts=[…]), …,
                                          #  ExpertGroup(topic=None, experts=[…])]  "Other experts"

Only what a reader may open counts: briefs and guides that are live and outside a private
section. Each function costs two queries at most, however many experts and guides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from briefdesk.core.visibility import private_q, restricted_paths

if TYPE_CHECKING:
    from wagtail.models import Page

    from briefdesk.briefs.models import AuthorPage

    from .models import TopicGuidePage


@dataclass(frozen=True)
class TopicCount:
    topic: TopicGuidePage
    count: int


@dataclass(frozen=True)
class ExpertGroup:
    """A top-level guide and the experts who wrote under it or its sub-guides; `topic` None
    is "Other experts": those who wrote under no guide a reader may open, or nothing yet."""

    topic: TopicGuidePage | None
    experts: list[AuthorPage]


def expert_topics(author: AuthorPage) -> list[TopicCount]:
    """The guides the author's live, public briefs are filed under, each with how many of
    those briefs; most briefs first, then by title."""
    from briefdesk.briefs.models import BriefTopic

    from .models import TopicGuidePage

    restricted = restricted_paths()
    rows = dict(
        BriefTopic.objects.filter(page__live=True, page__brief_authors__author=author)
        .exclude(private_q(restricted, "page__"))
        .values_list("topic")
        .annotate(n=Count("page", distinct=True))
    )
    if not rows:
        return []
    topics = TopicGuidePage.objects.live().exclude(private_q(restricted)).in_bulk(list(rows))
    found = [TopicCount(topic, rows[pk]) for pk, topic in topics.items()]
    return sorted(found, key=lambda t: (-t.count, t.topic.title.casefold()))


def experts_by_topic(authors: Sequence[AuthorPage], index: Page | None) -> list[ExpertGroup]:
    """`authors` (those a reader may open, in the order to show them) grouped under each
    top-level guide of the topic index `index` a reader may open, by title, counting the
    briefs filed under its sub-guides; an expert may be in several groups. A guide nobody
    wrote under is left out; "Other experts" (topic None) comes last, only when not empty."""
    from briefdesk.briefs.models import BriefTopic

    from .models import TopicGuidePage

    restricted = restricted_paths()
    guides: list[Any] = []
    if index is not None:
        guides = list(
            TopicGuidePage.objects.descendant_of(index)
            .live()
            .exclude(private_q(restricted))
            .order_by("title")
        )
    top = [guide for guide in guides if index is not None and guide.depth == index.depth + 1]
    top_of = {
        guide.pk: parent.pk
        for guide in guides
        for parent in top
        if guide.path.startswith(parent.path)
    }
    pairs = (
        BriefTopic.objects.filter(page__live=True, topic__in=list(top_of))
        .exclude(private_q(restricted, "page__"))
        .values_list("topic", "page__brief_authors__author")
        .distinct()
        if top_of
        else []
    )
    wrote: dict[int, set[int]] = {}
    for topic_id, author_id in pairs:
        if author_id is not None:
            wrote.setdefault(top_of[topic_id], set()).add(author_id)
    groups = [
        ExpertGroup(guide, [a for a in authors if a.pk in wrote[guide.pk]])
        for guide in top
        if any(a.pk in wrote.get(guide.pk, ()) for a in authors)
    ]
    grouped = set().union(*wrote.values()) if wrote else set()
    others = [a for a in authors if a.pk not in grouped]
    if others:
        groups.append(ExpertGroup(None, others))
    return groups

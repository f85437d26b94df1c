"""The feeds the site offers and what is in them, as plain data for `formats.py` to write.

    channel = topic_channel("pakistan/kashmir")   # None: no such guide a reader may open
    body = formats.render(channel, "atom", self_url)

One channel for the whole site, one per topic guide (addressed by its path under /topics/,
as the guide's own URL is; it holds the briefs the guide's page lists, its sub-guides'
included: topics.guide.covered_guide_ids), one per expert (their slug under /authors/) and
one per brief type (`type_slug`). Each holds the newest FEED_LENGTH briefs a reader may
open — live, and neither they nor an ancestor under a view restriction — in the order listings
use, each with its full teaser, every author the byline credits (a link only to author pages a
reader may open), and as categories its type and the topics a reader may open.

Every URL is on BRIEFDESK_BASE_URL, as a brief's canonical URL (its citations) is.

`last_modified` is the site's last publishing event, not the newest entry's: a channel also
changes when a brief leaves it (unpublished, made private, moved, deleted, re-tagged), which
the entries that remain cannot date. It is the latest of Wagtail's log entries for those
actions and of the last publication of every page the channel prints. Caveat: a change made
outside Wagtail's actions (an SQL update) is not dated; the ETag, a hash of the body, still
changes (views.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from briefdesk.briefs.metadata import LANGUAGE, modified_moment, published_moment
from briefdesk.briefs.models import (
    BRIEF_TYPES,
    AuthorPage,
    BriefIndexPage,
    BriefPage,
    BriefTopic,
)
from briefdesk.core.visibility import in_private_section, is_visible, restricted_paths
from briefdesk.topics.guide import covered_guide_ids
from briefdesk.topics.models import TopicGuidePage, TopicIndexPage

from .entries import Channel, Entry, Person

# Enough for a reader who checks weekly; a feed is not an archive.
FEED_LENGTH = 30

# Wagtail log actions after which a channel may hold fewer or other entries.
CHANGING_ACTIONS = (
    "wagtail.publish",
    "wagtail.publish.scheduled",
    "wagtail.unpublish",
    "wagtail.unpublish.scheduled",
    "wagtail.delete",
    "wagtail.move",
    "wagtail.view_restriction.create",
    "wagtail.view_restriction.edit",
    "wagtail.view_restriction.delete",
)

# "analysis-brief" -> "Analysis Brief"
TYPE_SLUGS = {slugify(name): name for name in BRIEF_TYPES}


def type_slug(brief_type: str) -> str:
    return slugify(brief_type)


def type_label(brief_type: str) -> str:
    """The plural a feed title uses: "Op-Eds", "Analysis Briefs"."""
    return f"{brief_type}s"


def absolute(path: str) -> str:
    """A path on BRIEFDESK_BASE_URL; a full URL (a page on another Site) as is."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def page_url(page: Any) -> str:
    return absolute(page.get_url() or "/")


def feed_path(key: str, fmt: str) -> str:
    """The path of a channel's feed in one format ("rss", "atom", "json")."""
    if not key:
        return reverse("feeds:site", kwargs={"fmt": fmt})
    kind, _, rest = key.partition("/")
    name = {"topics": "topic", "experts": "expert", "types": "type"}[kind]
    return reverse(f"feeds:{name}", kwargs={"fmt": fmt, "key": rest})


def briefs_index_url() -> str:
    index = BriefIndexPage.objects.live().order_by("path").first()
    return page_url(index) if index is not None else absolute("/")


# --- finding the channel's subject --------------------------------------------------------


def find_topic(path: str) -> TopicGuidePage | None:
    """The guide at /topics/<path>/ (a sub-guide's path has its parent's slug first) that a
    reader may open."""
    segments = path.strip("/").split("/")
    if not all(segments):
        return None
    suffix = "/".join(segments) + "/"
    url_paths = [f"{index.url_path}{suffix}" for index in TopicIndexPage.objects.only("url_path")]
    return (
        TopicGuidePage.objects.live()
        .exclude(in_private_section())
        .filter(url_path__in=url_paths)
        .order_by("path")
        .first()
    )


def find_expert(slug: str) -> AuthorPage | None:
    """The author page with this slug that a reader may open."""
    return (
        AuthorPage.objects.live()
        .exclude(in_private_section())
        .filter(slug=slug)
        .order_by("path")
        .first()
    )


def topic_key(topic: TopicGuidePage, indexes: Sequence[Any] | None = None) -> str | None:
    """ "topics/<path>" for a guide under a topic index; None elsewhere. `indexes`: the
    topic indexes, when already loaded (a list of guides)."""
    if indexes is None:
        indexes = list(TopicIndexPage.objects.only("path", "url_path"))
    for index in indexes:
        if topic.path.startswith(index.path) and topic.path != index.path:
            return "topics/" + topic.url_path.removeprefix(index.url_path).strip("/")
    return None


# --- channels -------------------------------------------------------------------------------


def site_channel() -> Channel:
    return _channel(
        "",
        settings.WAGTAIL_SITE_NAME,
        f"The newest briefs from {settings.BRIEFDESK_PUBLISHER}.",
        absolute("/"),
        BriefPage.objects.for_listing(),
    )


def topic_channel(path: str) -> Channel | None:
    topic = find_topic(path)
    if topic is None:
        return None
    # As the guide's page lists them: filed under the guide or a sub-guide it covers.
    covered = covered_guide_ids([topic], restricted_paths())
    briefs = BriefPage.objects.for_listing().filter(
        pk__in=BriefTopic.objects.filter(topic__in=covered).values("page")
    )
    return _channel(
        f"topics/{'/'.join(path.strip('/').split('/'))}",
        f"{settings.WAGTAIL_SITE_NAME} — {topic.title}",
        topic.description or f"The newest briefs on {topic.title}.",
        page_url(topic),
        briefs,
        subject=topic,
    )


def expert_channel(slug: str) -> Channel | None:
    expert = find_expert(slug)
    if expert is None:
        return None
    briefs = BriefPage.objects.for_listing().filter(brief_authors__author=expert).distinct()
    return _channel(
        f"experts/{expert.slug}",
        f"{settings.WAGTAIL_SITE_NAME} — {expert.name}",
        f"The newest briefs by {expert.name}.",
        page_url(expert),
        briefs,
        subject=expert,
    )


def type_channel(slug: str) -> Channel | None:
    brief_type = TYPE_SLUGS.get(slug)
    if brief_type is None:
        return None
    label = type_label(brief_type)
    return _channel(
        f"types/{slug}",
        f"{settings.WAGTAIL_SITE_NAME} — {label}",
        f"The newest {label} from {settings.BRIEFDESK_PUBLISHER}.",
        briefs_index_url(),
        BriefPage.objects.for_listing().filter(brief_type=brief_type),
    )


def _channel(
    key: str,
    title: str,
    description: str,
    home_url: str,
    briefs: QuerySet[BriefPage],
    subject: Any = None,
) -> Channel:
    briefs = briefs.prefetch_related(
        Prefetch("brief_topics", queryset=BriefTopic.objects.select_related("topic"))
    )
    loaded = list(briefs[:FEED_LENGTH])
    restricted = restricted_paths()
    return Channel(
        key=key,
        title=title,
        description=description,
        home_url=home_url,
        language=LANGUAGE,
        entries=tuple(entry(brief, restricted) for brief in loaded),
        last_modified=last_change(loaded, subject),
    )


def entry(brief: BriefPage, restricted: Sequence[str]) -> Entry:
    tz = timezone.get_current_timezone()
    published = published_moment(brief.byline_date, brief.first_published_at, tz)
    topics = [link.topic for link in brief.brief_topics.all()]
    return Entry(
        id=brief.canonical_url(),
        url=brief.canonical_url(),
        title=brief.title,
        summary=brief.teaser,
        authors=tuple(
            Person(author.name, page_url(author) if is_visible(author, restricted) else None)
            for author in brief.authors
        ),
        categories=(
            brief.brief_type,
            *(topic.title for topic in topics if is_visible(topic, restricted)),
        ),
        published=published,
        updated=modified_moment(published, brief.updated_on, brief.last_published_at, tz),
    )


def last_change(briefs: Iterable[BriefPage], subject: Any = None) -> dt.datetime | None:
    """The latest moment anything the channel shows could have changed (module docstring)."""
    from wagtail.models import PageLogEntry

    briefs = list(briefs)
    pages: list[Any] = [*briefs, subject]
    for brief in briefs:
        pages += brief.authors
        pages += [link.topic for link in brief.brief_topics.all()]
    moments = [page.last_published_at for page in pages if page is not None]
    logged = PageLogEntry.objects.filter(action__in=CHANGING_ACTIONS).aggregate(
        latest=Max("timestamp")
    )["latest"]
    moments.append(logged)
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


# --- the feeds index ----------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """A channel on the /feeds/ page: its name and key."""

    name: str
    key: str


def listed_channels() -> dict[str, list[Listed]]:
    """Every channel a reader may subscribe to, grouped for the /feeds/ page."""
    indexes = list(TopicIndexPage.objects.only("path", "url_path"))
    topics = [
        Listed(topic.title, key)
        for topic in TopicGuidePage.objects.live().exclude(in_private_section()).order_by("path")
        if (key := topic_key(topic, indexes)) is not None
    ]
    experts = [
        Listed(expert.name, f"experts/{expert.slug}")
        for expert in AuthorPage.objects.live()
        .exclude(in_private_section())
        .order_by("family_name", "given_name")
    ]
    types = [Listed(type_label(t), f"types/{type_slug(t)}") for t in BRIEF_TYPES]
    return {"topics": topics, "experts": experts, "types": types}

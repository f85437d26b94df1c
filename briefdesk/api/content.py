"""What the read API shows of briefs, guides, experts and sources: plain dicts in the shapes of
`schemas.py`, holding only what an anonymous reader of the site may see.

    reader = Reader.for_request(request)          # one query: the private sections
    briefs = public_briefs(reader)                # live, outside private sections
    brief_detail(brief, reader)                   # nested authors/topics/sources filtered too

The rule is the site's own (core/visibility.py, sources/views.py): a page is shown when it is
live and neither it nor an ancestor has a view restriction; a source when it is live and a
shown brief cites it. Everything is read from the database rows, which hold the published
version of a live page or source; draft revisions are never read. Nested references to what a
reader may not open are dropped (topics, briefs on a timeline, sub-guides) or, for a brief's
authors, kept as a name without slug or URL, as the brief's byline does.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from wagtail.rich_text import expand_db_html

from briefdesk.briefs.models import AuthorPage, BriefAuthor, BriefPage, BriefTopic
from briefdesk.briefs.rendering import cited_map, cited_sources, topic_box_topics
from briefdesk.core.visibility import is_visible, private_q, restricted_paths, visible_ids
from briefdesk.sources.models import Source
from briefdesk.sources.richtext import CitedSource, render_source_citations, sanitize
from briefdesk.sources.views import public_sources
from briefdesk.topics.models import TopicGuidePage

NAMESPACE = "api-v1"
PHOTO_SPEC = "fill-240x240"  # the expert page's own rendition

# A slug as Wagtail makes them (Unicode letters, digits, "-" and "_"); anything else names
# nothing, and is answered 404 before it reaches the database (PostgreSQL refuses NUL).
_SLUG = re.compile(r"[-\w]{1,255}")
# Site-relative links in rendered HTML (href="/sources/3/"), made absolute for API clients.
_SITE_LINK = re.compile(r'\b(href|src)="/(?!/)')
# In-page anchors to a Sources list the API does not render.
_SOURCE_ANCHOR = re.compile(r' href="#source-\d+"')


def is_slug(value: str) -> bool:
    return bool(_SLUG.fullmatch(value))


def absolute(url: str) -> str:
    """A site-relative URL on the canonical origin (WAGTAILADMIN_BASE_URL)."""
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{url}"


def api_url(name: str, **kwargs: Any) -> str:
    return absolute(reverse(f"{NAMESPACE}:{name}", kwargs=kwargs))


def absolute_links(html: str) -> str:
    html = _SOURCE_ANCHOR.sub("", html)
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return _SITE_LINK.sub(lambda m: f'{m.group(1)}="{base}/', html)


@dataclass(frozen=True)
class Reader:
    """An anonymous reader, as of one request: the private sections, fetched once."""

    request: HttpRequest | None
    restricted: list[str]

    @classmethod
    def for_request(cls, request: HttpRequest | None) -> Reader:
        return cls(request, restricted_paths())

    def sees(self, page: Any) -> bool:
        return is_visible(page, self.restricted)

    def page_url(self, page: Any) -> str | None:
        url = page.get_url(request=self.request)
        return absolute(url) if url else None


# --- querysets ----------------------------------------------------------------------------


def public_briefs(reader: Reader) -> QuerySet[BriefPage]:
    """Live briefs outside private sections, newest first, with authors and topics."""
    return (
        BriefPage.objects.live()
        .exclude(private_q(reader.restricted))
        .order_by("-date", "-first_published_at", "-pk")
        .prefetch_related(
            Prefetch("brief_authors", queryset=BriefAuthor.objects.select_related("author")),
            Prefetch("brief_topics", queryset=BriefTopic.objects.select_related("topic")),
        )
    )


def public_guides(reader: Reader) -> QuerySet[TopicGuidePage]:
    return (
        TopicGuidePage.objects.live().exclude(private_q(reader.restricted)).order_by("title", "pk")
    )


def public_experts(reader: Reader) -> QuerySet[AuthorPage]:
    return (
        AuthorPage.objects.live()
        .exclude(private_q(reader.restricted))
        .select_related("photo")
        .order_by("family_name", "given_name", "pk")
    )


def shown_sources() -> QuerySet[Source]:
    """Sources with a public page (sources.views.public_sources), newest first."""
    return public_sources().select_related("outlet").order_by("-issued", "-pk")


# --- briefs -------------------------------------------------------------------------------


def author_ref(author: AuthorPage, reader: Reader) -> dict[str, Any]:
    if not reader.sees(author):
        return {"name": author.name, "slug": None, "url": None, "api_url": None}
    return {
        "name": author.name,
        "slug": author.slug,
        "url": reader.page_url(author),
        "api_url": api_url("expert", slug=author.slug),
    }


def topic_ref(topic: TopicGuidePage, reader: Reader) -> dict[str, Any]:
    return {
        "slug": topic.slug,
        "label": topic.label,
        "title": topic.title,
        "url": reader.page_url(topic),
        "api_url": api_url("guide", slug=topic.slug),
    }


def brief_ref(brief: BriefPage) -> dict[str, Any]:
    return {
        "slug": brief.slug,
        "title": brief.title,
        "url": brief.canonical_url(),
        "api_url": api_url("brief", slug=brief.slug),
    }


def brief_summary(brief: BriefPage, reader: Reader) -> dict[str, Any]:
    topics = [link.topic for link in brief.brief_topics.all()]
    return {
        **brief_ref(brief),
        "id": brief.pk,
        "type": brief.brief_type,
        "number": brief.number,
        "date": brief.byline_date,
        "updated": brief.updated_on,
        "teaser": brief.teaser,
        "authors": [author_ref(a, reader) for a in brief.authors],
        "topics": [topic_ref(t, reader) for t in topics if reader.sees(t)],
    }


def source_ref(source: Source) -> dict[str, Any]:
    return {
        "id": source.pk,
        "url": absolute(reverse("sources:detail", args=[source.pk])),
        "api_url": api_url("source", id=source.pk),
        "csl": source.to_csl(),
    }


def brief_detail(brief: BriefPage, reader: Reader) -> dict[str, Any]:
    """The brief with its body and Additional Analysis as the page renders them (citations
    as "(Label)" links, only topic boxes a reader may open), its live cited sources as
    CSL-JSON and its stored citations. Every live source a shown brief cites has a page."""
    sources = cited_sources(brief.rich_text_values())
    boxes = topic_box_topics(brief)
    context = {
        "cited": cited_map(sources, source_pages=True),
        "visible_page_ids": visible_ids(boxes, reader.restricted),
        "request": reader.request,
    }
    return {
        **brief_summary(brief, reader),
        "body_html": _render_blocks(brief.body, context),
        "additional_analysis_html": _render_blocks(brief.additional_analysis, context),
        "sources": [source_ref(s) for s in sources],
        "citations": brief.citations or {},
    }


def _render_blocks(stream: Iterable[Any], context: dict[str, Any]) -> str:
    return absolute_links("".join(str(block.render(context)) for block in stream))


def rich_text_html(value: Any, cited: dict[int, CitedSource] | None = None) -> str:
    """Stored rich text as readers get it: sanitised, citations rendered, links expanded
    (links to pages a reader cannot open lose their href), site links absolute."""
    source = str(getattr(value, "source", value) or "")
    html = render_source_citations(sanitize(source), cited or {})
    return absolute_links(expand_db_html(html))


# --- guides -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideTree:
    """Every guide a reader may open, by tree path: for parents and sub-guides without a
    query per guide."""

    by_path: dict[str, TopicGuidePage]

    @classmethod
    def load(cls, reader: Reader) -> GuideTree:
        return cls({g.path: g for g in public_guides(reader).defer("timeline", "key_facts")})

    def parent(self, guide: TopicGuidePage) -> TopicGuidePage | None:
        return self.by_path.get(guide.path[: -guide.steplen])

    def children(self, guide: TopicGuidePage) -> list[TopicGuidePage]:
        size = len(guide.path) + guide.steplen
        found = [
            g
            for path, g in self.by_path.items()
            if len(path) == size and path.startswith(guide.path)
        ]
        return sorted(found, key=lambda g: g.path)


def timeline(guide: TopicGuidePage, reader: Reader) -> list[dict[str, Any]]:
    """The guide's events, newest first (undated last): text with its citations rendered as
    a brief's are (sources that are not live appear as plain text), and the slugs of the
    briefs a reader may open."""
    events = [block.value for block in guide.timeline if block.block_type == "event"]
    if not events:
        return []
    sources = cited_sources([str(e["text"].source) for e in events if e["text"]])
    with_pages = (
        set(public_sources().filter(pk__in=[s.pk for s in sources]).values_list("pk", flat=True))
        if sources
        else set()
    )
    cited = {
        pk: dataclasses.replace(c, number=0, page_url=c.page_url if pk in with_pages else "")
        for pk, c in cited_map(sources, source_pages=True).items()
    }
    shown = [
        {
            "date": event["date"],
            "text_html": rich_text_html(event["text"], cited),
            "briefs": [page.slug for page in (event["briefs"] or []) if reader.sees(page)],
        }
        for event in events
    ]
    dated = sorted((e for e in shown if e["date"]), key=lambda e: e["date"], reverse=True)
    return dated + [e for e in shown if not e["date"]]


def guide_summary(
    guide: TopicGuidePage, reader: Reader, tree: GuideTree, events: list[dict[str, Any]]
) -> dict[str, Any]:
    parent = tree.parent(guide)
    return {
        **topic_ref(guide, reader),
        "id": guide.pk,
        "description": guide.description,
        "parent": parent.slug if parent else None,
        "latest_event": events[0] if events else None,
        "briefs_url": f"{api_url('briefs')}?topic={guide.slug}",
    }


def guide_detail(guide: TopicGuidePage, reader: Reader, tree: GuideTree) -> dict[str, Any]:
    events = timeline(guide, reader)
    return {
        **guide_summary(guide, reader, tree, events),
        "introduction_html": rich_text_html(guide.introduction),
        "key_facts": [
            {"label": b.value["label"], "value": b.value["value"]}
            for b in guide.key_facts
            if b.block_type == "fact"
        ],
        "timeline": events,
        "sub_guides": [topic_ref(child, reader) for child in tree.children(guide)],
    }


# --- experts ------------------------------------------------------------------------------


def photo_url(author: AuthorPage) -> str | None:
    if not author.photo_id or author.photo is None:
        return None
    try:
        return absolute(author.photo.get_rendition(PHOTO_SPEC).url)
    except OSError:  # the original file is missing (SourceImageIOError): no photo, no 500
        return None


def expert_summary(author: AuthorPage, reader: Reader) -> dict[str, Any]:
    return {
        "id": author.pk,
        "slug": author.slug,
        "url": reader.page_url(author),
        "api_url": api_url("expert", slug=author.slug),
        "name": author.name,
        "role": author.role,
        "photo_url": photo_url(author),
        "briefs_url": f"{api_url('briefs')}?expert={author.slug}",
    }


def expert_detail(author: AuthorPage, reader: Reader) -> dict[str, Any]:
    return {
        **expert_summary(author, reader),
        "bio_html": rich_text_html(author.bio),
        "links": [
            {"label": b.value["label"], "url": b.value["url"]}
            for b in author.links
            if b.block_type == "link"
        ],
    }


# --- sources ------------------------------------------------------------------------------


def source_summary(source: Source) -> dict[str, Any]:
    return {**source_ref(source), "kind": source.kind, "title": source.display_title}


def source_detail(source: Source, reader: Reader) -> dict[str, Any]:
    briefs = (
        public_briefs(reader)
        .filter(cited_sources__source=source)
        .defer("body", "additional_analysis", "citations")
    )
    return {
        **source_summary(source),
        "citations": source.formatted or {},
        "briefs": [brief_ref(b) for b in briefs],
    }

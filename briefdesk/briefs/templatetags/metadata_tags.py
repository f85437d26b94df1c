"""The brief page's bibliographic <head> metadata: gathers plain data from the page and what
its view already loaded, and hands it to briefdesk.briefs.metadata (which has no ORM)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from briefdesk.briefs.metadata import (
    BriefRecord,
    CitedWork,
    HeadMetadata,
    Person,
    SharedImage,
    csl_date,
    head_metadata,
    modified_moment,
    published_moment,
    record_fields_from_csl,
)

if TYPE_CHECKING:
    from wagtail.models import Page

    from briefdesk.briefs.models import BriefPage
    from briefdesk.sources.models import Source

register = template.Library()


@register.simple_tag(takes_context=True)
def brief_head_metadata(context: template.Context) -> HeadMetadata | None:
    """The metadata for the context's brief page (None on any other page), with its JSON-LD
    marked safe: it is escaped for a <script> element, not for HTML text."""
    from briefdesk.briefs.models import BriefPage

    page = context.get("page")
    if not isinstance(page, BriefPage):
        return None
    record = brief_record(
        page,
        request=context.get("request"),
        sources=context.get("sources"),
        topics=context.get("topics"),
        visible_page_ids=context.get("visible_page_ids"),
    )
    meta = head_metadata(record)
    return dataclasses.replace(meta, json_ld=mark_safe(meta.json_ld))


def brief_record(
    page: BriefPage,
    *,
    request: HttpRequest | None = None,
    sources: Iterable[Source] | None = None,
    topics: Iterable[Page] | None = None,
    visible_page_ids: set[int] | None = None,
) -> BriefRecord:
    """A BriefRecord for the page. `sources`, `topics` (those a reader may open) and
    `visible_page_ids` are what the page view put in its context (loaded once for the whole
    page); without them they are looked up here. Author URLs are given only for author pages
    a reader can open."""
    if sources is None:
        from briefdesk.briefs.rendering import cited_sources

        sources = cited_sources(page.rich_text_values())
    if topics is None:
        from briefdesk.briefs.rendering import visible_topics

        topics = visible_topics(page)
    if visible_page_ids is None:
        linked = page.linked_authors()
    else:
        linked = [(author, author.pk in visible_page_ids) for author in page.authors]
    # The bibliographic fields come from the brief's CSL item, as its citations and
    # downloads do, so the page says what they say.
    item = page.to_csl()
    fields = record_fields_from_csl(item)
    fields["authors"] = [
        Person(
            given=person.given,
            family=person.family,
            url=absolute_url(author.get_url(request)) if can_open else "",
        )
        for person, (author, can_open) in zip(fields["authors"], linked, strict=True)
    ]
    tz = timezone.get_current_timezone()
    published = published_moment(csl_date(item) or page.byline_date, page.first_published_at, tz)
    return BriefRecord(
        **fields,
        published=published,
        modified=modified_moment(published, page.updated_on, page.last_published_at, tz),
        site_name=settings.WAGTAIL_SITE_NAME,
        site_url=absolute_url("/"),
        topics=[topic.title for topic in topics],
        sources=[cited_work(source) for source in sources],
        # The PDF Zotero attaches and Google Scholar indexes; drafts (previews) have none.
        pdf_url=absolute_url(reverse("brief_pdf", args=[page.slug])) if page.live else "",
        image=shared_image(page, request),
        site_image=site_shared_image(),
    )


# Link previews crop to 1.91:1; 1200×630 is what Facebook, LinkedIn and X ask for.
SOCIAL_RENDITION = "fill-1200x630"


def shared_image(page: BriefPage, request: HttpRequest | None = None) -> SharedImage | None:
    """The brief's social image (else its first figure) as a 1200×630 crop, at an absolute
    URL on the request's host and port (BRIEFDESK_BASE_URL without a request). None when the
    brief has no image or its file cannot be read."""
    chosen = page.share_image()
    if chosen is None:
        return None
    image, alt = chosen
    try:
        rendition = image.get_rendition(SOCIAL_RENDITION)
    except OSError:  # a missing or unreadable file (Wagtail's SourceImageIOError)
        return None
    url = rendition.url
    if not url.startswith(("http://", "https://")):
        url = request.build_absolute_uri(url) if request else absolute_url(url)
    return SharedImage(url=url, alt=alt, width=rendition.width, height=rendition.height)


def site_shared_image() -> SharedImage:
    """The site's image (core page_meta_tags.site_image), for a brief without one."""
    from briefdesk.core.templatetags.page_meta_tags import SITE_IMAGE_SIZE, site_image

    url, alt = site_image()
    return SharedImage(url=url, alt=alt, width=SITE_IMAGE_SIZE[0], height=SITE_IMAGE_SIZE[1])


def cited_work(source: Source) -> CitedWork:
    # The page loads sources without their authors (rendering.LISTED_FIELDS); reading a
    # deferred field would cost a query per source, so authors come only when loaded.
    loaded_authors = "authors" not in source.get_deferred_fields()
    return CitedWork(
        title=source.title,
        url=source.url,
        kind=source.kind,
        publisher=source.outlet_name or source.publisher or source.container_title,
        issued=source.issued,
        authors=list(source.authors or []) if loaded_authors else [],
    )


def absolute_url(path: str | None) -> str:
    """A page path under BRIEFDESK_BASE_URL (a full URL, on a multi-site setup, as is)."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"

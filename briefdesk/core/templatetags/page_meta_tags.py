"""`{% page_meta as meta %}`: the description, canonical link and link-preview (OpenGraph,
Twitter card) data of the page being rendered, for base.html's <head>.

The brief page prints its own richer set (briefs/includes/head_meta.html); every other public
page gets these. A view that is not a Wagtail page may put `meta_title` and
`meta_description` in its context; the canonical link is the request's path (with a valid
`?page=N`) on the site's origin, BRIEFDESK_BASE_URL, as the sitemap and citations use.

The link-preview image is an expert's photo, else the site's image (`site_image`: the site's
mark on white, a static 1200x630 PNG): topic guides and the front page have no picture of
their own. So every page that uses this tag has exactly one og:image, at an absolute URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

from briefdesk.briefs.teasers import DESCRIPTION_LIMIT, prose_text, shorten
from briefdesk.core.views import site_origin

register = template.Library()

# Portraits are shared square; the link-preview card is then "summary" (a small square image).
PORTRAIT_RENDITION = "fill-600x600"
# The site's mark (favicon.svg) on white, 1200x630: what previews show without a picture.
SITE_IMAGE = "briefdesk/og-image.png"
SITE_IMAGE_SIZE = (1200, 630)  # its pixels, for og:image:width/height


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    canonical: str
    og_type: str
    site_name: str
    image_url: str = ""
    image_alt: str = ""


def default_description() -> str:
    return f"Briefs, topic guides and experts from {settings.BRIEFDESK_PUBLISHER}."


def page_description(page: Any) -> str:
    """What a search result or link preview says about a page: the editor's search
    description, else the page's own summary (teaser, description, role and biography,
    tagline, body), at most DESCRIPTION_LIMIT characters."""
    if page is None:
        return ""
    text = getattr(page, "search_description", "") or ""
    if not text and hasattr(page, "meta_description"):
        text = page.meta_description
    if not text:
        parts = []
        for name in ("description", "tagline", "role"):
            value = getattr(page, name, "")
            if isinstance(value, str) and value:
                parts.append(value.rstrip(".") + ".")
        for name in ("bio", "introduction", "body"):
            value = getattr(page, name, None)
            if isinstance(value, str) and value:
                parts.append(prose_text(value))
        text = " ".join(parts)
    return shorten(text, DESCRIPTION_LIMIT)


def canonical_url(request: Any) -> str:
    if request is None:
        return ""
    url = f"{site_origin()}{request.path}"
    number = request.GET.get("page", "")
    if number.isascii() and number.isdigit() and number.lstrip("0") not in ("", "1"):
        url += f"?page={number.lstrip('0')}"
    return url


def absolute(url: str) -> str:
    """A site-relative URL on the site's origin; a full URL (a CDN's) as is."""
    if url.startswith(("http://", "https://")):
        return url
    return f"{site_origin()}{url}"


def site_image() -> tuple[str, str]:
    """The site-wide link-preview image: its absolute URL (a static file, so its name carries
    the manifest's hash in production) and its alt text."""
    return absolute(static(SITE_IMAGE)), f"The {settings.WAGTAIL_SITE_NAME} logo"


def _portrait(page: Any, request: Any) -> tuple[str, str]:
    photo = getattr(page, "photo", None) if getattr(page, "photo_id", None) else None
    if photo is None:
        return "", ""
    try:
        url = photo.get_rendition(PORTRAIT_RENDITION).url
    except OSError:  # a missing or unreadable file: no image rather than an error
        return "", ""
    return absolute(url), getattr(page, "title", "")


@register.simple_tag(takes_context=True)
def page_meta(context: template.Context) -> PageMeta:
    from briefdesk.core.models import HomePage

    page = context.get("page")
    request = context.get("request")
    site_name = settings.WAGTAIL_SITE_NAME
    if page is not None and hasattr(page, "title"):
        title = getattr(page, "seo_title", "") or page.title
        description = context.get("meta_description") or page_description(page)
    else:
        title = context.get("meta_title") or site_name
        description = context.get("meta_description") or ""
    og_type = "website"
    if isinstance(page, HomePage):
        title = site_name
    elif page is not None and page.__class__.__name__ == "AuthorPage":
        og_type = "profile"
    image_url, image_alt = _portrait(page, request) if page is not None else ("", "")
    if not image_url:
        image_url, image_alt = site_image()
    return PageMeta(
        title=str(title),
        description=str(description or default_description()),
        canonical=canonical_url(request),
        og_type=og_type,
        site_name=site_name,
        image_url=image_url,
        image_alt=image_alt,
    )


@register.simple_tag
def head_tags(head: Any) -> SafeString:
    """The <meta> and <link> elements of bibliographic metadata (`briefs.metadata.HeadMetadata`
    and the source page's), each followed by a new line and two spaces, escaped as the
    template engine escapes. Written here rather than as a template loop: a brief page has
    forty-odd tags, and the loop cost half a millisecond of every render."""
    parts = [
        f'<meta {esc(m.attribute)}="{esc(m.key)}" content="{esc(m.content)}">\n  '
        for m in head.meta
    ]
    for link in head.links:
        type_ = f' type="{esc(link.type)}"' if link.type else ""
        title = f' title="{esc(link.title)}"' if link.title else ""
        parts.append(f'<link rel="{esc(link.rel)}" href="{esc(link.href)}"{type_}{title}>\n  ')
    return mark_safe("".join(parts))  # every value is escaped above

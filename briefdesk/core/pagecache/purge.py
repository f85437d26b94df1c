"""What a change shows on: the paths of every public page, feed and download that displays a
brief, source, outlet, expert or topic guide, and the purge of exactly those paths through
Wagtail's purge batches (every backend of WAGTAILFRONTENDCACHE: the page cache, Varnish, a CDN).

A path stands for all its query strings (`/briefs/` covers `/briefs/?page=3`). Each function
reads the database as it is when called: the signal handlers (signals.py) call them before a
change, for the pages that showed the old state, and after it, for those that show the new.
The purge itself waits for the transaction to commit, so no reader can render and store the
old state after it (the stores refuse an entry whose rendering started before the purge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, ReferenceIndex

FEED_FORMATS = ("rss", "atom", "json")
SITEMAP = "/sitemap.xml"


def page_path(page: Page) -> str | None:
    """The page's path on its site ("/briefs/slug/"), None when it has no URL."""
    parts = page.get_url_parts()
    return parts[2] if parts else None


def _feeds(key: str) -> set[str]:
    from briefdesk.feeds.channels import feed_path

    return {feed_path(key, fmt) for fmt in FEED_FORMATS}


def _parent_path(page: Page) -> set[str]:
    """The path of the page's parent (the index listing it) when that is live."""
    parent = page.get_parent()
    path = page_path(parent) if parent is not None and parent.live else None
    return {path} if path else set()


def _briefs(briefs: Any) -> set[str]:
    """The own paths of the live briefs in this BriefPage queryset."""
    paths: set[str] = set()
    for brief in briefs.live().distinct():
        paths |= own_paths(brief)
    return paths


def _brief_pages(briefs: Any) -> set[str]:
    """The pages alone of the live briefs in this BriefPage queryset: what their More on This
    Topic changes (their cite dialog, downloads and PDF never show it: print.css hides it)."""
    paths: set[str] = set()
    for brief in briefs.live().distinct():
        path = page_path(brief)
        if path is not None:
            paths.add(path)
    return paths


# References made only in a brief's More on This Topic settings (a pin, an exclusion): the
# brief's page alone shows them (its cite dialog, downloads and PDF never do).
RELATED_ONLY = ("related_pins.", "related_exclusions.")


def _referring_pages(obj: Any) -> set[str]:
    """Live pages whose content links to or boxes `obj` (Wagtail's reference index: body
    links, Additional Analysis, topic-guide boxes, More on This Topic pins)."""
    from django.contrib.contenttypes.models import ContentType

    # Pages are indexed under their base model, Page: one query, no content type per row.
    refs = ReferenceIndex.get_references_to(obj).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    )
    whole: set[int] = set()
    page_only: set[int] = set()
    for object_id, model_path in refs.values_list("object_id", "model_path"):
        (page_only if model_path.startswith(RELATED_ONLY) else whole).add(int(object_id))
    paths: set[str] = set()
    for page in Page.objects.live().filter(pk__in=whole | page_only).specific():
        if page.pk in whole:
            paths |= own_paths(page)
        elif (path := page_path(page)) is not None:
            paths.add(path)
    return paths


def own_paths(page: Page) -> set[str]:
    """A page's own URL and the URLs under it that show the same record (a brief's cite
    dialog, downloads and PDF)."""
    from briefdesk.briefs.models import BriefPage
    from briefdesk.citations.views import DOWNLOADS

    path = page_path(page)
    if path is None:
        return set()
    paths = {path}
    if isinstance(page, BriefPage):
        paths.add(f"{path}cite/")
        paths.add(reverse("brief_pdf", kwargs={"slug": page.slug}))
        for fmt in [*DOWNLOADS, "txt"]:
            paths.add(reverse("brief_cite_file", kwargs={"slug": page.slug, "fmt": fmt}))
    return paths


def brief_paths(brief_id: int) -> set[str]:
    """Everything that shows the brief as it is stored now; nothing when it is not live."""
    from briefdesk.briefs.models import BriefPage, BriefRelatedPin, RelatedBrief
    from briefdesk.feeds.channels import topic_key, type_slug

    brief = BriefPage.objects.live().filter(pk=brief_id).first()
    if brief is None:
        return set()
    paths = own_paths(brief) | {"/", SITEMAP, reverse("feeds:index")} | _feeds("")
    paths |= _feeds(f"types/{type_slug(brief.brief_type)}")
    paths |= _parent_path(brief)
    for link in brief.brief_topics.select_related("topic"):
        paths |= guide_own_paths(link.topic, topic_key(link.topic))
    for link in brief.brief_authors.select_related("author"):
        paths |= expert_own_paths(link.author)
    # The briefs whose More on This Topic lists it.
    scores = RelatedBrief.objects.filter(related=brief)
    pins = BriefRelatedPin.objects.filter(related=brief)
    shown_by = {*scores.values_list("page_id", flat=True), *pins.values_list("page_id", flat=True)}
    paths |= _brief_pages(BriefPage.objects.filter(pk__in=shown_by))
    paths |= _referring_pages(brief)
    # Source pages list the briefs citing them.
    for source_id in brief.cited_sources.values_list("source_id", flat=True):
        paths |= source_own_paths(source_id)
    return paths


def shown_briefs(brief_ids: Iterable[int]) -> set[str]:
    """The pages of these live briefs (their More on This Topic changed)."""
    from briefdesk.briefs.models import BriefPage

    return _brief_pages(BriefPage.objects.filter(pk__in=list(brief_ids)))


def guide_own_paths(guide: Page, key: str | None) -> set[str]:
    paths = own_paths(guide)
    if key:
        paths |= _feeds(key)
    return paths


def expert_own_paths(author: Page) -> set[str]:
    paths = own_paths(author)
    if author.slug:
        paths |= _feeds(f"experts/{author.slug}")
    return paths


def source_own_paths(source_id: int) -> set[str]:
    from briefdesk.citations.views import DOWNLOADS

    detail = reverse("sources:detail", args=[source_id])
    paths = {detail, reverse("sources:index"), SITEMAP, reverse("sources:wacz", args=[source_id])}
    for fmt in [*DOWNLOADS, "txt"]:
        paths.add(reverse("sources:cite_file", args=[source_id, fmt]))
    from briefdesk.sources.models import Snapshot

    for snapshot_id in Snapshot.objects.filter(source_id=source_id).values_list("pk", flat=True):
        paths.add(reverse("sources:archive", args=[source_id, snapshot_id]))
    return paths


def source_paths(source_id: int) -> set[str]:
    """The source's own pages and every live brief citing it (its citations and endnotes)."""
    from briefdesk.briefs.models import BriefPage

    return source_own_paths(source_id) | _briefs(
        BriefPage.objects.filter(cited_sources__source_id=source_id)
    )


def expert_paths(author_id: int) -> set[str]:
    """The expert's page and feeds, the experts' index, the home page (featured experts) and
    the briefs whose byline names them."""
    from briefdesk.briefs.models import AuthorPage, BriefPage

    author = AuthorPage.objects.live().filter(pk=author_id).first()
    if author is None:
        return set()
    briefs = BriefPage.objects.filter(brief_authors__author=author)
    return _listing_page_paths(author, expert_own_paths(author), briefs)


def guide_paths(guide_id: int) -> set[str]:
    """The guide's page and feeds, the topics index, the home page and every brief filed
    under it or boxing it."""
    from briefdesk.briefs.models import BriefPage
    from briefdesk.feeds.channels import topic_key
    from briefdesk.topics.models import TopicGuidePage

    guide = TopicGuidePage.objects.live().filter(pk=guide_id).first()
    if guide is None:
        return set()
    briefs = BriefPage.objects.filter(brief_topics__topic=guide)
    return _listing_page_paths(guide, guide_own_paths(guide, topic_key(guide)), briefs)


def _listing_page_paths(page: Page, own: set[str], briefs: Any) -> set[str]:
    """An expert or a guide: its own paths, its index, the home page and the sitemap, the
    briefs in `briefs` (which show its name) and the pages linking to it."""
    return own | {"/", SITEMAP} | _parent_path(page) | _briefs(briefs) | _referring_pages(page)


def other_page_paths(page_id: int) -> set[str]:
    """Any other page (home, an index, a standard page): itself, the sitemap and the pages
    linking to it."""
    page = Page.objects.live().filter(pk=page_id).specific().first()
    if page is None:
        return set()
    return own_paths(page) | {SITEMAP} | _referring_pages(page)


def paths_for_page_id(page_id: int) -> set[str]:
    page = Page.objects.filter(pk=page_id).first()
    return paths_for_page(page) if page is not None else set()


def paths_for_page(page: Page) -> set[str]:
    from briefdesk.briefs.models import AuthorPage, BriefPage
    from briefdesk.topics.models import TopicGuidePage

    if page.pk is None:
        return set()
    kind = page.specific_class
    if kind is BriefPage:
        return brief_paths(page.pk)
    if kind is AuthorPage:
        return expert_paths(page.pk)
    if kind is TopicGuidePage:
        return guide_paths(page.pk)
    return other_page_paths(page.pk)


def site_chrome() -> tuple[tuple[int, str, str], ...]:
    """What every page's navigation and footer show of other pages (core.context_processors):
    the main topics and footer pages, each as (id, title, tree path). Two queries."""
    from briefdesk.core.context_processors import footer_pages, main_topics

    return tuple((page.pk, page.title, page.url_path) for page in [*main_topics(), *footer_pages()])


def everything() -> set[str]:
    """Every public path: for changes that can touch any page (a view restriction, a section
    moved or renamed). Rare, and bounded by the size of the site."""
    from briefdesk.briefs.models import AuthorPage
    from briefdesk.feeds.channels import TYPE_SLUGS, topic_key
    from briefdesk.sources.models import Source
    from briefdesk.topics.models import TopicGuidePage

    paths: set[str] = set()
    for page in Page.objects.live().specific():
        if isinstance(page, TopicGuidePage):
            paths |= guide_own_paths(page, topic_key(page))
        elif isinstance(page, AuthorPage):
            paths |= expert_own_paths(page)
        else:
            paths |= own_paths(page)
    for slug in TYPE_SLUGS:
        paths |= _feeds(f"types/{slug}")
    for source_id in Source.objects.values_list("pk", flat=True):
        paths |= source_own_paths(source_id)
    return paths | {"/", SITEMAP, reverse("feeds:index")} | _feeds("")


def purge(paths: Iterable[str] = (), after: Callable[[], set[str]] | None = None) -> None:
    """Purge these paths from every cache once the current transaction commits, with those
    `after` names then (what shows the new state: a page's related rows are saved after the
    page itself, so only the committed database tells)."""
    chosen = set(paths)

    def run() -> None:
        purge_now(chosen | (after() if after is not None else set()))

    transaction.on_commit(run)


def page_path_from_url_path(url_path: str) -> str | None:
    """The public path of a page whose url_path (tree path from the root) was `url_path`."""
    from wagtail.models import Site

    for site in Site.objects.select_related("root_page"):
        root = site.root_page.url_path
        if url_path.startswith(root):
            return "/" + url_path.removeprefix(root)
    return None


def purge_now(paths: Iterable[str]) -> None:
    """Purge these paths from briefdesk's page cache here and now, and from the other front
    caches through a Wagtail purge batch. Wagtail sends a batch as a background job
    (wagtail.contrib.frontend_cache.tasks): with TASKS_BACKEND=database readers would get the
    old page from the page cache until a worker ran it."""
    from wagtail.contrib.frontend_cache.utils import get_backends

    from .backend import PageStoreBackend

    chosen = sorted(set(paths))
    if not chosen:
        return
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    urls = [f"{base}{path}" for path in chosen]
    others = []
    for name, backend in get_backends().items():
        if isinstance(backend, PageStoreBackend):
            backend.purge_batch(urls)
        else:
            others.append(name)
    if others:
        batch = PurgeBatch()
        batch.add_urls(urls)
        batch.purge(backends=others)


def purge_everything() -> None:
    """Empty every cache once the current transaction commits: one request per front cache
    that can (briefdesk's page cache, Varnish with deploy/varnish/briefdesk.vcl), every public
    URL for the others (a CDN backend)."""
    transaction.on_commit(purge_everything_now)


def purge_everything_now() -> None:
    from wagtail.contrib.frontend_cache.utils import get_backends

    from briefdesk.core import sitecache

    sitecache.forget()  # the navigation, footer and Sites every page reads
    backends = get_backends()
    urls: list[str] | None = None
    for backend in backends.values():
        purge_all = getattr(backend, "purge_all", None)
        if purge_all is not None:
            purge_all()
            continue
        if urls is None:
            base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
            urls = sorted(f"{base}{path}" for path in everything())
        backend.purge_batch(urls)

"""What the bake renders: every public URL (`public_seeds`), the file name of a URL whose
answer is not HTML (`filename_for`), and the URLs a change since the last bake shows on
(`changed_since`), from the same functions that purge the page cache (core/pagecache/purge.py).

Public means what an anonymous reader may open: live pages outside private sections
(`.live().public()`), and the source pages the site serves (sources.views.public_sources).
Unpublished, private and restricted pages never enter the seeds, and a link to them never
resolves (the rich-text link handler drops it, and rendering one answers 404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import Resolver404, resolve, reverse
from wagtail.models import Page

from briefdesk.core.pagecache import purge

# Pages whose text the static search indexes (data-pagefind-body on their <main>).
INDEXED_KINDS = ("brief", "guide", "expert")
FEED_FILES = {"rss": "index.xml", "atom": "index.xml", "json": "index.json"}


@dataclass
class Seed:
    """A URL to bake and, for a page's own URL, the page it shows."""

    url: str
    page_id: int | None = None
    kind: str = "other"  # brief, guide, expert or other
    sort_key: str = ""  # a brief's place in listings (its date): a change reorders them


@dataclass
class Changes:
    """What changed since the last bake: paths to render again, page ids whose old outputs
    and old neighbours must be rendered again (or removed), and whether listings reorder."""

    paths: set[str] = field(default_factory=set)
    page_ids: set[int] = field(default_factory=set)
    reordered: bool = False


def filename_for(path: str) -> str | None:
    """The file name of a directory-like URL that answers with something other than HTML
    (a feed, a PDF, a WARC, a document); None for an HTML page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    kwargs = match.kwargs
    if name.startswith("feeds:") and name != "feeds:index":
        return FEED_FILES.get(kwargs.get("fmt", ""))
    if name == "brief_pdf":
        return f"{kwargs['slug']}.pdf"
    if name == "sources:archive_warc":
        return f"source-{kwargs['pk']}-snapshot-{kwargs['snapshot_id']}.warc.gz"
    if name == "sources:archive_document":
        from briefdesk.sources.models import Snapshot

        stored = (
            Snapshot.objects.filter(pk=kwargs["snapshot_id"])
            .values_list("document", flat=True)
            .first()
        )
        extension = stored.rsplit(".", 1)[-1] if stored and "." in stored else "bin"
        return f"source-{kwargs['pk']}-snapshot-{kwargs['snapshot_id']}.{extension}"
    return None


def is_pdf(url: str) -> bool:
    """Whether the URL is a brief's PDF."""
    try:
        return resolve(url.split("?", 1)[0]).view_name == "brief_pdf"
    except Resolver404:
        return False


def _kind(page: Page) -> str:
    from briefdesk.briefs.models import AuthorPage, BriefPage
    from briefdesk.topics.models import TopicGuidePage

    return {BriefPage: "brief", TopicGuidePage: "guide", AuthorPage: "expert"}.get(
        type(page), "other"
    )


def _page_seeds(pages: Iterable[Page], with_pdfs: bool) -> dict[str, Seed]:
    """The own URLs of these pages: the page, and for a brief its cite dialog, downloads and
    PDF; for a guide or an expert their feeds."""
    from briefdesk.briefs.models import BriefPage
    from briefdesk.feeds.channels import topic_key
    from briefdesk.topics.models import TopicGuidePage

    seeds: dict[str, Seed] = {}
    for page in pages:
        kind = _kind(page)
        path = purge.page_path(page)
        if path is None:
            continue
        own = purge.own_paths(page)
        key = ""
        if isinstance(page, BriefPage):
            key = f"{page.date}|{page.first_published_at}"
        elif isinstance(page, TopicGuidePage):
            own |= purge.guide_own_paths(page, topic_key(page))
        elif kind == "expert":
            own |= purge.expert_own_paths(page)
        seeds[path] = Seed(path, page.pk, kind, key)
        for url in own - {path}:
            if with_pdfs or not is_pdf(url):
                seeds[url] = Seed(url, page.pk)
    return seeds


def _brief_seeds(with_pdfs: bool) -> dict[str, Seed] | None:
    """The briefs' own URLs from one query of plain values (loading 10,000 pages as objects
    takes most of a minute): what `purge.own_paths` gives for a brief, which a test checks.
    None with several sites, where Wagtail must say which site each page is on."""
    from wagtail.models import Site

    from briefdesk.briefs.models import BriefPage
    from briefdesk.citations.views import DOWNLOADS

    roots = list(Site.objects.values_list("root_page__url_path", flat=True))
    if len(roots) != 1:
        return None
    root = roots[0]
    seeds: dict[str, Seed] = {}
    rows = (
        BriefPage.objects.live()
        .public()
        .values_list("pk", "url_path", "slug", "date", "first_published_at")
    )
    for pk, url_path, slug, date, first_published_at in rows.iterator(chunk_size=2000):
        if not url_path.startswith(root):
            continue  # outside the site: no URL
        path = "/" + url_path.removeprefix(root)
        seeds[path] = Seed(path, pk, "brief", f"{date}|{first_published_at}")
        own = [f"{path}cite/"]
        own += [reverse("brief_cite_file", kwargs={"slug": slug, "fmt": fmt}) for fmt in DOWNLOADS]
        own.append(reverse("brief_cite_file", kwargs={"slug": slug, "fmt": "txt"}))
        if with_pdfs:
            own.append(reverse("brief_pdf", kwargs={"slug": slug}))
        for url in own:
            seeds[url] = Seed(url, pk)
    return seeds


def page_seeds(page_ids: Iterable[int], with_pdfs: bool = True) -> list[Seed]:
    """The own URLs of those of these pages that are public now."""
    pages = Page.objects.live().public().filter(pk__in=list(page_ids)).specific()
    return list(_page_seeds(pages, with_pdfs).values())


def public_seeds(with_pdfs: bool = True) -> list[Seed]:
    """Every public URL the site answers without a query string: pages and what hangs off
    them (cite dialog and downloads, PDFs, feeds), source pages and their archived views,
    the indexes, the sitemap, robots.txt. Listing pages' further pages (?page=N) and a
    guide's filters are found by following links."""
    from briefdesk.briefs.models import BriefPage
    from briefdesk.feeds.channels import TYPE_SLUGS
    from briefdesk.sources.views import public_sources

    briefs = _brief_seeds(with_pdfs)
    pages = Page.objects.live().public()
    if briefs is not None:
        pages = pages.not_type(BriefPage)
    seeds = _page_seeds(pages.specific().iterator(chunk_size=2000), with_pdfs)
    seeds.update(briefs or {})

    def add(url: str) -> None:
        seeds.setdefault(url, Seed(url))

    for slug in TYPE_SLUGS:
        for fmt in purge.FEED_FORMATS:
            add(reverse("feeds:type", kwargs={"key": slug, "fmt": fmt}))
    for fmt in purge.FEED_FORMATS:
        add(reverse("feeds:site", kwargs={"fmt": fmt}))
    for source_id in public_sources().values_list("pk", flat=True):
        for url in purge.source_own_paths(source_id):
            add(url)
    for url in ("/", purge.SITEMAP, reverse("feeds:index"), reverse("sources:index")):
        add(url)
    add(reverse("robots_txt"))
    add(reverse("favicon"))
    return list(seeds.values())


def changed_since(since: dt.datetime) -> Changes:
    """What the records changed after `since` show on: pages published, unpublished, moved or
    deleted (Wagtail's audit log and publish times), sources and outlets edited, snapshots
    taken, links checked, More on This Topic lists recomputed. What leaves no trace with a
    time (a changed template, a view restriction, an image) is caught by the bake's
    fingerprint instead (bake/run.py), which renders everything again."""
    from wagtail.models import ModelLogEntry, PageLogEntry

    from briefdesk.briefs.models import RelatedBrief
    from briefdesk.sources.models import LinkCheck, Outlet, Snapshot, Source

    changes = Changes()
    logged = PageLogEntry.objects.filter(timestamp__gt=since)
    page_ids = set(logged.values_list("page_id", flat=True))
    page_ids |= set(Page.objects.filter(last_published_at__gt=since).values_list("pk", flat=True))
    # Listings change membership (or order) when a page goes live, goes away or moves.
    membership = {"wagtail.unpublish", "wagtail.delete", "wagtail.move"}
    if logged.filter(action__in=membership).exists():
        changes.reordered = True
    changes.page_ids = {pk for pk in page_ids if pk is not None}
    for page_id in changes.page_ids:
        changes.paths |= purge.paths_for_page_id(page_id)

    source_ids = set(Source.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    source_ids |= set(
        Snapshot.objects.filter(captured_at__gt=since).values_list("source_id", flat=True)
    )
    source_ids |= set(
        LinkCheck.objects.filter(checked_at__gt=since).values_list("source_id", flat=True)
    )
    from django.contrib.contenttypes.models import ContentType

    outlet_type = ContentType.objects.get_for_model(Outlet)
    outlet_ids = ModelLogEntry.objects.filter(
        timestamp__gt=since, content_type=outlet_type
    ).values_list("object_id", flat=True)
    source_ids |= set(
        Source.objects.filter(
            outlet_id__in=[int(i) for i in outlet_ids if str(i).isdigit()]
        ).values_list("pk", flat=True)
    )
    for source_id in source_ids:
        changes.paths |= purge.source_paths(source_id)
    rescored = RelatedBrief.objects.filter(computed_at__gt=since).values_list("page_id", flat=True)
    changes.paths |= purge.shown_briefs(set(rescored))
    return changes

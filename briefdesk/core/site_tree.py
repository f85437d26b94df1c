"""The page tree every briefdesk site needs, built on first run and checked before serving.

    report = ensure_site()      # `briefdesk init` (manage init_site) and the demo loader
    problem = site_problem()    # `briefdesk check`: None, or one line saying what is missing

ensure_site builds what is missing and changes nothing that is there: the home page
(HomePage), its three published indexes at /briefs/, /authors/ and /topics/, the one default
Wagtail Site rooted at the home page and answering on BRIEFDESK_BASE_URL's host and port, and
the Authors and Editors roles. Wagtail's "Welcome to your new Wagtail site!" placeholder goes
once no Site points at it. Running it again reports nothing and writes nothing.

Caveats: pages are found by type, so an index an editor renamed or moved keeps its new slug;
an existing index that is unpublished stays unpublished (an editor's choice). Only a plain
Wagtail `Page` with no children at the top of the tree counts as the placeholder: editors
cannot create plain Pages, so nothing of theirs is deleted. A deployment with several Sites
keeps them; only the default Site is pointed at the home page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, transaction

from .origin import site_address, sync_default_site
from .stored_citations import current_base_url

if TYPE_CHECKING:
    from wagtail.models import Page, Site

    from .models import HomePage

HOME_SLUG = "home-briefdesk"
# (slug, title) of each index under the home page; the titles match the footer's links.
BRIEFS = ("briefs", "Briefs")
AUTHORS = ("authors", "Authors")
TOPICS = ("topics", "Topic guides")


class SiteTreeError(Exception):
    """The tree cannot be built as it stands; the message is one line for the operator."""


@dataclass(frozen=True)
class SiteReport:
    """What ensure_site found or built. `changes` has one sentence per thing created or
    changed, in the order done; it is empty when the site was already set up."""

    home_id: int
    briefs_id: int
    authors_id: int
    topics_id: int
    site_id: int
    changes: tuple[str, ...]


def _publish(page: Page) -> None:
    page.save_revision().publish()


@transaction.atomic
def ensure_site() -> SiteReport:
    """Create whatever of the site's page tree, Site and roles is missing (see the module
    docstring). Idempotent. Raises SiteTreeError when Wagtail's root page is missing (the
    database is not migrated) or a page with an index's slug is in the way."""
    from wagtail.models import Page

    from briefdesk.briefs.models import AuthorIndexPage, BriefIndexPage
    from briefdesk.topics.models import TopicIndexPage

    from .models import HomePage
    from .roles import AUTHORS as AUTHORS_GROUP
    from .roles import EDITORS as EDITORS_GROUP
    from .roles import ensure_roles

    changes: list[str] = []
    root = Page.get_first_root_node()
    if root is None:
        raise SiteTreeError("Wagtail's root page is missing: run briefdesk manage migrate")

    home = HomePage.objects.first()
    if home is None:
        if Page.objects.child_of(root).filter(slug=HOME_SLUG).exists():
            raise SiteTreeError(f"a page with the slug {HOME_SLUG!r} is in the home page's way")
        home = HomePage(title="Home", slug=HOME_SLUG)
        root.add_child(instance=home)
        _publish(home)
        changes.append("Created the home page.")

    indexes = {}
    for model, (slug, title) in (
        (BriefIndexPage, BRIEFS),
        (AuthorIndexPage, AUTHORS),
        (TopicIndexPage, TOPICS),
    ):
        index = model.objects.child_of(home).first()
        if index is None:
            if Page.objects.child_of(home).filter(slug=slug).exists():
                raise SiteTreeError(f"a page with the slug {slug!r} is in the way of /{slug}/")
            index = model(title=title, slug=slug)
            home.add_child(instance=index)
            _publish(index)
            changes.append(f"Created the {title} index at /{slug}/.")
        indexes[model] = index

    site, site_changes = _ensure_default_site(home)
    changes.extend(site_changes)
    changes.extend(_delete_placeholders())

    had_roles = _roles_exist(AUTHORS_GROUP, EDITORS_GROUP)
    ensure_roles()
    if not had_roles:
        changes.append(f"Created the {AUTHORS_GROUP} and {EDITORS_GROUP} roles.")

    return SiteReport(
        home_id=home.pk,
        briefs_id=indexes[BriefIndexPage].pk,
        authors_id=indexes[AuthorIndexPage].pk,
        topics_id=indexes[TopicIndexPage].pk,
        site_id=site.pk,
        changes=tuple(changes),
    )


def _ensure_default_site(home: HomePage) -> tuple[Site, list[str]]:
    from wagtail.models import Site

    changes: list[str] = []
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        address = site_address(current_base_url())
        hostname, port = (address.hostname, address.port) if address else ("localhost", 80)
        site = Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
        changes.append(f"Created the site on {hostname}:{port}.")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()  # Wagtail clears its cached site root paths on save
        changes.append("The site's home page is now the briefdesk home page.")
    if sync_default_site():
        site.refresh_from_db()
        changes.append(f"The site now answers on {site.hostname}:{site.port} (BRIEFDESK_BASE_URL).")
    return site, changes


def _delete_placeholders() -> list[str]:
    """Delete Wagtail's welcome page: a plain Page at the top, with no children, that no
    Site points at."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, Site

    plain = ContentType.objects.get_for_model(Page)
    in_use = Site.objects.values_list("root_page_id", flat=True)
    changes = []
    for page in Page.objects.filter(depth=2, content_type=plain, numchild=0).exclude(pk__in=in_use):
        if page.get_children().exists():  # numchild can be stale; trust the tree
            continue
        changes.append(f"Deleted Wagtail's placeholder page {page.title!r}.")
        page.delete()
    return changes


def _roles_exist(*names: str) -> bool:
    from django.contrib.auth.models import Group

    return Group.objects.filter(name__in=names).count() == len(names)


def site_problem() -> str | None:
    """One line saying why the site's page tree is not set up, or None when it is: a default
    Site rooted at a briefdesk home page with the three indexes under it. Three queries;
    meant for preflight checks run after the migrations check."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, Site

    from briefdesk.briefs.models import AuthorIndexPage, BriefIndexPage
    from briefdesk.topics.models import TopicIndexPage

    from .models import HomePage

    fix = "run briefdesk init"
    try:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            return f"the site is not set up (there is no default site): {fix}"
        types = ContentType.objects.get_for_models(
            Page, HomePage, BriefIndexPage, AuthorIndexPage, TopicIndexPage
        )
        root = site.root_page
        if root.content_type_id == types[Page].pk:
            return f"the site is not set up (Wagtail's welcome page is the home page): {fix}"
        if root.content_type_id != types[HomePage].pk:
            return f"the site's home page {root.title!r} is not a briefdesk home page: {fix}"
        present = set(Page.objects.child_of(root).values_list("content_type_id", flat=True))
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"the site's pages cannot be read ({first}): run briefdesk init"
    for model, (slug, _title) in (
        (BriefIndexPage, BRIEFS),
        (AuthorIndexPage, AUTHORS),
        (TopicIndexPage, TOPICS),
    ):
        if types[model].pk not in present:
            return f"the site has no /{slug}/ index: {fix}"
    return None

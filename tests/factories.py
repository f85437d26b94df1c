"""Factories for tests: sources and outlets (factory_boy) and the page tree (Wagtail pages are
created through the tree API, so plain functions)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from briefdesk.briefs.models import (
    AuthorIndexPage,
    AuthorPage,
    BriefAuthor,
    BriefIndexPage,
    BriefPage,
    BriefTopic,
)
from briefdesk.core.models import HomePage
from briefdesk.core.roles import AUTHORS, EDITORS
from briefdesk.sources.models import Outlet, Snapshot, Source
from briefdesk.topics.models import TopicGuidePage, TopicIndexPage

PASSWORD = "correct horse battery"


class OutletFactory(factory.django.DjangoModelFactory[Outlet]):
    class Meta:
        model = Outlet
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    short_label = ""
    home_url = "https://outlet.example/"


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    class Meta:
        model = Source

    kind = "news_article"
    outlet = factory.SubFactory(OutletFactory)
    title = factory.Sequence(lambda n: f"Story number {n}")
    authors = factory.LazyFunction(lambda: [{"family": "Doe", "given": "Jane"}])
    issued = "2010-11-29"
    url = factory.Sequence(lambda n: f"https://news.example/story-{n}")


@dataclass
class SiteTree:
    home: HomePage
    briefs: BriefIndexPage
    authors: AuthorIndexPage
    topics: TopicIndexPage


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_site_tree() -> SiteTree:
    root = Page.get_first_root_node()
    home = HomePage(title="Home", slug="home-test")
    root.add_child(instance=home)
    _publish(home)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"},
    )
    briefs = BriefIndexPage(title="Briefs", slug="briefs")
    authors = AuthorIndexPage(title="Authors", slug="authors")
    topics = TopicIndexPage(title="Topic guides", slug="topics")
    for page in (briefs, authors, topics):
        home.add_child(instance=page)
        _publish(page)
    return SiteTree(home=home, briefs=briefs, authors=authors, topics=topics)


def make_author(tree: SiteTree, given: str = "Jayshree", family: str = "Bajoria") -> AuthorPage:
    page = AuthorPage(
        title=f"{given} {family}",
        slug=f"{given}-{family}".lower(),
        given_name=given,
        family_name=family,
        role="Staff writer",
        bio="<p>Writes about South Asia.</p>",
    )
    tree.authors.add_child(instance=page)
    return _publish(page)


def make_topic(tree: SiteTree, title: str = "Pakistan", label: str = "Crisis Guide") -> Any:
    page = TopicGuidePage(
        title=title, slug=title.lower().replace(" ", "-"), label=label, show_in_menus=True
    )
    tree.topics.add_child(instance=page)
    return _publish(page)


def cite(source: Source, text: str = "") -> str:
    """Stored rich-text HTML for a source citation entity."""
    return f'<a id="{source.pk}" linktype="source">{text or source.parenthetical_label}</a>'


def make_snapshot(source: Source, text: str, days_ago: int = 1) -> Snapshot:
    """A snapshot row of `source` with this main text, `days_ago` days old. No file is
    written: for what reads the row (link health, quote checks, listings), not the WARC."""
    from django.utils import timezone

    return Snapshot.objects.create(
        source=source,
        captured_at=timezone.now() - dt.timedelta(days=days_ago),
        url=source.url,
        final_url=source.url,
        status=200,
        content_type="text/html",
        warc=f"snapshots/{source.pk}-{days_ago}.warc.gz",
        title="News",
        text=text,
        sha256="0" * 64,
        size=len(text.encode()),
    )


def make_brief(
    tree: SiteTree,
    *,
    title: str = "How WikiLeaks Hurts U.S.-Pakistan Ties",
    slug: str | None = None,
    authors: list[AuthorPage] | None = None,
    topics: list[Any] | None = None,
    body: list[tuple[str, Any]] | None = None,
    additional_analysis: list[str] | None = None,
    date: dt.date | None = dt.date(2010, 12, 6),
    publish: bool = True,
    **fields: Any,
) -> BriefPage:
    page = BriefPage(
        title=title,
        slug=slug or title.lower().replace(" ", "-").replace(".", "").replace("--", "-"),
        date=date,
        body=body or [],
        additional_analysis=[("item", html) for html in (additional_analysis or [])],
        **fields,
    )
    page.brief_authors = [BriefAuthor(author=a) for a in (authors or [])]
    page.brief_topics = [BriefTopic(topic=t) for t in (topics or [])]
    page.live = publish  # Wagtail pages are created live unless told otherwise
    tree.briefs.add_child(instance=page)
    if publish:
        return _publish(page)
    page.save_revision()
    return page


@dataclass
class Users:
    author: Any
    editor: Any
    admin: Any
    reader: Any


def make_users() -> Users:
    User = get_user_model()

    def user(name: str, group: str | None = None, **extra: Any) -> Any:
        u = User.objects.create_user(name, f"{name}@example.org", PASSWORD, **extra)
        if group:
            u.groups.add(Group.objects.get(name=group))
        return u

    return Users(
        author=user("alice", AUTHORS),
        editor=user("bob", EDITORS),
        admin=user("root", is_staff=True, is_superuser=True),
        reader=user("charlie"),
    )


# --- admin forms and custom roles ----------------------------------------------------------


def source_form_data(source: Source, **changes: str) -> dict[str, str]:
    """What the source edit form posts for `source` as it stands, with `changes` (e.g.
    `title=...`, `**{"action-publish": "1"}`)."""
    from briefdesk.sources import csl

    data = {
        "kind": source.kind,
        "outlet": str(source.outlet_id or ""),
        "title": source.title,
        "title_apa": source.title_apa,
        "authors": "\n".join(csl.name_to_line(name) for name in source.authors),
        "issued": source.issued,
        "accessed": source.accessed.isoformat() if source.accessed else "",
        "url": source.url,
        "number": source.number,
        "publisher": source.publisher,
        "publisher_place": source.publisher_place,
        "genre": source.genre,
        "medium": source.medium,
        "container_title": source.container_title,
        "label": source.label,
        "csl_extra": json.dumps(source.csl_extra or {}),
    }
    data.update(changes)
    return data


def outlet_form_data(outlet: Outlet, **changes: str) -> dict[str, str]:
    """What the outlet edit form posts for `outlet` as it stands, with `changes`."""
    data = {"name": outlet.name, "short_label": outlet.short_label, "home_url": outlet.home_url}
    data.update(changes)
    return data


def author_form_data(author: AuthorPage, **changes: str) -> dict[str, str]:
    """What the author page's admin edit form posts for `author` as it stands, with
    `changes` (e.g. `family_name=...`, `**{"action-publish": "action-publish"}`)."""
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    fields = {
        "title": author.title,
        "slug": author.slug,
        "given_name": author.given_name,
        "family_name": author.family_name,
        "role": author.role,
        "bio": rich_text(author.bio or "<p></p>"),
        "links": streamfield(
            [("link", {"label": b.value["label"], "url": b.value["url"]}) for b in author.links]
        ),
        "seo_title": author.seo_title,
        "search_description": author.search_description,
    }
    actions = {k: v for k, v in changes.items() if k.startswith("action-")}
    fields.update({k: v for k, v in changes.items() if k not in actions})
    if "title" not in changes and {"given_name", "family_name"} & set(changes):
        fields["title"] = f"{fields['given_name']} {fields['family_name']}".strip()
    return {**nested_form_data(fields), **actions}


def make_user_with_permissions(name: str, *permissions: str) -> Any:
    """A user with admin access in a group of their own holding exactly `permissions`
    ("app_label.codename", e.g. "sources.add_source"): a role the stock groups do not have."""
    from django.contrib.auth.models import Permission

    group = Group.objects.create(name=f"Role of {name}")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for permission in permissions:
        app_label, codename = permission.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user = get_user_model().objects.create_user(name, f"{name}@example.org", PASSWORD)
    user.groups.add(group)
    return user

"""Factories for tests: sources and outlets (factory_boy) and the page tree (Wagtail pages are
created through the tree API, so plain functions)."""

from __future__ import annotations

import datetime as dt
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
from briefdesk.sources.models import Outlet, Source
from briefdesk.topics.models import TopicGuidePage, TopicIndexPage

PASSWORD = "correct horse battery"


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    short_label = ""
    home_url = "https://outlet.example/"


class SourceFactory(factory.django.DjangoModelFactory):
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


def make_brief(
    tree: SiteTree,
    *,
    title: str = "How WikiLeaks Hurts U.S.-Pakistan Ties",
    slug: str | None = None,
    authors: list[AuthorPage] | None = None,
    topics: list[Any] | None = None,
    body: list[tuple[str, Any]] | None = None,
    additional_analysis: list[str] | None = None,
    date: dt.date = dt.date(2010, 12, 6),
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

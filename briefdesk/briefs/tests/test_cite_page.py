"""The Cite page at /briefs/<slug>/cite/: the brief's citation in every dialog style, for
readers without JavaScript; never for a draft."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from briefdesk.briefs.models import BriefPage
from tests.db import rolled_back
from tests.factories import SiteTree, make_author, make_brief, make_site_tree

pytestmark = pytest.mark.django_db


def cite_url(page: BriefPage) -> str:
    return page.url + page.reverse_subpage("cite")


@pytest.fixture(scope="module")
def tree_and_brief(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[SiteTree, Any]]:
    """Built once for the module, in a transaction rolled back after its last test."""
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        yield tree, make_brief(tree, authors=[make_author(tree)], brief_type="Backgrounder")


@pytest.fixture
def tree(tree_and_brief: tuple[SiteTree, BriefPage]) -> SiteTree:
    return tree_and_brief[0]


@pytest.fixture
def brief(tree_and_brief: tuple[SiteTree, BriefPage]) -> BriefPage:
    return BriefPage.objects.get(pk=tree_and_brief[1].pk)


def test_it_is_served_under_the_brief_url(brief: BriefPage, client: Any) -> None:
    assert cite_url(brief) == f"/briefs/{brief.slug}/cite/"
    assert client.get(cite_url(brief)).status_code == 200


@pytest.mark.parametrize(
    ("key", "label"), [("mla", "MLA"), ("apa", "APA"), ("chicago-nb", "Chicago")]
)
def test_it_shows_the_stored_citation_in_each_style(
    brief: BriefPage, client: Any, key: str, label: str
) -> None:
    stored = brief.citations[key]["bibliography_html"]

    html = client.get(cite_url(brief)).content.decode()

    assert "Bajoria" in stored
    assert re.search(rf"<dt>{label}</dt>\s*<dd>{re.escape(stored)}", html)


def test_it_shows_the_four_styles_in_dialog_order(brief: BriefPage, client: Any) -> None:
    html = client.get(cite_url(brief)).content.decode()
    forms = {"In-text citation", "Note", "Short note"}

    labels = [t for t in re.findall(r"<dt>([^<]+)</dt>", html) if t not in forms]

    assert labels == ["MLA", "APA", "Chicago", "Chicago (author-date)"]


def test_it_shows_what_is_stored_without_formatting_again(brief: BriefPage, client: Any) -> None:
    BriefPage.objects.filter(pk=brief.pk).update(
        citations={"mla": {"bibliography_html": "<i>Stored</i> MLA"}}
    )

    html = client.get(cite_url(brief)).content.decode()

    assert "<dd><i>Stored</i> MLA" in html
    assert "Bajoria" not in html.partition('<dl class="cite-all">')[2]


def test_it_links_back_to_the_brief(brief: BriefPage, client: Any) -> None:
    html = client.get(cite_url(brief)).content.decode()

    assert f'<a href="{brief.url}">Back to the backgrounder</a>' in html


def test_it_asks_search_engines_not_to_index_it(brief: BriefPage, client: Any) -> None:
    html = client.get(cite_url(brief)).content.decode()

    assert '<meta name="robots" content="noindex">' in html


def test_it_answers_404_for_a_draft(tree: SiteTree, client: Any) -> None:
    draft = make_brief(tree, slug="draft-brief", publish=False, live=False)

    assert client.get(cite_url(draft)).status_code == 404


def test_it_answers_404_once_the_brief_is_unpublished(brief: BriefPage, client: Any) -> None:
    brief.unpublish()

    assert client.get(cite_url(brief)).status_code == 404

"""A brief's view restrictions in one query (briefs.restrictions): the same answer as
Wagtail's own two-query lookup, for the brief, an ancestor and an alias of an ancestor."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from tests.factories import make_brief, make_site_tree


def restrict(page: Page) -> PageViewRestriction:
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )


def both_answers(brief: Any) -> tuple[set[int], set[int]]:
    fresh = type(brief).objects.get(pk=brief.pk)
    ours = {r.pk for r in fresh.get_view_restrictions()}
    wagtails = {r.pk for r in Page.get_view_restrictions(fresh)}
    return ours, wagtails


@pytest.mark.django_db
def test_a_briefs_restrictions_are_wagtails_whether_on_it_or_on_an_ancestor() -> None:
    tree = make_site_tree()
    brief = make_brief(tree)
    assert both_answers(brief) == (set(), set())

    restrict(tree.briefs)
    on_brief = restrict(brief)
    ours, wagtails = both_answers(brief)

    assert ours == wagtails
    assert on_brief.pk in ours and len(ours) == 2


@pytest.mark.django_db
def test_a_brief_under_an_alias_is_restricted_by_the_aliased_page() -> None:
    tree = make_site_tree()
    alias = tree.briefs.create_alias(update_slug="briefs-alias")
    brief = make_brief(tree)
    brief.move(alias, pos="last-child")
    restricted = restrict(tree.briefs)

    ours, wagtails = both_answers(brief)

    assert ours == wagtails == {restricted.pk}


@pytest.mark.django_db
def test_the_restrictions_are_read_in_one_query_and_then_kept_for_the_request() -> None:
    tree = make_site_tree()
    brief = make_brief(tree)
    restrict(tree.briefs)
    page = type(brief).objects.get(pk=brief.pk)

    with CaptureQueriesContext(connection) as queries:
        assert len(list(page.get_view_restrictions())) == 1
        assert page.get_view_restrictions()

    assert len(queries) == 1

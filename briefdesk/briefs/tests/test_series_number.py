"""A brief's series number ("Analysis Brief No. 2010-7"): given when the brief first goes
live, kept when it is published again, set by editors in the admin (a duplicate is a form
error), printed on the page and in every stored citation, and never a page id."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from briefdesk.briefs.models import BriefPage
from briefdesk.briefs.series import next_number, series_label
from tests.factories import SiteTree, make_author, make_brief
from tests.pages import html_of

pytestmark = pytest.mark.django_db


def brief(tree: SiteTree, slug: str, date: dt.date, **fields: Any) -> BriefPage:
    return make_brief(tree, title=slug.replace("-", " ").title(), slug=slug, date=date, **fields)


def stored(page: BriefPage) -> BriefPage:
    return BriefPage.objects.get(pk=page.pk)


# --- numbering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "taken", "expected"),
    [
        (2026, [], "2026-1"),
        (2026, ["2026-1", "2026-6"], "2026-7"),
        (2026, ["2025-40", "2027-3"], "2026-1"),
        (2026, ["2026-9", "special", "2026-x", "12026-50", " 2026-10 "], "2026-11"),
        (2010, ["2010-37"], "2010-38"),
    ],
)
def test_the_next_number_follows_the_highest_of_its_year(
    year: int, taken: list[str], expected: str
) -> None:
    assert next_number(year, taken) == expected


def test_briefs_are_numbered_by_the_year_of_their_date_in_order_of_publication(
    site_tree: SiteTree,
) -> None:
    first = brief(site_tree, "first", dt.date(2010, 12, 6))
    second = brief(site_tree, "second", dt.date(2010, 3, 1), brief_type="Op-Ed")
    other_year = brief(site_tree, "other-year", dt.date(2011, 1, 2))

    assert [first.number, second.number, other_year.number] == ["2010-1", "2010-2", "2011-1"]


def test_a_number_set_by_hand_is_kept_and_later_briefs_follow_it(site_tree: SiteTree) -> None:
    by_hand = brief(site_tree, "by-hand", dt.date(2010, 5, 1), number="2010-37")
    not_a_year = brief(site_tree, "special", dt.date(2010, 5, 2), number="Special 1")
    later = brief(site_tree, "later", dt.date(2010, 6, 1))

    assert (by_hand.number, not_a_year.number, later.number) == ("2010-37", "Special 1", "2010-38")


def test_a_draft_has_no_number_until_it_goes_live(site_tree: SiteTree) -> None:
    draft = brief(site_tree, "draft", dt.date(2010, 12, 6), publish=False)

    assert stored(draft).number == ""
    assert "number" not in draft.to_csl()

    draft.save_revision().publish()

    assert stored(draft).number == "2010-1"


def test_the_number_given_on_publication_is_in_the_form_the_editor_opens_next(
    site_tree: SiteTree,
) -> None:
    draft = brief(site_tree, "draft", dt.date(2010, 12, 6), publish=False)

    draft.save_revision().publish()

    page = stored(draft)
    assert page.get_latest_revision_as_object().number == "2010-1"
    assert page.live_revision.content["number"] == "2010-1"


def test_publishing_a_revision_without_a_number_keeps_the_brief_s_number(
    site_tree: SiteTree,
) -> None:
    published = brief(site_tree, "published", dt.date(2010, 12, 6))
    brief(site_tree, "next", dt.date(2010, 12, 7))
    # A revision made before the brief had its number (or with the field cleared).
    page = stored(published)
    page.number = ""
    page.save_revision().publish()

    assert stored(published).number == "2010-1"


def test_a_brief_that_lost_the_race_for_a_number_takes_the_next(
    site_tree: SiteTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = brief(site_tree, "winner", dt.date(2010, 12, 6))
    # The loser chose its number before the winner's publication was committed: it saw no
    # 2010 number yet. Its save then finds "2010-1" taken and chooses again.
    stale = iter(["2010-1"])
    real_next_number = BriefPage._next_number
    monkeypatch.setattr(
        BriefPage, "_next_number", lambda self: next(stale, None) or real_next_number(self)
    )

    loser = brief(site_tree, "loser", dt.date(2010, 12, 6))

    assert (winner.number, stored(loser).number) == ("2010-1", "2010-2")
    assert "No. 2010-2" in stored(loser).citations["apa"]["bibliography"]


def test_the_database_refuses_a_second_brief_with_the_same_number(site_tree: SiteTree) -> None:
    first = brief(site_tree, "first", dt.date(2010, 12, 6))
    second = brief(site_tree, "second", dt.date(2010, 12, 6))

    with pytest.raises(IntegrityError), transaction.atomic():
        BriefPage.objects.filter(pk=second.pk).update(number=first.number)
    # Briefs without a number are many.
    BriefPage.objects.filter(pk__in=[first.pk, second.pk]).update(number="")


def test_a_copy_of_a_brief_gets_its_own_number_when_it_goes_live(site_tree: SiteTree) -> None:
    original = brief(site_tree, "original", dt.date(2010, 12, 6))

    copy = original.copy(update_attrs={"slug": "copy", "title": "Copy"}, keep_live=False)
    assert stored(copy).number == ""
    copy.save_revision().publish()

    assert (stored(original).number, stored(copy).number) == ("2010-1", "2010-2")


# --- the admin ---------------------------------------------------------------------------


def brief_form(site_tree: SiteTree, author: Any, title: str, number: str) -> dict[str, str]:
    data = nested_form_data(
        {
            "title": title,
            "slug": re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
            "brief_type": "Analysis Brief",
            "number": number,
            "date": "2010-12-06",
            "updated": "",
            "summary": "",
            "title_apa": "",
            "brief_authors": inline_formset([{"author": str(author.pk), "id": ""}], min=1),
            "brief_topics": inline_formset([]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": streamfield([("paragraph", rich_text("<p>A claim.</p>"))]),
            "additional_analysis": streamfield([]),
        }
    )
    data["action-publish"] = "action-publish"
    return data


def add_url(site_tree: SiteTree) -> str:
    return reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", site_tree.briefs.pk))


def test_the_admin_form_has_the_series_number_beside_the_type(
    site_tree: SiteTree, admin_client: Any
) -> None:
    html = admin_client.get(add_url(site_tree)).content.decode()

    assert 'name="number"' in html
    assert "Series number" in html
    assert html.index('name="brief_type"') < html.index('name="number"') < html.index('name="date"')


def test_an_editor_can_give_a_brief_its_number(site_tree: SiteTree, admin_client: Any) -> None:
    author = make_author(site_tree)

    response = admin_client.post(
        add_url(site_tree), brief_form(site_tree, author, "Numbered by hand", "2010-99")
    )

    assert response.status_code == 302
    page = BriefPage.objects.get(title="Numbered by hand")
    assert (page.live, page.number) == (True, "2010-99")
    assert "Analysis Brief No. 2010-99" in html_of(admin_client, page.url)


def test_a_duplicate_number_is_a_form_error_on_the_field(
    site_tree: SiteTree, admin_client: Any
) -> None:
    author = make_author(site_tree)
    taken = brief(site_tree, "taken", dt.date(2010, 12, 6), authors=[author])

    response = admin_client.post(
        add_url(site_tree), brief_form(site_tree, author, "Duplicate", taken.number)
    )

    assert response.status_code == 200
    assert not BriefPage.objects.filter(title="Duplicate").exists()
    form = response.context["form"]
    assert form.errors["number"] == ["Another brief already has this series number."]
    assert "Another brief already has this series number." in response.content.decode()


def test_changing_the_number_of_a_published_brief_in_the_admin(
    site_tree: SiteTree, admin_client: Any
) -> None:
    author = make_author(site_tree)
    page = brief(site_tree, "renumbered", dt.date(2010, 12, 6), authors=[author])
    other = brief(site_tree, "other", dt.date(2010, 12, 7), authors=[author])
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = brief_form(site_tree, author, "Renumbered", "2010-50")
    link = page.brief_authors.get()
    data.update(
        {
            "slug": "renumbered",
            "brief_authors-INITIAL_FORMS": "1",
            "brief_authors-0-id": str(link.pk),
        }
    )

    refused = admin_client.post(edit_url, {**data, "number": other.number})
    accepted = admin_client.post(edit_url, data)

    assert refused.status_code == 200
    assert refused.context["form"].errors["number"]
    assert accepted.status_code == 302
    assert stored(page).number == "2010-50"
    assert "No. 2010-50" in stored(page).citations["apa"]["bibliography"]


# --- what readers see --------------------------------------------------------------------


def test_the_page_shows_the_type_and_number(site_tree: SiteTree, client: Any) -> None:
    page = brief(site_tree, "shown", dt.date(2010, 12, 6))

    html = html_of(client, page.url)

    assert '<p class="type-label">Analysis Brief No. 2010-1</p>' in html
    assert series_label("Op-Ed", "") == "Op-Ed"


def test_every_style_prints_the_number_as_one_number(site_tree: SiteTree) -> None:
    page = brief(
        site_tree, "cited", dt.date(2010, 12, 6), authors=[make_author(site_tree)], number="2010-7"
    )
    bibliography = {key: value["bibliography"] for key, value in page.citations.items()}
    publisher = settings.BRIEFDESK_PUBLISHER

    assert f"(Analysis Brief No. 2010-7). {publisher}." in bibliography["apa"]
    assert f"Analysis Brief no. 2010-7, {publisher}, 6 Dec. 2010," in bibliography["mla"]
    assert f"Analysis Brief No. 2010-7. {publisher}, 2010." in bibliography["chicago-nb"]
    assert f"Analysis Brief No. 2010-7. {publisher}." in bibliography["chicago-ad"]
    note = page.citations["chicago-nb"]["citation"]
    assert f"Analysis Brief no. 2010-7 ({publisher}, 2010)" in note
    for entry in bibliography.values():
        assert "Nos." not in entry
        assert "2010–7" not in entry  # not a range
        assert "\\" not in entry


def test_no_citation_carries_the_page_id_as_a_number(site_tree: SiteTree) -> None:
    page = brief(site_tree, "ids", dt.date(2010, 12, 6), authors=[make_author(site_tree)])

    for entry in page.citations.values():
        assert f"No. {page.pk}" not in entry["bibliography"]
        assert f"no. {page.pk}" not in entry["bibliography"]
    assert page.to_csl()["number"] == "2010-1" != str(page.pk)


# --- the migration -----------------------------------------------------------------------

migration = importlib.import_module("briefdesk.briefs.migrations.0009_brief_series_number")


def test_the_migration_numbers_published_briefs_year_by_year_in_date_order(
    site_tree: SiteTree,
) -> None:
    late = brief(site_tree, "late", dt.date(2010, 12, 6))
    early = brief(site_tree, "early", dt.date(2010, 1, 5))
    next_year = brief(site_tree, "next-year", dt.date(2011, 7, 1))
    draft = brief(site_tree, "draft", dt.date(2010, 6, 1), publish=False)
    BriefPage.objects.update(number="")

    migration.number_published_briefs(apps, None)

    numbers = {p.slug: p.number for p in BriefPage.objects.all()}
    assert numbers == {
        early.slug: "2010-1",
        late.slug: "2010-2",
        next_year.slug: "2011-1",
        draft.slug: "",
    }

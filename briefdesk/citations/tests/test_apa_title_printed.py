"""The APA title an editor sets by hand is what APA prints, in the stored citation and on
every page showing it, and only for the title it was set for: once the work is renamed, APA
prints the new title in automatic sentence case. Other styles always print the title.

The hand-set titles here keep a capital the automatic sentence case never would ("Worm"),
so a stored entry shows which of the two was used."""

from __future__ import annotations

import html as html_lib

import pytest
from django.test import Client
from django.urls import reverse

from briefdesk.briefs.models import BriefPage
from briefdesk.citations.sentence_case import suggest_sentence_case
from briefdesk.sources.models import Source
from tests.factories import (
    OutletFactory,
    SiteTree,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_users,
    source_form_data,
)
from tests.pages import section

pytestmark = pytest.mark.django_db

TITLE = "Why the Stuxnet Worm Changed Everything"
HAND_SET = "Why the Stuxnet Worm changed everything"
AUTOMATIC = "Why the stuxnet worm changed everything"
RENAMED = "Stuxnet Worm Spreads to Power Plants"
RENAMED_APA = "Stuxnet worm spreads to power plants"

BRIEF_TITLE = "What the Stuxnet Worm Taught Iran"
BRIEF_HAND_SET = "What the Stuxnet Worm taught Iran"
BRIEF_RENAMED = "What the Stuxnet Worm Taught the Gulf"
OTHER_STYLES = ("mla", "chicago-nb", "chicago-ad")


def test_the_automatic_sentence_case_differs_from_the_hand_set_titles() -> None:
    # The premise of every test below: were APA to ignore the hand-set title, it would show.
    assert suggest_sentence_case(TITLE) == AUTOMATIC != HAND_SET
    assert suggest_sentence_case(BRIEF_TITLE) != BRIEF_HAND_SET
    assert suggest_sentence_case(RENAMED) == RENAMED_APA


# --- sources -------------------------------------------------------------------------------


def stored(source: Source) -> dict[str, dict[str, str]]:
    return Source.objects.get(pk=source.pk).formatted


def sources_list(brief: BriefPage, style: str) -> str:
    response = Client().get(brief.url, {"style": style})
    assert response.status_code == 200
    listed = section(response.content.decode(), '<ol class="source-list">', "</ol>")
    return html_lib.unescape(listed)


def brief_citing(source: Source) -> BriefPage:
    tree = make_site_tree()
    return make_brief(
        tree,
        title="Cyber Weapons",
        slug="cyber-weapons",
        body=[("paragraph", f"<p>The worm spread {cite(source)}.</p>")],
    )


def test_a_sources_hand_set_apa_title_is_its_stored_apa_entry(db: None) -> None:
    source = SourceFactory(outlet=OutletFactory(name="Wired"), title=TITLE, title_apa=HAND_SET)

    entries = stored(source)
    assert HAND_SET in entries["apa"]["bibliography"]
    assert HAND_SET in entries["apa"]["bibliography_html"]
    assert AUTOMATIC not in entries["apa"]["bibliography"]
    for style in OTHER_STYLES:
        assert TITLE in entries[style]["bibliography"], style
        assert HAND_SET not in str(entries[style]), style


def test_the_citing_brief_lists_the_source_with_its_hand_set_apa_title_in_apa(db: None) -> None:
    source = SourceFactory(title=TITLE, title_apa=HAND_SET)
    brief = brief_citing(source)

    assert HAND_SET in sources_list(brief, "apa")
    for style in OTHER_STYLES:
        assert TITLE in sources_list(brief, style), style
    partial = Client().get(brief.url, {"style": "apa", "partial": "sources"}).content.decode()
    assert HAND_SET in html_lib.unescape(partial)


def test_a_hand_set_apa_title_set_in_the_admin_is_printed(db: None) -> None:
    source = SourceFactory(title=TITLE)
    brief = brief_citing(source)
    editor = Client()
    editor.force_login(make_users().editor)

    response = editor.post(
        reverse("wagtailsnippets_sources_source:edit", args=[source.pk]),
        source_form_data(source, title_apa=HAND_SET, **{"action-publish": "1"}),
    )

    assert response.status_code == 302
    assert HAND_SET in stored(source)["apa"]["bibliography"]
    assert HAND_SET in sources_list(brief, "apa")


def test_a_renamed_source_is_printed_in_apa_without_the_title_set_for_its_old_title(
    db: None,
) -> None:
    source = SourceFactory(title=TITLE, title_apa=HAND_SET)
    brief = brief_citing(source)

    source.title = RENAMED
    source.save()

    entries = stored(source)
    assert RENAMED_APA in entries["apa"]["bibliography"]
    assert HAND_SET not in entries["apa"]["bibliography"]
    assert RENAMED_APA in sources_list(brief, "apa")
    assert HAND_SET not in sources_list(brief, "apa")


def test_an_apa_title_written_for_another_title_is_not_printed(db: None) -> None:
    source = SourceFactory(title=TITLE, title_apa=HAND_SET, title_apa_for=RENAMED)

    entries = stored(source)
    assert AUTOMATIC in entries["apa"]["bibliography"]
    assert HAND_SET not in entries["apa"]["bibliography"]


# --- briefs --------------------------------------------------------------------------------


@pytest.fixture
def tree(db: None) -> SiteTree:
    return make_site_tree()


def brief_citations(brief: BriefPage) -> dict[str, dict[str, str]]:
    return BriefPage.objects.get(pk=brief.pk).citations


def cite_text(brief: BriefPage, style: str) -> str:
    url = reverse("brief_cite_file", kwargs={"slug": brief.slug, "fmt": "txt"})
    return Client().get(url, {"style": style}).content.decode()


def test_a_briefs_hand_set_apa_title_is_its_stored_apa_citation(tree: SiteTree) -> None:
    brief = make_brief(
        tree,
        title=BRIEF_TITLE,
        slug="stuxnet",
        title_apa=BRIEF_HAND_SET,
        authors=[make_author(tree)],
    )

    citations = brief_citations(brief)
    assert BRIEF_HAND_SET in citations["apa"]["bibliography"]
    assert BRIEF_HAND_SET in citations["apa"]["bibliography_html"]
    assert BRIEF_HAND_SET in cite_text(brief, "apa")
    page = Client().get(brief.url).content.decode()
    apa_in_dialog = section(page, '<div class="cite-style" data-style="apa"', "</div>")
    assert BRIEF_HAND_SET in html_lib.unescape(apa_in_dialog)
    for style in OTHER_STYLES:
        assert BRIEF_TITLE in citations[style]["bibliography"], style
        assert BRIEF_HAND_SET not in str(citations[style]), style


def test_a_renamed_brief_is_printed_in_apa_without_the_title_set_for_its_old_title(
    tree: SiteTree,
) -> None:
    brief = make_brief(
        tree,
        title=BRIEF_TITLE,
        slug="stuxnet",
        title_apa=BRIEF_HAND_SET,
        authors=[make_author(tree)],
    )

    brief.title = BRIEF_RENAMED
    brief.save_revision().publish()

    apa = brief_citations(brief)["apa"]["bibliography"]
    assert "aught the Gulf" in apa
    assert BRIEF_HAND_SET not in apa

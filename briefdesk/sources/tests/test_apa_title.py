"""APA prints a source's title in sentence case, made from the current title, unless an editor
has set one by hand for that title. A renamed source never keeps printing its old title in APA,
an imported source (which has no APA title) is printed in sentence case, and the admin says
which applies."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from briefdesk.citations.sentence_case import apa_title
from briefdesk.sources import csl
from briefdesk.sources.models import Source
from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_brief,
    make_site_tree,
    make_users,
)

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_sources_source:edit"
ADD = "wagtailsnippets_sources_source:add"

OLD = "Envoy Recalled After Cable Leak"
NEW = "Islamabad Summons US Envoy Over Drone Strikes"
NEW_APA = "Islamabad summons US envoy over drone strikes"


CASES = [
    # (title, override, written for, names, what APA prints)
    (OLD, "", "", (), "Envoy recalled after cable leak"),
    (OLD, "Envoy recalled after Cable Leak", OLD, (), "Envoy recalled after Cable Leak"),
    (NEW, "Envoy recalled after Cable Leak", OLD, (), NEW_APA),
    (NEW, "   ", NEW, (), NEW_APA),
    ("Talking With Ahmed Rashid", "", "", ("Ahmed Rashid",), "Talking with Ahmed Rashid"),
    ("", "", "", (), ""),
    # A title already in sentence case (as reference managers keep it) keeps its capitals.
    (
        "Descent into chaos: The United States and the failure of nation building",
        "",
        "",
        (),
        "Descent into chaos: The United States and the failure of nation building",
    ),
    ("Osama bin Laden Killed Near Islamabad", "", "", (), "Osama bin Laden killed near Islamabad"),
    ("Freedom in the World 2010: Pakistan", "", "", (), "Freedom in the world 2010: Pakistan"),
]


@pytest.mark.parametrize(("title", "override", "written_for", "names", "expected"), CASES)
def test_apa_uses_the_override_only_while_it_was_written_for_the_title(
    title: str, override: str, written_for: str, names: tuple[str, ...], expected: str
) -> None:
    assert apa_title(title, override, written_for, names) == expected


# --- stored citations --------------------------------------------------------------------


def apa(source: Source) -> str:
    return Source.objects.get(pk=source.pk).formatted["apa"]["bibliography"]


def test_a_source_without_an_apa_title_is_printed_in_sentence_case_in_apa_only() -> None:
    source = SourceFactory(outlet=OutletFactory(name="Dawn"), title="Dawn Reports on Karachi Talks")

    row = Source.objects.get(pk=source.pk)
    assert "Dawn reports on Karachi talks" in row.formatted["apa"]["bibliography"]
    assert "Dawn Reports on Karachi Talks" in row.formatted["mla"]["bibliography"]


def test_an_imported_source_is_printed_in_sentence_case_in_apa() -> None:
    from briefdesk.importers.apply import import_entries
    from briefdesk.importers.references import parse_references

    item = {
        "id": "rashid2010",
        "type": "article-newspaper",
        "title": "Pakistan Condemns the Leaked Cables",
        "container-title": "The Guardian",
        "issued": {"date-parts": [[2010, 11, 29]]},
    }

    import_entries(parse_references(json.dumps([item])).entries)

    source = Source.objects.get(citation_key="rashid2010")
    assert source.title_apa == ""
    assert "Pakistan condemns the leaked cables" in source.formatted["apa"]["bibliography"]


def test_an_apa_title_set_in_code_is_taken_as_written_for_the_title_it_is_saved_with() -> None:
    source = SourceFactory(title=OLD, title_apa="Envoy recalled after Cable Leak")

    assert source.title_apa_for == OLD
    assert "Envoy recalled after Cable Leak" in apa(source)


def test_renaming_a_source_in_code_ignores_the_override_written_for_the_old_title() -> None:
    source = SourceFactory(title=OLD, title_apa="Envoy recalled after Cable Leak")

    source.title = NEW
    source.save()

    assert NEW_APA in apa(source)
    assert "Cable Leak" not in apa(source)


# --- the admin ---------------------------------------------------------------------------


def form_data(source: Source, **changes: str) -> dict[str, str]:
    data = {
        "kind": source.kind,
        "outlet": str(source.outlet_id or ""),
        "title": source.title,
        "title_apa": source.title_apa,
        "authors": "\n".join(csl.name_to_line(name) for name in source.authors),
        "issued": source.issued,
        "accessed": "",
        "url": source.url,
        "number": "",
        "publisher": "",
        "publisher_place": "",
        "genre": "",
        "medium": "",
        "container_title": "",
        "label": "",
        "csl_extra": "{}",
    }
    data.update(changes)
    return data


@pytest.fixture
def editor() -> Client:
    client = Client()
    client.force_login(make_users().editor)
    return client


def publish(client: Client, source: Source, **changes: str) -> None:
    response = client.post(
        reverse(EDIT, args=[source.pk]), form_data(source, **changes, **{"action-publish": "1"})
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def apa_help(client: Client, source: Source) -> str:
    """The help text under the APA title on the source's edit screen, as read."""
    page = client.get(reverse(EDIT, args=[source.pk])).content.decode()
    match = re.search(r'id="[^"]*title_apa-helptext"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no help text under the APA title"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def test_renaming_a_source_in_the_admin_changes_apa_on_the_citing_brief(editor: Client) -> None:
    tree = make_site_tree()
    source = SourceFactory(outlet=OutletFactory(name="Reuters"), title=OLD)
    brief = make_brief(tree, body=[("paragraph", f"<p>The envoy was recalled {cite(source)}.</p>")])
    publish(editor, source, title_apa="Envoy recalled after Cable Leak")
    assert "Envoy recalled after Cable Leak" in Client().get(brief.url + "?style=apa").text

    publish(editor, Source.objects.get(pk=source.pk), title=NEW)

    page = Client().get(brief.url + "?style=apa").text
    assert NEW_APA in page
    assert "Cable Leak" not in page
    assert "cable leak" not in page


def test_the_admin_says_the_apa_title_is_automatic(editor: Client) -> None:
    source = SourceFactory(outlet=OutletFactory(name="Reuters"), title=OLD)

    assert apa_help(editor, source) == (
        "Automatic: “Envoy recalled after cable leak”. "
        "Type one here only to correct it, e.g. a proper noun."
    )


def test_an_apa_title_typed_in_the_admin_is_set_by_hand_for_this_title(editor: Client) -> None:
    source = SourceFactory(title=OLD)

    publish(editor, source, title_apa="Envoy recalled after Cable Leak")

    row = Source.objects.get(pk=source.pk)
    assert (row.title_apa, row.title_apa_for) == ("Envoy recalled after Cable Leak", OLD)
    assert apa_help(editor, row) == (
        "Set by hand for this title. Clear it to use “Envoy recalled after cable leak”."
    )


def test_after_a_rename_the_admin_says_the_hand_set_apa_title_is_ignored(editor: Client) -> None:
    source = SourceFactory(title=OLD)
    publish(editor, source, title_apa="Envoy recalled after Cable Leak")

    publish(editor, Source.objects.get(pk=source.pk), title=NEW)

    row = Source.objects.get(pk=source.pk)
    assert row.title_apa == "Envoy recalled after Cable Leak"  # kept for the editor to see
    assert apa_help(editor, row) == (
        f"Set by hand for an earlier title (“{OLD}”); APA now uses “{NEW_APA}” — "
        "clear it or update it."
    )


def test_updating_a_stale_apa_title_makes_it_the_one_for_the_new_title(editor: Client) -> None:
    source = SourceFactory(title=OLD)
    publish(editor, source, title_apa="Envoy recalled after Cable Leak")
    publish(editor, Source.objects.get(pk=source.pk), title=NEW)

    publish(editor, Source.objects.get(pk=source.pk), title_apa="Islamabad summons US Envoy")

    row = Source.objects.get(pk=source.pk)
    assert row.title_apa_for == NEW
    assert "Islamabad summons US Envoy" in row.formatted["apa"]["bibliography"]


def test_an_apa_title_typed_as_the_automatic_one_is_left_automatic(editor: Client) -> None:
    source = SourceFactory(title=OLD)

    publish(editor, source, title_apa="Envoy recalled after cable leak")

    row = Source.objects.get(pk=source.pk)
    assert (row.title_apa, row.title_apa_for) == ("", "")


def test_the_apa_help_text_shows_a_title_as_text_not_html(editor: Client) -> None:
    source = SourceFactory(title="<img src=x onerror=alert(1)> Leaks")

    page = editor.get(reverse(EDIT, args=[source.pk])).content.decode()

    assert "<img src=x" not in page
    assert "Automatic: “&lt;img src=x onerror=alert(1)&gt; Leaks”" in page


# --- the migration -----------------------------------------------------------------------


def test_the_migration_clears_automatic_apa_titles_and_keeps_others_for_their_title() -> None:
    from importlib import import_module

    migration = import_module("briefdesk.sources.migrations.0003_apa_title_follows_the_title")
    outlet = OutletFactory(name="Dawn")
    automatic = SourceFactory(outlet=outlet, title="Dawn Reports on Karachi")
    by_hand = SourceFactory(title=OLD)
    none = SourceFactory(title=NEW)
    # As rows stood before the migration: an APA title, and no record of its title.
    Source.objects.filter(pk=automatic.pk).update(
        title_apa="Dawn reports on Karachi", title_apa_for=""
    )
    Source.objects.filter(pk=by_hand.pk).update(title_apa="Envoy Recalled", title_apa_for="")

    migration.settle_apa_titles(apps, None)

    rows = Source.objects.in_bulk([automatic.pk, by_hand.pk, none.pk])
    assert (rows[automatic.pk].title_apa, rows[automatic.pk].title_apa_for) == ("", "")
    assert (rows[by_hand.pk].title_apa, rows[by_hand.pk].title_apa_for) == ("Envoy Recalled", OLD)
    assert (rows[none.pk].title_apa, rows[none.pk].title_apa_for) == ("", "")


def test_the_new_source_form_explains_the_automatic_apa_title(editor: Client) -> None:
    page = editor.get(reverse(ADD)).content.decode()

    assert "made from the title automatically" in page

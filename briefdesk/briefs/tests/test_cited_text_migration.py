"""The data migration that moves words out of source citations (briefs 0006), run on a
published brief with a later draft: the live page and every revision read the words, each
citation keeps only its source's label, and running it again changes nothing."""

from __future__ import annotations

import html
import importlib
import json
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import strip_tags

from briefdesk.briefs.models import BriefPage
from tests.factories import OutletFactory, SourceFactory, make_brief

pytestmark = pytest.mark.django_db

migration = importlib.import_module("briefdesk.briefs.migrations.0006_cited_words_before_citation")

# Typographic already (saving makes straight quotes curly: core/typography.py).
WORDS = "IMF’s staff had warned against in its last review"


def run_migration() -> None:
    migration.split_cited_words(apps, None)


def cite(source_id: int, text: str) -> str:
    return f'<a linktype="source" id="{source_id}">{text}</a>'


@pytest.fixture
def quarterly() -> Any:
    return SourceFactory(
        title="Pakistan's fiscal turn",
        outlet=OutletFactory(name="Washington Quarterly", short_label=""),
    )


@pytest.fixture
def brief(site_tree: Any, quarterly: Any) -> BriefPage:
    """A published brief citing words (the old form), then a draft citing more words."""
    brief = make_brief(
        site_tree,
        slug="cited-words",
        body=[("paragraph", f"<p>It marks a shift the {cite(quarterly.pk, WORDS)}.</p>")],
        additional_analysis=[f"<p>{cite(quarterly.pk, 'Outside view')}</p>"],
    )
    draft = BriefPage.objects.get(pk=brief.pk)
    draft.body = [
        (
            "paragraph",
            f"<p>Draft {cite(quarterly.pk, 'draft words')} and {cite(9999, 'gone source')} "
            f"and {cite(quarterly.pk, 'Washington Quarterly')}.</p>",
        )
    ]
    draft.save_revision()
    return brief


def page_text(client: Any, page: BriefPage) -> str:
    """What readers read: the page's text without tags, spaces collapsed."""
    text = html.unescape(strip_tags(client.get(page.url).content.decode()))
    return " ".join(text.split())


def stored_body(content: dict[str, Any], field: str = "body") -> list[str]:
    value = content[field]
    blocks = json.loads(value) if isinstance(value, str) else value
    return [block["value"] for block in blocks]


def test_the_live_page_keeps_the_cited_words_before_the_citation(
    client: Any, brief: BriefPage, quarterly: Any
) -> None:
    run_migration()

    live = BriefPage.objects.get(pk=brief.pk)
    token = cite(quarterly.pk, "Washington Quarterly")
    assert [b.value.source for b in live.body] == [f"<p>It marks a shift the {WORDS} {token}.</p>"]
    assert [b.value.source for b in live.additional_analysis] == [f"<p>Outside view {token}</p>"]
    assert f"It marks a shift the {WORDS} (Washington Quarterly)" in page_text(client, live)


def test_every_revision_keeps_the_cited_words_and_a_missing_source_keeps_its_text(
    brief: BriefPage, quarterly: Any
) -> None:
    run_migration()

    token = cite(quarterly.pk, "Washington Quarterly")
    published, draft = brief.revisions.order_by("created_at", "pk")
    assert stored_body(published.content) == [f"<p>It marks a shift the {WORDS} {token}.</p>"]
    assert stored_body(published.content, "additional_analysis") == [f"<p>Outside view {token}</p>"]
    assert stored_body(draft.content) == [
        f"<p>Draft draft words {token} and {cite(9999, 'gone source')} and {token}.</p>"
    ]


def test_the_editor_loads_a_migrated_draft(admin_client: Any, brief: BriefPage) -> None:
    run_migration()

    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[brief.pk]))

    assert response.status_code == 200
    assert "draft words" in response.content.decode()


def test_running_it_again_changes_nothing(brief: BriefPage) -> None:
    run_migration()
    live = BriefPage.objects.get(pk=brief.pk)
    body, analysis = live.body.raw_data[0], live.additional_analysis.raw_data[0]
    contents = {r.pk: r.content for r in brief.revisions.all()}

    run_migration()

    live = BriefPage.objects.get(pk=brief.pk)
    assert live.body.raw_data[0] == body
    assert live.additional_analysis.raw_data[0] == analysis
    assert {r.pk: r.content for r in brief.revisions.all()} == contents


def test_a_brief_with_only_label_citations_is_not_touched(site_tree: Any, quarterly: Any) -> None:
    paragraph = f"<p>Claim {cite(quarterly.pk, 'Washington Quarterly')}.</p>"
    brief = make_brief(site_tree, slug="labels-only", body=[("paragraph", paragraph)])
    contents = {r.pk: r.content for r in brief.revisions.all()}

    run_migration()

    assert BriefPage.objects.get(pk=brief.pk).body.raw_data[0]["value"] == paragraph
    assert {r.pk: r.content for r in brief.revisions.all()} == contents

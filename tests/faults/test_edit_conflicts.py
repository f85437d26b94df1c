"""Two editors saving the same brief (and the same source): both open the edit form, the
first saves, the second saves after. Wagtail 8 tells the second, through the editor's
editing-session ping, that "<first> saved a new version"; its form post itself is refused
with a message naming the first editor (briefdesk.core.edit_conflicts), the second editor's
text stays in the form, and the first editor's edit is still the latest revision. Saving
once more from the re-rendered form replaces it on purpose.

Wagtail alone checks only autosave posts (JSON); a full form post (no JavaScript, or between
two pings) replaced the newer revision without a word.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from briefdesk.briefs.blocks import CITING_FEATURES
from briefdesk.briefs.models import BriefPage
from briefdesk.core.roles import EDITORS
from briefdesk.sources.models import Source
from tests.factories import (
    PASSWORD,
    SourceFactory,
    make_author,
    make_brief,
    make_site_tree,
    source_form_data,
)

pytestmark = pytest.mark.django_db

OLD = "Islamabad cut NATO supply lines for a week."
FIRST = "Islamabad closed the Torkham crossing for eleven days."
SECOND = "Islamabad closed the Torkham crossing in November."
REFUSED = "saved a newer version of this"


def editor(name: str, full_name: str) -> Client:
    given, family = full_name.split()
    user = get_user_model().objects.create_user(
        name, f"{name}@example.org", PASSWORD, first_name=given, last_name=family
    )
    user.groups.add(Group.objects.get(name=EDITORS))
    client = Client()
    client.force_login(user)
    return client


class Opened:
    """An edit form as an editor's browser holds it: what it loaded, and its ping URL."""

    def __init__(self, client: Client, url: str) -> None:
        self.client, self.url = client, url
        self.read(client.get(url))

    def read(self, response: Any) -> None:
        html = response.content.decode()
        revision = re.search(r'name="loaded_revision_id" value="(\d+)"', html)
        created = re.search(r'name="loaded_revision_created_at" value="([^"]+)"', html)
        ping = re.search(r'data-w-swap-src-value="([^"]+)"', html)
        assert revision and created and ping, "no loaded revision or ping URL in the form"
        self.loaded = {
            "loaded_revision_id": revision.group(1),
            "loaded_revision_created_at": created.group(1),
        }
        self.ping_url = ping.group(1)

    def save(self, data: dict[str, str]) -> Any:
        response = self.client.post(self.url, {**data, **self.loaded})
        if response.status_code == 200:
            self.read(response)  # re-rendered: it now holds what the page sent back
        return response

    def ping(self) -> list[dict[str, Any]]:
        """Wagtail's editing-session ping (every 10 s in the browser): the other sessions."""
        answer = self.client.post(
            self.ping_url,
            {
                "is_editing": "1",
                "revision_id": self.loaded["loaded_revision_id"],
                "revision_created_at": self.loaded["loaded_revision_created_at"],
            },
        )
        assert answer.status_code == 200
        return answer.json()["other_sessions"]


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def brief_form(page: BriefPage, text: str) -> dict[str, str]:
    """The brief's edit form as the browser posts it ("Save draft"), its paragraph `text`."""
    page = BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    block = page.body[0]
    byline = page.brief_authors.all()[0]
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "brief_type": page.brief_type,
            "date": page.date.isoformat() if page.date else "",
            "updated": "",
            "summary": page.summary,
            "title_apa": page.title_apa,
            "brief_authors": inline_formset(
                [{"author": str(byline.author_id), "id": str(byline.pk or "")}],
                initial=1 if byline.pk else 0,
                min=1,
            ),
            "brief_topics": inline_formset([]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": {
                "count": "1",
                "0": {
                    "type": "paragraph",
                    "value": rich_text(f"<p>{text}</p>", features=CITING_FEATURES),
                    "id": block.id,
                    "deleted": "",
                    "order": "0",
                },
            },
            "additional_analysis": {"count": "0"},
        }
    )


def latest_text(page: BriefPage) -> str:
    return str(BriefPage.objects.get(pk=page.pk).get_latest_revision_as_object().body[0].value)


def test_two_editors_saving_the_same_brief_the_second_gets_a_conflict_warning_and_the_first_edit_is_kept() -> (  # noqa: E501
    None
):
    tree = make_site_tree()
    brief = make_brief(tree, authors=[make_author(tree)], body=[("paragraph", f"<p>{OLD}</p>")])
    url = reverse("wagtailadmin_pages:edit", args=[brief.pk])
    first = Opened(editor("dana", "Dana Priest"), url)
    second = Opened(editor("eric", "Eric Schmitt"), url)

    assert first.save(brief_form(brief, FIRST)).status_code == 302
    assert FIRST in latest_text(brief)

    # Wagtail's notice in the second editor's form: the first saved a new version.
    [seen] = [s for s in second.ping() if s["revision_id"]]
    assert seen["user"] == "Dana Priest"
    assert seen["revision_id"] == BriefPage.objects.get(pk=brief.pk).latest_revision_id

    refused = second.save(brief_form(brief, SECOND))
    assert refused.status_code == 200, "the second save went through"
    assert f"Dana Priest {REFUSED} brief" in messages_of(refused)
    assert SECOND in refused.content.decode()  # the second editor's text is still in the form
    assert FIRST in latest_text(brief)  # the first editor's edit is not lost

    # Saving again from the re-rendered form replaces the newer version on purpose.
    assert second.save(brief_form(brief, SECOND)).status_code == 302
    assert SECOND in latest_text(brief)
    texts = [
        str(r.as_object().body[0].value) for r in BriefPage.objects.get(pk=brief.pk).revisions.all()
    ]
    assert any(FIRST in text for text in texts)  # and the first's stays in the history


def test_two_editors_saving_the_same_source_the_second_gets_a_conflict_warning_and_the_first_edit_is_kept() -> (  # noqa: E501
    None
):
    source = SourceFactory(title="Torkham crossing closed")
    source.save_revision().publish()
    url = reverse("wagtailsnippets_sources_source:edit", args=[source.pk])
    first = Opened(editor("dana", "Dana Priest"), url)
    second = Opened(editor("eric", "Eric Schmitt"), url)

    assert (
        first.save(source_form_data(source, title="Torkham closed for eleven days")).status_code
        == 302
    )

    [seen] = [s for s in second.ping() if s["revision_id"]]
    assert seen["user"] == "Dana Priest"

    refused = second.save(source_form_data(source, title="Torkham closed in November"))
    assert refused.status_code == 200, "the second save went through"
    assert f"Dana Priest {REFUSED} source" in messages_of(refused)
    latest = Source.objects.get(pk=source.pk).latest_revision.as_object()
    assert latest.title == "Torkham closed for eleven days"

    assert (
        second.save(source_form_data(source, title="Torkham closed in November")).status_code == 302
    )
    latest = Source.objects.get(pk=source.pk).latest_revision.as_object()
    assert latest.title == "Torkham closed in November"


def test_an_editors_own_autosave_just_before_their_save_is_not_taken_for_a_conflict() -> None:
    tree = make_site_tree()
    brief = make_brief(tree, authors=[make_author(tree)], body=[("paragraph", f"<p>{OLD}</p>")])
    url = reverse("wagtailadmin_pages:edit", args=[brief.pk])
    alone = Opened(editor("dana", "Dana Priest"), url)

    # The browser autosaves (a JSON post) and "Save draft" is posted before the browser has
    # put the autosave's id in the form: the form still says what it loaded.
    autosaved = alone.client.post(
        url, {**brief_form(brief, FIRST), **alone.loaded}, HTTP_ACCEPT="application/json"
    )
    assert autosaved.status_code == 200 and autosaved.json()["success"]
    assert alone.save(brief_form(brief, SECOND)).status_code == 302
    assert SECOND in latest_text(brief)

    alone.read(alone.client.get(url))  # back in the edit form, saving again
    assert alone.save(brief_form(brief, OLD)).status_code == 302
    assert OLD in latest_text(brief)

"""The admin's "Import references" screen: an editor pastes or uploads references, sees a
preview (nothing written), then imports all of them or none; who may use it is checked on
the server, and the form is CSRF-protected."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from briefdesk.importers.references import megabytes
from briefdesk.importers.views import upload_limit
from briefdesk.sources.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

URL = "import_references"
LISTING = "wagtailsnippets_sources_source:list"

BIBTEX = """@article{fair_militant_2011,
  title = {The militant challenge in {Pakistan}},
  journal = {Asia Policy},
  author = {Fair, C. Christine},
  doi = {10.1353/asp.2011.0010},
  year = {2011},
}
@misc{bajoria_how_2010,
  title = {How {WikiLeaks} Hurts {U.S.}-{Pakistan} Ties},
  url = {https://www.cfr.org/backgrounder/how-wikileaks-hurts-us-pakistan-ties},
  journal = {Council on Foreign Relations},
  year = {2010},
}
"""

BAD_BIBTEX = BIBTEX + "@book{untitled_2010, publisher = {Test Press}, year = {2010}}\n"


@pytest.fixture
def editor(users: Any, client: Client) -> Client:
    client.force_login(users.editor)
    return client


def preview(client: Client, text: str = BIBTEX, **data: Any) -> Any:
    return client.post(reverse(URL), {"text": text, "format": "", "action": "preview", **data})


def confirm(client: Client, text: str = BIBTEX, fmt: str = "bibtex") -> Any:
    return client.post(reverse(URL), {"text": text, "format": fmt, "action": "import"})


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page_text(response: Any) -> str:
    return _text(response.content.decode())


def preview_rows(response: Any) -> list[list[str]]:
    """The preview table: reference, title, outlet, action, per row."""
    table = re.search(
        r'<table class="listing" id="import-preview">(.*?)</table>', response.content.decode(), re.S
    )
    assert table is not None
    return [
        [_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr data-outcome[^>]*>(.*?)</tr>", table.group(1), re.S)
    ]


# --- who may import --------------------------------------------------------------------------


def test_editors_find_import_references_in_the_admin_menu(editor: Client) -> None:
    response = editor.get(reverse("wagtailadmin_home"))

    assert reverse(URL) in response.content.decode()


def test_the_import_form_is_shown_to_an_editor(editor: Client) -> None:
    response = editor.get(reverse(URL))

    assert response.status_code == 200
    assert 'name="text"' in response.content.decode()
    assert 'type="file"' in response.content.decode()


def test_a_reader_without_admin_access_is_sent_to_the_login_page(
    users: Any, client: Client
) -> None:
    client.force_login(users.reader)

    response = client.post(reverse(URL), {"text": BIBTEX, "action": "import"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert Source.objects.count() == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(reverse(URL))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_an_admin_user_who_may_not_add_sources_is_refused_with_403(client: Client) -> None:
    group = Group.objects.create(name="Readers with admin access")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = get_user_model().objects.create_user("dana", "dana@example.org", "pw")
    user.groups.add(group)
    client.force_login(user)

    response = client.post(reverse(URL), {"text": BIBTEX, "action": "import"})

    assert response.status_code == 403
    assert Source.objects.count() == 0
    assert reverse(URL) not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_posting_without_a_csrf_token_is_refused(users: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.editor)

    response = confirm(client)

    assert response.status_code == 403
    assert Source.objects.count() == 0


# --- preview ---------------------------------------------------------------------------------


def test_the_preview_shows_what_each_reference_will_do_and_writes_nothing(editor: Client) -> None:
    stored = SourceFactory(url="http://cfr.org/backgrounder/how-wikileaks-hurts-us-pakistan-ties/")

    response = preview(editor)

    assert response.status_code == 200
    text = page_text(response)
    assert "Preview: 2 BibTeX references" in text
    assert (
        "fair_militant_2011 line 1 The militant challenge in Pakistan Asia Policy Create source"
        in text
    )
    assert f"Update source #{stored.pk} (same URL)" in text
    assert "Import 2 references" in text
    assert Source.objects.count() == 1


def test_the_preview_lists_every_bad_reference_and_offers_no_import(editor: Client) -> None:
    response = preview(editor, BAD_BIBTEX)

    assert "1 of 3 references has an error: nothing was imported." in page_text(response)
    assert preview_rows(response)[2] == ["untitled_2010 line 14", "—", "—", "no title"]
    assert 'value="import"' not in response.content.decode()
    assert Source.objects.count() == 0


def test_what_is_not_imported_is_shown_in_the_preview(editor: Client) -> None:
    response = preview(editor, "@article{k, title={T}, abstract={Long}, keywords={a}}")

    assert "not imported: keywords" in page_text(response)


def test_an_upload_is_previewed_like_a_paste(editor: Client) -> None:
    upload = SimpleUploadedFile(
        "zotero.ris", b"\xef\xbb\xbfTY  - ELEC\r\nTI  - Uploaded page\r\nER  - \r\n"
    )

    response = editor.post(reverse(URL), {"text": "", "file": upload, "action": "preview"})

    assert "Preview: 1 RIS reference" in page_text(response)
    assert preview_rows(response) == [["entry 1 line 1", "Uploaded page", "—", "Create source"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Paste references or choose a file to upload."),
        ({"text": "Just my notes."}, "This is not CSL-JSON, BibTeX or RIS"),
        (
            {"text": '[{"id": "a", "title": "T"}\n{"id": "b"}]'},
            "CSL-JSON: line 2, column 1: Expecting ',' delimiter",
        ),
        ({"text": "TY  - JOUR", "file": SimpleUploadedFile("a.ris", b"TY  - JOUR")}, "not both"),
    ],
)
def test_input_that_cannot_be_read_is_refused_with_a_clear_message(
    editor: Client, data: dict[str, Any], message: str
) -> None:
    response = editor.post(reverse(URL), {"action": "preview", "format": "", **data})

    assert response.status_code == 200
    assert message in page_text(response)
    assert Source.objects.count() == 0


def test_a_50_mb_upload_is_refused_with_a_clear_message(editor: Client) -> None:
    upload = SimpleUploadedFile("library.bib", b"%" * (50 * 1024 * 1024))

    response = editor.post(reverse(URL), {"file": upload, "action": "preview"})

    assert response.status_code == 200
    limit = upload_limit()
    assert (
        f"The input is 52,428,800 bytes; the limit is {limit:,} bytes ({megabytes(limit)})."
        in page_text(response)
    )
    assert Source.objects.count() == 0


def test_the_upload_limit_leaves_room_for_the_confirming_post(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440
    assert upload_limit() == 2621440 - 64 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    assert upload_limit() == 5 * 1024 * 1024


# --- import ----------------------------------------------------------------------------------


def test_confirming_imports_every_reference_and_returns_to_the_sources(editor: Client) -> None:
    response = confirm(editor)

    assert response.status_code == 302
    assert response.url == reverse(LISTING)
    assert sorted(Source.objects.values_list("citation_key", flat=True)) == [
        "bajoria_how_2010",
        "fair_militant_2011",
    ]
    listing = editor.get(response.url)
    assert "Imported 2 references: 2 created, 0 updated." in page_text(listing)


def test_confirming_input_with_a_bad_reference_writes_nothing_and_shows_why(editor: Client) -> None:
    response = confirm(editor, BAD_BIBTEX)

    assert response.status_code == 200
    text = page_text(response)
    assert "1 of 3 references has an error: nothing was imported." in text
    assert "no title" in text
    assert Source.objects.count() == 0


def test_a_hundred_references_pasted_at_once_are_imported(editor: Client) -> None:
    items = [{"id": f"ref-{n}", "type": "webpage", "title": f"Reference {n}"} for n in range(100)]

    response = confirm(editor, json.dumps(items), "csl-json")

    assert response.status_code == 302
    assert Source.objects.count() == 100


def test_an_empty_confirmation_asks_for_the_references_again(editor: Client) -> None:
    response = confirm(editor, "")

    assert "The references to import were missing" in page_text(response)

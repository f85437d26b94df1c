"""The preview (the command's --dry-run, the admin's Preview) runs the same checks as the import,
formatting included, so what it says is what the import does; the citation engine's failures
are one readable line naming the entry; ids are printed only for rows that were committed;
only those who may publish sources may change them by import."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from briefdesk.importers.apply import engine_error, import_entries
from briefdesk.importers.references import parse_references
from briefdesk.sources.models import Outlet, Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

GOOD = {"id": "good", "type": "book", "title": "A good book", "publisher": "New Press"}
# Valid CSL-JSON that citeproc-js refuses: the two ends of a date range differ in shape.
ENGINE_FAILS = {
    "id": "range",
    "type": "book",
    "title": "Range",
    "event-date": {"date-parts": [[2010, 1, 2], [2011]]},
}
ENGINE_ERROR = (
    "range (line 1): the citation engine cannot format it: CSL data error: element mismatch "
    "in date range input."
)


def run_command(items: list[dict[str, Any]], tmp_path: Path, *args: str) -> tuple[list[str], Any]:
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(items))
    out = io.StringIO()
    try:
        call_command("import_references", str(path), *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue().splitlines(), exc
    return out.getvalue().splitlines(), None


def test_the_dry_run_reports_what_the_engine_refuses_exactly_as_the_import_does(
    tmp_path: Path,
) -> None:
    dry, dry_failed = run_command([GOOD, ENGINE_FAILS], tmp_path, "--dry-run")
    real, real_failed = run_command([GOOD, ENGINE_FAILS], tmp_path)

    assert dry == real == ["good -> new source", ENGINE_ERROR]
    assert (
        str(dry_failed)
        == str(real_failed)
        == ("1 of 2 references has an error: nothing was imported.")
    )
    assert dry_failed.returncode == real_failed.returncode == 2
    assert Source.objects.count() == Outlet.objects.count() == 0


def test_no_id_is_printed_for_a_row_that_was_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save = Source.save

    def fail_on_the_second(self: Source, *args: Any, **kwargs: Any) -> None:
        if self.citation_key == "second":
            raise RuntimeError("disk full\nwith a second line")
        save(self, *args, **kwargs)

    monkeypatch.setattr(Source, "save", fail_on_the_second)

    lines, failed = run_command([GOOD, dict(GOOD, id="second")], tmp_path)

    assert lines == ["good -> new source", "second (line 1): could not be saved: disk full"]
    assert failed.returncode == 2
    assert Source.objects.count() == 0


def test_an_admin_preview_shows_the_engine_error_and_offers_no_import(
    users: Any, client: Client
) -> None:
    client.force_login(users.editor)

    response = client.post(
        reverse("import_references"),
        {"text": json.dumps([GOOD, ENGINE_FAILS]), "action": "preview"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "the citation engine cannot format it: CSL data error: element mismatch" in page
    assert "throw" not in page and "<anonymous>" not in page
    assert 'value="import"' not in page
    assert Source.objects.count() == Outlet.objects.count() == 0


def test_a_confirm_of_text_the_engine_refuses_writes_nothing_and_says_why(
    users: Any, client: Client
) -> None:
    client.force_login(users.editor)

    response = client.post(
        reverse("import_references"),
        {"text": json.dumps([GOOD, ENGINE_FAILS]), "format": "csl-json", "action": "import"},
    )

    assert response.status_code == 200
    assert "element mismatch in date range input." in response.content.decode()
    assert Source.objects.count() == 0


def test_a_saved_source_holds_what_formatting_it_afresh_gives() -> None:
    # The import formats each source once, in the check, and saves that: it must be what
    # Source.save would have stored.
    report = import_entries(parse_references(json.dumps([GOOD])).entries)

    source_id = report.results[0].source_id
    assert source_id is not None
    source = Source.objects.get(pk=source_id)
    stored = source.formatted
    source.refresh_formatted()
    assert source.outlet is not None and source.outlet.name == "New Press"
    assert stored == source.formatted
    assert "New Press" in stored["apa"]["bibliography"]


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "<anonymous>:68: citeproc-js error: CSL data error: bad.\n"
            '            throw "citeproc-js error: " + str;\n            ^\n',
            "the citation engine cannot format it: CSL data error: bad.",
        ),
        (
            "TypeError: x is undefined\n    at bdFormat (<anonymous>:40:7)",
            "TypeError: x is undefined",
        ),
        ("", "RuntimeError"),
    ],
)
def test_an_engine_failure_is_one_line_without_its_stack(message: str, line: str) -> None:
    assert engine_error(RuntimeError(message)).endswith(line)
    assert "\n" not in engine_error(RuntimeError(message))


# --- who may change existing sources --------------------------------------------------------

STORED_URL = "https://example.org/known"


def admin_import(client: Client, action: str) -> Any:
    text = json.dumps([{"type": "webpage", "title": "Renamed", "URL": STORED_URL}])
    return client.post(
        reverse("import_references"), {"text": text, "format": "csl-json", "action": action}
    )


def test_an_author_cannot_change_a_published_source_by_import(users: Any, client: Client) -> None:
    stored = SourceFactory(url=STORED_URL, title="Known")
    client.force_login(users.author)

    for action in ("preview", "import"):
        response = admin_import(client, action)

        assert response.status_code == 200
        assert (
            f"matches source #{stored.pk} (same URL): changing a published source needs an "
            "editor, so an editor must import this reference"
        ) in response.content.decode()
    stored.refresh_from_db()
    assert stored.title == "Known"


def test_an_author_can_still_import_new_sources_which_briefs_can_cite(
    users: Any, client: Client
) -> None:
    client.force_login(users.author)
    text = json.dumps([dict(GOOD, id="new")])

    response = client.post(
        reverse("import_references"), {"text": text, "format": "csl-json", "action": "import"}
    )

    assert response.status_code == 302
    source = Source.objects.get(citation_key="new")
    assert source.live


def test_an_editor_may_change_a_published_source_by_import(users: Any, client: Client) -> None:
    stored = SourceFactory(url=STORED_URL, title="Known")
    client.force_login(users.editor)

    response = admin_import(client, "import")

    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.title == "Renamed"


def test_the_command_may_change_a_published_source(tmp_path: Path) -> None:
    stored = SourceFactory(url=STORED_URL, title="Known")

    lines, failed = run_command(
        [{"id": "k", "type": "webpage", "title": "Renamed", "URL": STORED_URL}], tmp_path
    )

    assert failed is None
    assert lines[0] == f"k -> /sources/{stored.pk}/ (updated)"
    stored.refresh_from_db()
    assert stored.title == "Renamed"

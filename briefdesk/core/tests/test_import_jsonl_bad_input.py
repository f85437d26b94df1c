"""`briefdesk import-jsonl`: a file cut short or corrupted changes nothing and names the line
where it broke; a database with content is refused; a good file loads with its snapshot file.

A small site (a brief citing a source with a stored snapshot WARC, an expert, a guide and
the stock users) is built once, exported with its files, and rolled back: every test then
imports into the test database as `migrate` left it, which is what the import calls empty.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from wagtail.models import Page

from briefdesk.briefs.models import BriefPage
from briefdesk.core import backup
from briefdesk.core.portable import jsonl
from briefdesk.core.roles import AUTHORS, EDITORS
from briefdesk.sources.models import Snapshot, Source
from tests.db import rolled_back

pytestmark = pytest.mark.django_db

WARC = b"WARC/1.0\r\nWARC-Type: response\r\n\r\n" + b"archived page " * 200


@dataclass
class Exported:
    path: Path
    files: Path
    lines: list[bytes]
    warc_name: str


@pytest.fixture(scope="module")
def exported(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Exported]:
    from tests.factories import (
        SourceFactory,
        cite,
        make_author,
        make_brief,
        make_site_tree,
        make_topic,
        make_users,
    )

    work = tmp_path_factory.mktemp("export")
    path, files = work / "site.jsonl", work / "files"
    roots = backup.site_roots()
    before = {name: {rel for _, rel in backup.walk_files(root)} for name, root in roots.items()}
    try:
        with rolled_back(django_db_blocker):
            tree = make_site_tree()
            make_users()
            source = SourceFactory(title="Pakistan's nuclear dilemma")
            snapshot = Snapshot(
                source=source,
                captured_at="2026-11-30T10:00:00Z",
                url=source.url,
                final_url=source.url,
                status=200,
                sha256="0" * 64,
                size=len(WARC),
            )
            snapshot.warc.save("capture.warc.gz", ContentFile(WARC), save=False)
            snapshot.save()
            make_brief(
                tree,
                authors=[make_author(tree)],
                topics=[make_topic(tree)],
                body=[("paragraph", f"<p>Islamabad distrusts Washington {cite(source)}.</p>")],
            )
            call_command("export_site", str(path), "--with-files", str(files), stdout=io.StringIO())
            warc_name = snapshot.warc.name
    finally:
        for name, root in roots.items():
            for file, rel in list(backup.walk_files(root)):
                if rel not in before[name]:
                    file.unlink()
    yield Exported(path, files, path.read_bytes().splitlines(keepends=True), warc_name)


def import_jsonl(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_jsonl", str(path), *args, stdout=out)
    return out.getvalue()


def nothing_was_written(exported: Exported, pages_before: int) -> None:
    assert get_user_model().objects.count() == 0
    assert BriefPage.objects.count() == 0 and Source.objects.count() == 0
    assert Page.objects.count() == pages_before
    assert not Snapshot.warc.field.storage.exists(exported.warc_name)


def line_of(exported: Exported, model: str) -> int:
    """The 1-based line number of the first record of `model`."""
    marker = f'"model":"{model}"'.encode()
    return next(n for n, line in enumerate(exported.lines, 1) if marker in line)


def write(tmp_path: Path, lines: list[bytes]) -> Path:
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def rewritten(exported: Exported, tmp_path: Path, change: Any) -> Path:
    """The export written again with `change(record)` applied to every record, with valid
    line checksums, counts and trailer: damage that only loading can find."""
    header = json.loads(exported.lines[0])
    for key in ("crc32", "format", "version", "counts", "files"):
        header.pop(key)
    path = tmp_path / "rewritten.jsonl"
    with jsonl.ExportWriter(path, header) as out:
        for line in exported.lines[1:-1]:
            record = json.loads(line)
            record.pop("crc32")
            out.write(change(record))
    return path


# --- the file is checked before anything is written ------------------------------------------


def test_a_file_cut_in_the_middle_of_a_line_names_that_line_and_writes_nothing(
    exported: Exported, tmp_path: Path
) -> None:
    pages = Page.objects.count()
    cut = line_of(exported, "sources.source")
    damaged = write(tmp_path, [*exported.lines[: cut - 1], exported.lines[cut - 1][:40]])

    with pytest.raises(CommandError, match=rf"line {cut}: the file ends in the middle of this"):
        import_jsonl(damaged, "--files", str(exported.files))

    nothing_was_written(exported, pages)


def test_a_file_cut_between_lines_is_missing_its_trailer(
    exported: Exported, tmp_path: Path
) -> None:
    pages = Page.objects.count()
    damaged = write(tmp_path, exported.lines[:30])

    with pytest.raises(CommandError, match=r"line 30: the file ends after this line without"):
        import_jsonl(damaged)

    nothing_was_written(exported, pages)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda line: line.replace(b"Pakistan", b"Pakistam", 1), "the line is corrupted"),
        (lambda line: b"{not json at all\n", "not a line of a briefdesk export"),
        (lambda line: line[:-1] + b" trailing\n", "the line is corrupted"),
    ],
)
def test_a_corrupted_line_is_named_and_nothing_is_written(
    exported: Exported, tmp_path: Path, damage: Any, message: str
) -> None:
    pages = Page.objects.count()
    broken = line_of(exported, "sources.source")
    lines = list(exported.lines)
    lines[broken - 1] = damage(lines[broken - 1])

    with pytest.raises(CommandError, match=rf"line {broken}: {message}"):
        import_jsonl(write(tmp_path, lines), "--files", str(exported.files))

    nothing_was_written(exported, pages)


def test_a_lost_line_is_found_by_the_trailer(exported: Exported, tmp_path: Path) -> None:
    lines = list(exported.lines)
    del lines[line_of(exported, "sources.source") - 1]

    with pytest.raises(CommandError, match=r"the trailer counts \d+ records, the file has"):
        import_jsonl(write(tmp_path, lines))


def test_swapped_lines_are_found_by_the_checksum(exported: Exported, tmp_path: Path) -> None:
    lines = list(exported.lines)
    lines[3], lines[4] = lines[4], lines[3]

    with pytest.raises(CommandError, match=r"checksum does not match its trailer"):
        import_jsonl(write(tmp_path, lines))


def test_a_changed_file_in_the_files_directory_is_refused_before_anything_is_written(
    exported: Exported, tmp_path: Path
) -> None:
    pages = Page.objects.count()
    files = tmp_path / "files"
    for path in exported.files.rglob("*"):
        if path.is_file():
            target = files / path.relative_to(exported.files)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes() + (b"x" if path.name.endswith(".gz") else b""))

    with pytest.raises(CommandError, match=r"differs from the export"):
        import_jsonl(exported.path, "--files", str(files))

    nothing_was_written(exported, pages)


# --- a record that only loading finds wrong: everything is rolled back -----------------------


def test_a_record_that_does_not_load_rolls_back_every_row_and_file(
    exported: Exported, tmp_path: Path
) -> None:
    pages = Page.objects.count()

    def damage(record: dict[str, Any]) -> dict[str, Any]:
        if record.get("model") == "briefs.briefpage":
            record["fields"]["date"] = "the thirty-first of Smarch"
        return record

    damaged = rewritten(exported, tmp_path, damage)
    broken = next(
        n for n, line in enumerate(damaged.read_bytes().splitlines(), 1) if b"Smarch" in line
    )

    with pytest.raises(CommandError, match=rf"line {broken}: .*nothing was imported"):
        import_jsonl(damaged, "--files", str(exported.files))

    nothing_was_written(exported, pages)


def test_a_record_pointing_at_a_row_the_file_lacks_names_its_line_on_sqlite(
    exported: Exported, tmp_path: Path
) -> None:
    pages = Page.objects.count()

    def damage(record: dict[str, Any]) -> dict[str, Any]:
        if record.get("model") == "briefs.briefauthor":
            record["fields"]["author"] = 999999
        return record

    damaged = rewritten(exported, tmp_path, damage)
    broken = next(
        n
        for n, line in enumerate(damaged.read_bytes().splitlines(), 1)
        if b'"model":"briefs.briefauthor"' in line
    )
    # SQLite names the row, so the line; PostgreSQL names the table and the missing key.
    where = rf"line {broken}: " if connection.vendor == "sqlite" else ""

    with pytest.raises(CommandError, match=rf"{where}a record refers to a row the file does"):
        import_jsonl(damaged, "--files", str(exported.files))

    nothing_was_written(exported, pages)


# --- the database must be empty ------------------------------------------------------------


def test_an_import_into_a_database_with_users_or_content_is_refused_in_one_line(
    exported: Exported,
) -> None:
    from tests.factories import make_users

    make_users()

    with pytest.raises(CommandError) as raised:
        import_jsonl(exported.path)

    message = str(raised.value)
    assert "the database is not empty (4 users)" in message
    assert "\n" not in message
    assert BriefPage.objects.count() == 0


def test_an_import_with_files_of_an_export_that_has_none_is_refused(
    exported: Exported, tmp_path: Path
) -> None:
    bare = rewritten(exported, tmp_path, lambda record: record)
    lines = [line for line in bare.read_bytes().splitlines(keepends=True) if b'"file":' not in line]
    header = json.loads(lines[0])
    for key in ("crc32", "format", "version", "counts", "files"):
        header.pop(key)
    path = tmp_path / "bare.jsonl"
    with jsonl.ExportWriter(path, header) as out:
        for line in lines[1:-1]:
            record = json.loads(line)
            record.pop("crc32")
            out.write(record)

    with pytest.raises(CommandError, match="lists no files"):
        import_jsonl(path, "--files", str(exported.files))


# --- a good file ---------------------------------------------------------------------------


def test_a_good_file_loads_with_its_snapshot_file_and_users_without_passwords(
    exported: Exported,
) -> None:
    storage = Snapshot.warc.field.storage
    try:
        output = import_jsonl(exported.path, "--files", str(exported.files))

        assert "every line's checksum matches" in output
        assert re.search(r"Imported \d+ records and \d+ files; 4 users", output)
        snapshot = Snapshot.objects.get()
        with snapshot.warc.open("rb") as stream:
            assert stream.read() == WARC
        assert BriefPage.objects.live().count() == 1
        users = get_user_model().objects.all()
        assert {u.username for u in users} == {"alice", "bob", "root", "charlie"}
        assert not any(u.has_usable_password() for u in users)
        roles = {u.username: [g.name for g in u.groups.all()] for u in users}
        assert roles == {"alice": [AUTHORS], "bob": [EDITORS], "root": [], "charlie": []}
        assert users.get(username="root").is_superuser
    finally:
        if storage.exists(exported.warc_name):
            storage.delete(exported.warc_name)


def test_a_site_made_by_briefdesk_init_counts_as_empty_and_is_replaced(
    exported: Exported,
) -> None:
    call_command("init_site", stdout=io.StringIO())

    import_jsonl(exported.path)

    exported_pages = [
        (record["pk"], record["fields"]["title"])
        for _, record in jsonl.read_records(exported.path)
        if record["model"] == "wagtailcore.page"
    ]
    assert sorted(Page.objects.values_list("pk", "title")) == sorted(exported_pages)
    assert BriefPage.objects.live().count() == 1


def test_the_console_script_exits_1_with_one_line_naming_the_line(
    exported: Exported, tmp_path: Path
) -> None:
    cut = write(tmp_path, [*exported.lines[:5], exported.lines[5][:20]])
    env = {
        **os.environ,
        "BRIEFDESK_DATA_DIR": str(tmp_path / "data"),
        "BRIEFDESK_ENV_FILE": "",
    }
    env.pop("DATABASE_URL", None)

    result = subprocess.run(
        [str(Path(sys.executable).with_name("briefdesk")), "import-jsonl", str(cut)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "line 6: the file ends in the middle of this line" in result.stderr
    assert "Traceback" not in result.stderr

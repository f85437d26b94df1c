"""`briefdesk import-references FILE [--dry-run] [--format F]`: one line per reference,
`<key> -> /sources/<id>/`; any bad reference prints why, writes nothing and exits non-zero."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefdesk.sources.models import Source
from tests.factories import SourceFactory

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


def command(*args: str, stdin: io.BytesIO | None = None) -> list[str]:
    out = io.StringIO()
    options = {"stdin": stdin} if stdin is not None else {}
    call_command("import_references", *args, stdout=out, **options)
    return out.getvalue().splitlines()


def pk(key: str) -> int:
    return Source.objects.get(citation_key=key).pk


def test_it_prints_one_line_per_reference_with_its_source_url() -> None:
    lines = command(str(FILES / "mixed.bib"))

    assert lines == [
        f"fair_militant_2011 -> /sources/{pk('fair_militant_2011')}/ (created)",
        f"bajoria_how_2010 -> /sources/{pk('bajoria_how_2010')}/ (created)",
        "Imported 2 references: 2 created, 0 updated.",
    ]


def test_a_dry_run_says_what_would_happen_and_writes_nothing() -> None:
    stored = SourceFactory(csl_extra={"DOI": "10.1353/ASP.2011.0010"})

    lines = command(str(FILES / "mixed.bib"), "--dry-run")

    assert lines == [
        f"fair_militant_2011 -> /sources/{stored.pk}/ (update: same DOI)",
        "bajoria_how_2010 -> new source",
        "Checked 2 references: 1 to create, 1 to update. Nothing was written.",
    ]
    assert Source.objects.count() == 1


def test_bad_references_are_each_named_nothing_is_written_and_it_exits_non_zero() -> None:
    out = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_references", str(FILES / "bad.bib"), stdout=out)

    assert out.getvalue().splitlines() == [
        "fair_militant_2011 -> new source",
        "untitled_2010 (line 7): no title",
        "unclosed_2010 (line 12): cannot be read: the text ends inside this entry "
        "(is a brace or quote not closed?)",
    ]
    assert str(failed.value) == "2 of 3 references have errors: nothing was imported."
    assert Source.objects.count() == 0


def test_it_reads_standard_input_when_the_file_is_a_dash() -> None:
    data = json.dumps([{"id": "piped", "type": "webpage", "title": "Piped in"}]).encode()

    lines = command("-", stdin=io.BytesIO(data))

    assert lines[0] == f"piped -> /sources/{pk('piped')}/ (created)"


def test_the_format_can_be_given_instead_of_detected() -> None:
    data = b"@comment{made by a script}\nTY  - ELEC\nTI  - Forced RIS\nER  - \n"

    lines = command("-", "--format", "ris", stdin=io.BytesIO(data))

    assert lines[0] == f"entry 1 -> /sources/{Source.objects.get().pk}/ (created)"


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "library.bib"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: no 50 MB actually written

    with pytest.raises(CommandError) as failed:
        command(str(big))

    assert str(failed.value) == (
        f"{big}: The input is 52,428,800 bytes; the limit is 5,242,880 bytes (5 MB). "
        "Export fewer references at a time, or split the file."
    )


def test_50_mb_on_standard_input_is_refused() -> None:
    with pytest.raises(
        CommandError,
        match=r"-: The input is 52,428,800 bytes; the limit is 5,242,880 bytes \(5 MB\)",
    ):
        command("-", stdin=io.BytesIO(b" " * (50 * 1024 * 1024)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'[{"id": "a", "title": "T"},\n {"id": "b"\n]',
            "line 3, column 1: Expecting ',' delimiter",
        ),
        (b"Just some notes, not an export.", "This is not CSL-JSON, BibTeX or RIS"),
        (b"", "Nothing to import: the text is empty."),
        ("TY  - JOUR\nAU  - Müller".encode("latin-1"), "The file is not UTF-8 text (byte 19)"),
    ],
)
def test_input_that_cannot_be_read_at_all_fails_with_one_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(content)

    with pytest.raises(CommandError) as failed:
        command(str(path))

    assert str(failed.value).startswith(f"{path}: ")
    assert message in str(failed.value)
    assert "\n" not in str(failed.value)


def test_a_missing_file_is_a_one_line_error() -> None:
    with pytest.raises(CommandError, match=r"no-such\.bib: no such file"):
        command("no-such.bib")

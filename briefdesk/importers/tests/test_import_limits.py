"""Hostile and runaway input: deep nesting, LaTeX nested 200 deep, numbers past Python's
4,300-digit limit, more references than an import takes, 5 MB + 1 byte. Each is one line
naming the entry (or the input), exit status 2 from the command, a message in the admin;
never a traceback, nothing written."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from briefdesk.importers import apply, references
from briefdesk.importers.entries import ImportFailed
from briefdesk.importers.references import MAX_BYTES, MAX_ENTRIES, parse_references
from briefdesk.importers.views import ADMIN_MAX_ENTRIES
from briefdesk.sources.models import Outlet, Source

pytestmark = pytest.mark.django_db

DIGITS = "9" * 5000  # past Python's 4,300-digit int-str limit

# (name, text, the entry's label, its one-line error)
BAD_ENTRIES = [
    (
        "LaTeX macros nested 200 deep",
        "@article{deep, title = {" + "\\textbf{" * 200 + "x" + "}" * 200 + "}, year = 2010}",
        "deep (line 1)",
        "title: braces are nested 200 deep; the limit is 32",
    ),
    (
        "a 5,000-digit BibTeX year",
        "@article{year, title = {T}, year = {" + DIGITS + "}}",
        "year (line 1)",
        "issued: a date of 5,000 characters ('999999999999999999…); the limit is 100",
    ),
    (
        "a 5,000-digit BibTeX month",
        "@article{month, title = {T}, year = {2010}, month = {" + DIGITS + "}}",
        "month (line 1)",
        "issued: a date of 5,005 characters ('999999999999999999…); the limit is 100",
    ),
    (
        "a 5,000-digit RIS year",
        "TY  - JOUR\nTI  - T\nPY  - " + DIGITS + "\nER  - \n",
        "entry 1 (line 1)",
        "issued: a date of 5,000 characters ('999999999999999999…); the limit is 100",
    ),
    (
        "a 5,000-digit string in CSL-JSON date-parts",
        json.dumps([{"id": "parts", "title": "T", "issued": {"date-parts": [[DIGITS]]}}]),
        "parts (line 1)",
        "issued: ['9999999999999999999999999999999999999… is not a date",
    ),
]


def command(text: str, tmp_path: Path, *args: str) -> tuple[str, CommandError | None]:
    path = tmp_path / "input.txt"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_references", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.mark.parametrize(("name", "text", "label", "error"), BAD_ENTRIES, ids=lambda v: v[:30])
def test_a_hostile_entry_is_one_line_naming_it_and_exit_status_2(
    name: str, text: str, label: str, error: str, tmp_path: Path
) -> None:
    for args in [("--dry-run",), ()]:
        out, failed = command(text, tmp_path, *args)

        assert out.splitlines()[0] == f"{label}: {error}"
        assert failed is not None and failed.returncode == 2
        assert str(failed) == "1 of 1 reference has an error: nothing was imported."
    assert Source.objects.count() == 0


# (name, text, the one-line message for the whole input)
BAD_INPUTS = [
    (
        "JSON nested 1,000 deep",
        "[" + '{"a":' * 1000 + "1" + "}" * 1000 + "]",
        "CSL-JSON: The JSON is nested 1001 levels deep; the limit is 16.",
    ),
    (
        "a 5,000-digit integer in CSL-JSON",
        '[{"id": "big", "title": "T", "volume": ' + DIGITS + "}]",
        "CSL-JSON: The number '99999999999999999999999999999999999999… is too large; "
        "numbers must be within ±2**53.",
    ),
    (
        "NaN in CSL-JSON",
        '[{"id": "nan", "title": "T", "volume": NaN}]',
        "CSL-JSON: NaN is not allowed in JSON; use a number or text.",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_INPUTS, ids=lambda v: v[:30])
def test_hostile_json_fails_as_a_whole_in_one_line_with_exit_status_2(
    name: str, text: str, message: str, tmp_path: Path
) -> None:
    out, failed = command(text, tmp_path, "--dry-run")

    assert out == ""
    assert failed is not None and failed.returncode == 2
    assert str(failed) == f"{tmp_path / 'input.txt'}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [(text, message) for _, text, message in BAD_INPUTS]
    + [(text, f"{label}: {error}") for _, text, label, error in BAD_ENTRIES[:2]],
    ids=lambda v: v[:20],
)
def test_the_admin_answers_hostile_input_with_a_message_not_a_500(
    users: Any, client: Client, text: str, message: str
) -> None:
    client.force_login(users.editor)

    response = client.post(reverse("import_references"), {"text": text, "action": "preview"})

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Traceback" not in page
    # The preview names the entry in its own cell; the message is in the page either way.
    assert message.split(": ", 1)[-1] in page
    assert Source.objects.count() == 0


def test_more_references_than_an_import_takes_are_refused_before_any_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(apply, "plan_import", None)  # nothing per entry may run
    for fmt, one in [
        ("ris", "TY  - ELEC\nTI  - T\nER  - \n"),
        ("bibtex", "@misc{k, title = {T}}\n"),
    ]:
        with pytest.raises(ImportFailed) as failed:
            parse_references(one * (MAX_ENTRIES + 1), fmt)

        assert str(failed.value) == (
            f"The input has {MAX_ENTRIES + 1:,} references; the limit is {MAX_ENTRIES:,} per "
            "import. Export fewer references at a time, or split the file."
        )


def test_200000_tiny_csl_json_items_are_refused_before_any_item_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from briefdesk.importers.csljson import parser

    def checked(item: Any) -> Any:
        raise AssertionError("an item was checked")

    monkeypatch.setattr(parser, "check_item", checked)
    text = json.dumps([{"title": "t"}] * 200_000)

    with pytest.raises(ImportFailed, match=r"^The input has 200,000 references; the limit"):
        parse_references(text)


def test_the_admin_takes_fewer_references_per_import_than_the_command(
    users: Any, client: Client
) -> None:
    client.force_login(users.editor)
    text = json.dumps([{"title": f"t{n}"} for n in range(ADMIN_MAX_ENTRIES + 1)])

    response = client.post(reverse("import_references"), {"text": text, "action": "preview"})

    assert f"the limit is {ADMIN_MAX_ENTRIES:,} per import" in response.content.decode()
    assert ADMIN_MAX_ENTRIES < MAX_ENTRIES


def test_the_size_message_tells_5_mb_plus_one_byte_from_5_mb(tmp_path: Path) -> None:
    text = "TY  - ELEC\nTI  - T\nER  - \n"
    text += " " * (MAX_BYTES + 1 - len(text))

    _, failed = command(text, tmp_path)

    assert failed is not None and failed.returncode == 2
    assert str(failed) == (
        f"{tmp_path / 'input.txt'}: The input is 5,242,881 bytes; the limit is 5,242,880 "
        "bytes (5 MB). Export fewer references at a time, or split the file."
    )
    assert references.megabytes(MAX_BYTES) == "5 MB"
    assert Outlet.objects.count() == 0

"""Property-based: arbitrary text, bytes, numbers and nesting thrown at the three importers, the
dry-run plan and the command never raise anything but the importer's own one-line errors
(ImportFailed; CommandError from the command), and a bad entry is always one line.

Examples are bounded (each test well under 20 s) and no example database is written."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefdesk.importers.apply import import_entries
from briefdesk.importers.references import ImportFailed, decode, parse_references
from briefdesk.sources.csl_schema import TYPES
from briefdesk.sources.models import Source

pytestmark = pytest.mark.django_db

FAST = settings(max_examples=150, deadline=None, database=None)
# Checks that reach the database (and the citation engine, for entries that pass): fewer.
SLOW = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text with what the formats treat as structure, plus control characters and astral ones.
SPECIAL = "{}[]\\@%#$&~^_\"',=:/\n\r\t\x00\x0b\u2028\ud800😀 -"
texts = st.text(alphabet=st.characters(codec=None) | st.sampled_from(SPECIAL), max_size=60)
digits = st.text(alphabet="0123456789", min_size=1, max_size=6000)
numbers = st.one_of(
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    digits.map(int).filter(lambda n: n < 10**4000),  # str() of these stays within Python's limit
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=12,
)
date_values = st.one_of(
    json_values,
    texts,
    st.fixed_dictionaries(
        {"date-parts": st.lists(st.lists(numbers | texts | digits, max_size=4), max_size=3)}
    ),
    st.fixed_dictionaries({"literal": texts | digits}),
)
csl_items = st.fixed_dictionaries(
    {"title": texts | json_values},
    optional={
        "id": texts | numbers,
        "type": st.sampled_from(sorted(TYPES)) | texts,
        "author": json_values | st.lists(st.dictionaries(texts, texts, max_size=3), max_size=3),
        "issued": date_values,
        "event-date": date_values,
        "URL": texts | json_values,
        "DOI": texts,
        "volume": json_values | digits,
        "container-title": texts,
    },
)


def csl_text(items: list[Any]) -> str:
    return json.dumps(items, ensure_ascii=False)


@st.composite
def bibtex(draw: Any) -> str:
    entries = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["article", "misc", "book", "online", "weird"]) | texts)
        fields = draw(
            st.dictionaries(
                st.sampled_from(["title", "author", "year", "month", "date", "url", "doi"]) | texts,
                texts
                | digits
                | st.builds(lambda d, t: "\\textbf{" * d + t + "}" * d, st.integers(0, 250), texts),
                max_size=5,
            )
        )
        body = ", ".join(f"{name} = {{{value}}}" for name, value in fields.items())
        entries.append(f"@{kind}{{{draw(texts)}, {body}}}")
    return "\n".join(entries)


@st.composite
def ris(draw: Any) -> str:
    records = []
    for _ in range(draw(st.integers(1, 3))):
        lines = [f"TY  - {draw(st.sampled_from(['JOUR', 'ELEC', 'BOOK']) | texts)}"]
        for _ in range(draw(st.integers(0, 5))):
            tag = draw(st.sampled_from(["TI", "AU", "PY", "DA", "UR", "DO", "SP", "ID"]) | texts)
            lines.append(f"{tag}  - {draw(texts | digits)}")
        if draw(st.booleans()):
            lines.append("ER  - ")
        records.append("\n".join(lines))
    return "\n".join(records)


def parse_or_refuse(text: str, fmt: str | None) -> Any:
    """parse_references, where only ImportFailed may be raised; entries' errors are one line."""
    try:
        result = parse_references(text, fmt)
    except ImportFailed as exc:
        assert "\n" not in str(exc)
        return None
    for entry in result.entries:
        assert entry.error is None or "\n" not in entry.error
    return result


@FAST
@given(
    text=texts | st.text(max_size=300),
    fmt=st.sampled_from([None, "csl-json", "bibtex", "ris"]),
)
def test_any_text_in_any_format_is_parsed_or_refused_in_one_line(
    text: str, fmt: str | None
) -> None:
    parse_or_refuse(text, fmt)


@FAST
@given(data=st.binary(max_size=300))
def test_any_bytes_are_decoded_or_refused_in_one_line(data: bytes) -> None:
    try:
        text = decode(data)
    except ImportFailed:
        return
    parse_or_refuse(text, None)


@FAST
@given(items=st.lists(csl_items | json_values, max_size=4))
def test_any_csl_json_is_parsed_or_refused_in_one_line(items: list[Any]) -> None:
    parse_or_refuse(csl_text(items), "csl-json")


@FAST
@given(depth=st.integers(1, 3000), number=digits)
def test_any_nesting_and_any_number_is_parsed_or_refused_in_one_line(
    depth: int, number: str
) -> None:
    nested = "[" * depth + number + "]" * depth
    parse_or_refuse(f'[{{"id": "a", "title": "T", "note": {nested}}}]', "csl-json")
    parse_or_refuse(f'[{{"id": "a", "title": "T", "volume": {number}}}]', "csl-json")


@FAST
@given(text=bibtex())
def test_any_bibtex_is_parsed_or_refused_in_one_line(text: str) -> None:
    parse_or_refuse(text, "bibtex")


@FAST
@given(text=ris())
def test_any_ris_is_parsed_or_refused_in_one_line(text: str) -> None:
    parse_or_refuse(text, "ris")


@SLOW
@given(text=st.one_of(st.lists(csl_items, min_size=1, max_size=3).map(csl_text), bibtex(), ris()))
def test_the_dry_run_plan_of_anything_readable_reports_instead_of_raising(text: str) -> None:
    parsed = parse_or_refuse(text, None)
    if parsed is None:
        return
    report = import_entries(parsed.entries, dry_run=True)
    assert len(report.results) == len(parsed.entries)
    for result in report.results:
        assert "\n" not in result.error and "\n" not in result.as_line()
    assert Source.objects.count() == 0


@SLOW
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.lists(csl_items, min_size=1, max_size=3).map(
            lambda i: csl_text(i).encode("utf-8", "surrogatepass")
        ),
        bibtex().map(lambda t: t.encode("utf-8", "surrogatepass")),
        ris().map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    dry_run=st.booleans(),
)
def test_the_command_answers_anything_with_lines_or_a_command_error(
    data: bytes, dry_run: bool
) -> None:
    before = Source.objects.count()  # examples share one test transaction
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "input"
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(
                "import_references",
                str(path),
                *(["--dry-run"] if dry_run else []),
                stdout=out,
                stderr=err,
            )
        except CommandError as exc:
            assert exc.returncode == 2
            assert "\n" not in str(exc)
        assert "Traceback" not in out.getvalue() + err.getvalue()
    if dry_run:
        assert Source.objects.count() == before

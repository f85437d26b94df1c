"""The export file's line format and the files bundle, without a database (portable/jsonl.py,
portable/bundle.py)."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import zlib
from pathlib import Path

import pytest

from briefdesk.core.portable import bundle, jsonl

RECORDS = [
    {"model": "sources.outlet", "pk": 1, "fields": {"name": "Reuters", "short_label": ""}},
    {"model": "sources.source", "pk": 2, "fields": {"title": "Ünïcode — “quoted”\nline"}},
    {"model": "auth.user_groups", "pk": 3, "fields": {"user": 1, "group": 2}},
]


def write(path: Path, records: list[dict[str, object]]) -> Path:
    with jsonl.ExportWriter(path, {"briefdesk": "test"}) as out:
        for record in records:
            out.write(record)
    return path


def test_a_line_carries_the_crc_of_the_rest_of_its_object_and_decodes_back() -> None:
    line = jsonl.encode_line({"model": "a.b", "pk": 1, "fields": {}})

    assert line.startswith(b'{"crc32":"') and line.endswith(b"}\n")
    body = b'{"model":"a.b","pk":1,"fields":{}}'
    assert line == b'{"crc32":"%08x",' % zlib.crc32(body) + body[1:] + b"\n"
    assert jsonl.decode_line(line, 2, "f") == {"model": "a.b", "pk": 1, "fields": {}}


def test_datetimes_keep_their_microseconds_and_decimals_their_digits() -> None:
    moment = dt.datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=dt.UTC)
    line = jsonl.encode_line({"at": moment, "amount": decimal.Decimal("1.10")})

    decoded = jsonl.decode_line(line, 2, "f")

    assert decoded["at"] == "2026-11-30T10:00:00.123456+00:00"
    assert decoded["amount"] == "1.10"


GOOD = jsonl.encode_line({"model": "a.b", "pk": 1, "fields": {"title": "Pakistan"}})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (GOOD[:-1], "line 7: the file ends in the middle of this line (cut short)"),
        (GOOD[:25], "line 7: the file ends in the middle of this line (cut short)"),
        (GOOD.replace(b"Pakistan", b"Pakistam"), "line 7: the line is corrupted"),
        (b'{"model":"a.b"}\n', "line 7: not a line of a briefdesk export"),
        (b"\n", "line 7: not a line of a briefdesk export"),
        (b"\xff\xfe garbage\n", "line 7: not a line of a briefdesk export"),
        (
            b'{"crc32":"%08x",' % zlib.crc32(b'{"a":') + b'"a":\n',
            "line 7: not valid JSON",
        ),
    ],
)
def test_a_damaged_line_is_named_with_its_problem(raw: bytes, message: str) -> None:
    with pytest.raises(jsonl.ExportFileError) as raised:
        jsonl.decode_line(raw, 7, "site.jsonl")

    assert str(raised.value).startswith(f"site.jsonl {message}")


def test_a_written_export_verifies_with_its_counts_and_reads_back_in_order(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "site.jsonl", RECORDS)

    contents = jsonl.verify_export(path)

    assert contents.header["format"] == "briefdesk-jsonl"
    assert contents.header["counts"] == {
        "auth.user_groups": 1,
        "sources.outlet": 1,
        "sources.source": 1,
    }
    assert (contents.records, contents.files, contents.lines) == (3, (), 5)
    read = [record for _, record in jsonl.read_records(path)]
    assert read == RECORDS
    assert not (tmp_path / "site.jsonl.partial").exists()


def test_an_export_that_fails_midway_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "site.jsonl"

    with pytest.raises(TypeError), jsonl.ExportWriter(path, {}) as out:
        out.write(RECORDS[0])
        out.write({"model": "a.b", "pk": 1, "fields": {"bad": object()}})

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines[:-1], "line 4: the file ends after this line without its trailer"),
        (lambda lines: [], "the file is empty"),
        (lambda lines: [lines[0], lines[2], lines[1], lines[3], lines[4]], "checksum does not"),
        (lambda lines: [*lines[:2], *lines[3:]], "the trailer counts 3 records, the file has 2"),
        (lambda lines: [*lines, lines[1]], "line 6: a line after the trailer"),
        (
            lambda lines: [jsonl.encode_line({"format": "other"}), *lines[1:]],
            "line 1: not a briefdesk export",
        ),
        (
            lambda lines: [
                jsonl.encode_line({"format": "briefdesk-jsonl", "version": 99}),
                *lines[1:],
            ],
            "line 1: format version 99 is newer than this briefdesk reads",
        ),
    ],
)
def test_a_damaged_file_is_refused_naming_where_it_broke(
    tmp_path: Path, damage: object, message: str
) -> None:
    path = write(tmp_path / "site.jsonl", RECORDS)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(damage(lines)))  # type: ignore[operator]

    with pytest.raises(jsonl.ExportFileError, match=message):
        jsonl.verify_export(path)


@pytest.mark.parametrize(
    "name",
    ["../etc/passwd", "/etc/passwd", "a/../../b", "", "a\\..\\b", "nul\0byte"],
)
def test_a_file_name_that_would_leave_the_bundle_is_refused(name: str) -> None:
    with pytest.raises(jsonl.ExportFileError, match="would leave the files directory"):
        bundle.safe_member(name)


@pytest.mark.parametrize("name", ["files", "files.tar", "files.tar.gz"])
def test_files_go_into_a_directory_or_tar_and_are_checked_on_the_way_back(
    tmp_path: Path, name: str
) -> None:
    dest = tmp_path / name
    data = b"WARC/1.0\r\n" * 1000
    with bundle.BundleWriter(dest) as out:
        size, sha256 = out.add("sources.snapshot.warc/snapshots/1.warc.gz", io.BytesIO(data))

    member = ("sources.snapshot.warc/snapshots/1.warc.gz", size, sha256)
    assert bundle.check_bundle(dest, [member]) == 1
    with (
        bundle.open_bundle(dest) as files,
        files.open("sources.snapshot.warc/snapshots/1.warc.gz") as stream,
    ):
        assert stream.read() == data
    with pytest.raises(jsonl.ExportFileError, match="differs from the export"):
        bundle.check_bundle(dest, [(member[0], size + 1, sha256)])
    with pytest.raises(jsonl.ExportFileError, match="is missing"):
        bundle.check_bundle(dest, [("images/gone.png", 1, sha256)])


def test_files_never_go_into_a_directory_that_holds_something(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("keep")

    with pytest.raises(jsonl.ExportFileError, match="not an empty directory"):
        bundle.BundleWriter(tmp_path).__enter__()

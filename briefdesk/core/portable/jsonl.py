"""The export file: one JSON object per line, checked line by line and as a whole.

    with ExportWriter(Path("site.jsonl"), header) as out:   # header: format, version, counts
        out.write({"model": "briefs.briefpage", "pk": 7, "fields": {...}})
    contents = verify_export(Path("site.jsonl"))             # every line, before any write
    for line_no, record in read_records(Path("site.jsonl")):  # the same checks again
        ...

Layout (docs/export.md):

    line 1      {"crc32": "…", "format": "briefdesk-jsonl", "version": 1, "counts": {…}, …}
    lines 2..n  {"crc32": "…", "model": "app.model", "pk": …, "fields": {…}}
                {"crc32": "…", "file": "app.model.field", "name": …, "size": …, "sha256": …}
    last line   {"crc32": "…", "end": "briefdesk-jsonl", "lines": n - 1, "sha256": "…"}

Every line starts with the CRC-32 of the rest of its object as written (the line with
`"crc32":"…",` taken out), so a changed byte is found on its own line; the trailer counts the
records and carries the SHA-256 of every byte before it, so a lost, added or swapped line is
found too, and a file without a trailer was cut short. The header's per-model counts are
checked against the records. Nothing here knows about models or the database: records are
plain JSON objects, written in the order given (the exporter gives a stable order).

Caveats: the CRC is for accidents (a truncated copy, a flipped byte), not for tampering; a
deliberate edit that recomputes the CRCs and the SHA-256 is read as a valid file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

FORMAT = "briefdesk-jsonl"
FORMAT_VERSION = 1
_CRC_PREFIX = re.compile(rb'^\{"crc32":"([0-9a-f]{8})",')


class ExportFileError(Exception):
    """The file cannot be imported; the message is one line naming the file and, where there
    is one, the line that broke."""


def _default(value: Any) -> Any:
    # Full precision: DjangoJSONEncoder would cut datetimes to milliseconds.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def encode_line(obj: Mapping[str, Any]) -> bytes:
    """One line (with its newline) for `obj`, prefixed with the CRC-32 of the rest."""
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_default)
    if not body.startswith("{") or body == "{}":
        raise ValueError("a line holds a non-empty JSON object")
    data = body.encode("utf-8")
    crc = zlib.crc32(data)
    return b'{"crc32":"%08x",' % crc + data[1:] + b"\n"


def decode_line(raw: bytes, line_no: int, where: str) -> dict[str, Any]:
    """The object on a line, after checking its CRC; ExportFileError naming the line if not."""
    if not raw.endswith(b"\n"):
        raise ExportFileError(
            f"{where} line {line_no}: the file ends in the middle of this line (cut short)"
        )
    data = raw[:-1]
    match = _CRC_PREFIX.match(data)
    if match is None:
        raise ExportFileError(f"{where} line {line_no}: not a line of a briefdesk export")
    body = b"{" + data[match.end() :]
    if f"{zlib.crc32(body):08x}".encode() != match.group(1):
        raise ExportFileError(
            f"{where} line {line_no}: the line is corrupted (its checksum does not match)"
        )
    try:
        obj = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportFileError(f"{where} line {line_no}: not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise ExportFileError(f"{where} line {line_no}: not a JSON object")
    return obj


class ExportWriter:
    """Writes an export to `path` atomically: records go to a spool file next to it, and the
    header (with the counts, known only at the end), the records and the trailer are written
    to PATH.partial, which is renamed to PATH when complete. An interrupted export leaves no
    file that looks like one. The header's "counts" (per "model") and "files" are filled in.
    """

    def __init__(self, path: Path, header: Mapping[str, Any]) -> None:
        self.path = path
        self.header = dict(header)
        self.counts: Counter[str] = Counter()
        self.files = 0
        self._spool: IO[bytes] | None = None

    def __enter__(self) -> ExportWriter:
        self._spool = tempfile.TemporaryFile(dir=self.path.parent)
        return self

    def write(self, record: Mapping[str, Any]) -> None:
        assert self._spool is not None, "use ExportWriter as a context manager"
        if "model" in record:
            self.counts[str(record["model"])] += 1
        elif "file" in record:
            self.files += 1
        else:
            raise ValueError("a record names a model or a file")
        self._spool.write(encode_line(record))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        spool, self._spool = self._spool, None
        assert spool is not None
        try:
            if kind is None:
                self._finish(spool)
        finally:
            spool.close()

    def _finish(self, spool: IO[bytes]) -> None:
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            **self.header,
            "counts": dict(sorted(self.counts.items())),
            "files": self.files,
        }
        partial = self.path.with_name(self.path.name + ".partial")
        digest = hashlib.sha256()
        # Private to its owner: the file holds drafts, users' emails and private pages.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            first = encode_line(header)
            digest.update(first)
            out.write(first)
            spool.seek(0)
            while chunk := spool.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
            lines = sum(self.counts.values()) + self.files
            out.write(encode_line({"end": FORMAT, "lines": lines, "sha256": digest.hexdigest()}))
            out.flush()
            os.fsync(out.fileno())
        partial.replace(self.path)


@dataclass(frozen=True)
class ExportContents:
    """What a verified export holds: its header and how many lines of each kind."""

    header: dict[str, Any]
    records: int  # model records
    files: tuple[dict[str, Any], ...]  # the file records, in order
    lines: int  # every line of the file, header and trailer included


def _scan(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with path.open("rb") as stream:
            yield from enumerate(stream, start=1)
    except OSError as exc:
        raise ExportFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _check_header(header: dict[str, Any], where: str) -> None:
    if header.get("format") != FORMAT:
        raise ExportFileError(f"{where} line 1: not a briefdesk export (no {FORMAT} header)")
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ExportFileError(
            f"{where} line 1: format version {version!r} is newer than this briefdesk reads "
            f"({FORMAT_VERSION}): upgrade briefdesk"
        )
    if not isinstance(header.get("counts"), dict) or not isinstance(header.get("files"), int):
        raise ExportFileError(f"{where} line 1: the header has no counts")


def _check_record(obj: dict[str, Any], line_no: int, where: str) -> str:
    if "model" in obj:
        if not isinstance(obj["model"], str) or not isinstance(obj.get("fields"), dict):
            raise ExportFileError(f"{where} line {line_no}: a record without a model or fields")
        if "pk" not in obj:
            raise ExportFileError(f"{where} line {line_no}: a record without a primary key")
        return "model"
    if "file" in obj:
        if not all(isinstance(obj.get(k), str) for k in ("file", "name", "sha256")) or not (
            isinstance(obj.get("size"), int)
        ):
            raise ExportFileError(f"{where} line {line_no}: a file record without its fields")
        return "file"
    raise ExportFileError(f"{where} line {line_no}: neither a record nor a file")


def verify_export(path: Path) -> ExportContents:
    """Read the whole file and check every line, the counts and the checksum; nothing is kept
    but the header and the file records. ExportFileError (one line, with the line number
    where the file broke) on the first problem."""
    where = str(path)
    digest = hashlib.sha256()
    header: dict[str, Any] | None = None
    counts: Counter[str] = Counter()
    files: list[dict[str, Any]] = []
    trailer: dict[str, Any] | None = None
    last = 0
    for line_no, raw in _scan(path):
        last = line_no
        if trailer is not None:
            raise ExportFileError(f"{where} line {line_no}: a line after the trailer")
        obj = decode_line(raw, line_no, where)
        if header is None:
            _check_header(obj, where)
            header = obj
        elif "end" in obj:
            trailer = obj
            continue  # the checksum covers the lines before the trailer
        elif _check_record(obj, line_no, where) == "model":
            counts[obj["model"]] += 1
        else:
            files.append(obj)
        digest.update(raw)
    if header is None:
        raise ExportFileError(f"{where}: the file is empty")
    if trailer is None:
        raise ExportFileError(
            f"{where} line {last}: the file ends after this line without its trailer (cut short)"
        )
    records = sum(counts.values())
    if trailer.get("lines") != records + len(files):
        raise ExportFileError(
            f"{where} line {last}: the trailer counts {trailer.get('lines')} records, the file "
            f"has {records + len(files)} (lines lost or added)"
        )
    if trailer.get("sha256") != digest.hexdigest():
        raise ExportFileError(
            f"{where} line {last}: the file's checksum does not match its trailer (lines "
            "changed, lost or reordered)"
        )
    expected = {str(k): v for k, v in header["counts"].items()}
    if dict(counts) != {k: v for k, v in expected.items() if v}:
        for model in sorted(set(expected) | set(counts)):
            if expected.get(model, 0) != counts.get(model, 0):
                raise ExportFileError(
                    f"{where} line 1: the header counts {expected.get(model, 0)} {model} "
                    f"records, the file has {counts.get(model, 0)}"
                )
    if header["files"] != len(files):
        raise ExportFileError(
            f"{where} line 1: the header counts {header['files']} files, the file lists "
            f"{len(files)}"
        )
    return ExportContents(header, records, tuple(files), last)


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of every model record, in file order, each line checked again
    (call verify_export first: this does not check the trailer until the end)."""
    where = str(path)
    for line_no, raw in _scan(path):
        if line_no == 1:
            continue
        obj = decode_line(raw, line_no, where)
        if "model" in obj:
            yield line_no, obj

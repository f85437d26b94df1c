"""A source's snapshots as one WACZ 1.1.1 file, which ReplayWeb.page opens as it is.

    data = build_wacz([WaczCapture("snapshot-7.warc.gz", warc_bytes, url, title, when)],
                      title="Source 12", software="briefdesk 0.1.0")

The zip holds `archive/<name>.warc.gz` (each WARC as written), `indexes/index.cdx` (a sorted
CDXJ index of every response and metadata record, made by cdxj-indexer), `pages/pages.jsonl`
(one page per capture, at the URL answered, with its title and capture time),
`datapackage.json` (every file's sha256 and size) and `datapackage-digest.json` (the sha256 of
datapackage.json). Every entry is stored uncompressed: a replay reads the WARCs by byte range.

Written here rather than with the `wacz` package, whose `create` reads its options from an
argparse namespace, writes to a named output file and re-parses every WARC to find pages: the
pages are already known, and this module never touches the file system beyond a temporary
directory for cdxj-indexer. ORM-free: bytes in, bytes out.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

WACZ_VERSION = "1.1.1"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.warc\.gz$")


@dataclass(frozen=True)
class WaczCapture:
    """One capture to package: its WARC's file name (`*.warc.gz`, unique in the package) and
    bytes, the page URL it answers for (the URL in its response record), title and time."""

    filename: str
    warc: bytes
    url: str
    title: str
    captured_at: datetime


def build_wacz(
    captures: Sequence[WaczCapture],
    *,
    title: str,
    software: str,
    description: str = "",
    created: datetime | None = None,
) -> bytes:
    """The WACZ (zip bytes) of `captures` (at least one), oldest page first.

    Raises ValueError for no captures, a file name that is not `name.warc.gz` or a repeated one.
    """
    if not captures:
        raise ValueError("a WACZ needs at least one capture")
    names = [capture.filename for capture in captures]
    if len(set(names)) != len(names) or not all(_SAFE_NAME.match(name) for name in names):
        raise ValueError(f"WARC file names must be unique *.warc.gz names: {names}")
    ordered = sorted(captures, key=lambda capture: capture.captured_at)
    created_at = _iso(created or datetime.now(UTC))

    files: list[tuple[str, bytes]] = [(f"archive/{c.filename}", c.warc) for c in ordered]
    files.append(("indexes/index.cdx", _cdxj(ordered)))
    files.append(("pages/pages.jsonl", _pages(ordered)))

    package = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "description": description,
        "created": created_at,
        "modified": created_at,
        "software": software,
        "mainPageUrl": ordered[-1].url,
        "mainPageDate": _iso(ordered[-1].captured_at),
        "resources": [
            {
                "name": Path(path).name,
                "path": path,
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "bytes": len(data),
            }
            for path, data in files
        ],
    }
    package_bytes = json.dumps(package, indent=2).encode()
    digest = {
        "path": "datapackage.json",
        "hash": f"sha256:{hashlib.sha256(package_bytes).hexdigest()}",
    }
    files.append(("datapackage.json", package_bytes))
    files.append(("datapackage-digest.json", json.dumps(digest, indent=2).encode()))

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for path, data in files:
            info = zipfile.ZipInfo(path, date_time=_zip_time(created or datetime.now(UTC)))
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
    return out.getvalue()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return (max(utc.year, 1980), utc.month, utc.day, utc.hour, utc.minute, utc.second)


def _cdxj(captures: Sequence[WaczCapture]) -> bytes:
    """A sorted CDXJ index of the WARCs, each line naming its WARC by file name (which is
    how a replay finds `archive/<filename>`)."""
    with tempfile.TemporaryDirectory(prefix="briefdesk-wacz-") as folder:
        paths = []
        for capture in captures:
            path = Path(folder) / capture.filename
            path.write_bytes(capture.warc)
            paths.append(str(path))
        output = io.StringIO()
        # post_append joins each request to its response (the index records the method);
        # records: the page and its metadata, as the wacz package indexes them.
        indexer = CDXJIndexer(
            output, paths, sort=True, post_append=True, records="response,revisit,metadata"
        )
        indexer.process_all()
    return output.getvalue().encode()


def _pages(captures: Sequence[WaczCapture]) -> bytes:
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}]
    for capture in captures:
        lines.append(
            {
                "id": hashlib.sha256(capture.filename.encode()).hexdigest()[:32],
                "url": capture.url,
                "ts": _iso(capture.captured_at),
                "title": capture.title or capture.url,
            }
        )
    return "".join(json.dumps(line) + "\n" for line in lines).encode()

"""The bake's record of what it wrote, kept in OUTDIR/.briefdesk-bake.json. No ORM.

    manifest = open_outdir(outdir)          # BakeError with a one-line reason if unusable
    manifest.outputs["/briefs/x/"]          # Output(file, sha256, page_id, links, ...)
    save_manifest(outdir, manifest)         # last, after every file is in place

Each output is keyed by the URL the bake requested and records the file it wrote and a
SHA-256 of the bytes: a file whose new bytes hash the same is not written again, so a server
or CDN syncing OUTDIR sees only real changes. `baked_at` (when the last bake started) and
`fingerprint` (what a change would leave no timestamp for) decide what a re-run renders.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = ".briefdesk-bake.json"
FORMAT = 1


class BakeError(Exception):
    """A one-line reason the bake cannot run (bad OUTDIR, failed render, Pagefind failed)."""


@dataclass
class Output:
    file: str
    sha256: str
    page_id: int | None = None
    kind: str = "other"
    sort_key: str = ""
    links: list[str] = field(default_factory=list)  # the baked URLs an HTML page links to
    shard: int | None = None  # a searchable page's search index shard (bake/search.py)
    ms: int = 0  # milliseconds it took to render: the next bake starts the slowest first
    search: str = ""  # a searchable page's render.search_digest


@dataclass
class Manifest:
    fingerprint: str = ""
    baked_at: str = ""  # ISO 8601, when the bake that wrote it started
    outputs: dict[str, Output] = field(default_factory=dict)
    static: dict[str, str] = field(default_factory=dict)  # static file -> size:mtime
    shards: int = 0  # search index shards


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_outdir(outdir: Path) -> Manifest:
    """The manifest of a previous bake in `outdir`, an empty one for a new or empty
    directory (created here). Raises BakeError when `outdir` is a file, cannot be written,
    or holds anything but a previous bake."""
    if outdir.exists() and not outdir.is_dir():
        raise BakeError(f"{outdir} is a file, not a directory")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BakeError(f"cannot create {outdir}: {exc.strerror}") from exc
    try:  # a real write: permissions, a read-only mount, a full disk
        with tempfile.TemporaryFile(dir=outdir, prefix=".bake-probe-"):
            pass
    except OSError as exc:
        raise BakeError(f"{outdir} is not writable: {exc.strerror}") from exc
    path = outdir / MANIFEST_NAME
    if not path.exists():
        if any(outdir.iterdir()):
            raise BakeError(f"{outdir} is not empty and holds no previous bake ({MANIFEST_NAME})")
        return Manifest()
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("unknown format")
        outputs = {url: Output(**fields) for url, fields in data["outputs"].items()}
        return Manifest(
            data["fingerprint"],
            data["baked_at"],
            outputs,
            data.get("static", {}),
            data.get("shards", 0),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BakeError(f"{path} is not a readable bake manifest ({exc})") from exc


def save_manifest(outdir: Path, manifest: Manifest) -> None:
    data = {
        "format": FORMAT,
        "fingerprint": manifest.fingerprint,
        "baked_at": manifest.baked_at,
        "static": manifest.static,
        "shards": manifest.shards,
        "outputs": {url: _compact(output) for url, output in manifest.outputs.items()},
    }
    write_file(outdir, MANIFEST_NAME, json.dumps(data, separators=(",", ":")).encode())


def _compact(output: Output) -> dict[str, Any]:
    """An output without its default values (the manifest of a large site is read and
    written on every bake)."""
    data: dict[str, Any] = {"file": output.file, "sha256": output.sha256}
    for name, default in _DEFAULTS.items():
        value = getattr(output, name)
        if value != default:
            data[name] = value
    return data


_DEFAULTS: dict[str, Any] = {
    "page_id": None,
    "kind": "other",
    "sort_key": "",
    "links": [],
    "shard": None,
    "ms": 0,
    "search": "",
}


def write_file(outdir: Path, relative: str, data: bytes) -> None:
    """Write atomically (a temporary file renamed into place): a reader or a sync never sees
    half a file."""
    target = outdir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".bake-")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_file(outdir: Path, relative: str) -> None:
    """Remove a file the bake wrote, and the directories it leaves empty."""
    target = outdir / relative
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != outdir and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent

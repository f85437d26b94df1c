"""The files beside an export (`--with-files`): a directory or a tar archive of stored files.

    with BundleWriter(Path("files.tar")) as bundle:          # or a new/empty directory
        size, sha256 = bundle.add("sources.snapshot.warc/snapshots/1.warc.gz", stream)
    check_bundle(Path("files.tar"), members)                 # every size and sha256 first
    with open_bundle(Path("files.tar")) as bundle:
        with bundle.open("sources.snapshot.warc/snapshots/1.warc.gz") as stream: ...

A member's name is "<app>.<model>.<field>/<the file's name in its storage>"; the export file
lists every member with its size and SHA-256, and the import checks them all before it
writes anything. A tar is written as NAME.partial and renamed when complete; a directory must
be new or empty; files are 0600 and directories 0700 (they hold private documents). Names that
would leave the bundle ("..", absolute) are refused on both sides. No models here: the
exporter reads the storages and hands over streams.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO

from .jsonl import ExportFileError

_CHUNK = 1024 * 1024
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")


def is_tar(path: Path) -> bool:
    return path.name.endswith(TAR_SUFFIXES)


def safe_member(name: str) -> str:
    """`name` if it stays inside a bundle; ExportFileError if not."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name:
        raise ExportFileError(f"file name {name!r} would leave the files directory")
    return str(path)


def member_name(key: str, name: str) -> str:
    return safe_member(f"{key}/{name}")


def _copy(stream: IO[bytes], out: IO[bytes] | None) -> tuple[int, str]:
    """Copy (or, with no `out`, only read) `stream`; its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return size, digest.hexdigest()


class BundleWriter:
    """Adds files to a new directory or tar archive (see the module docstring)."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self._tar: tarfile.TarFile | None = None
        self._partial = dest.with_name(dest.name + ".partial")

    def __enter__(self) -> BundleWriter:
        if is_tar(self.dest):
            if self.dest.exists():
                raise ExportFileError(f"{self.dest} exists: give a new file name for the files")
            partial = self._partial
            # Private to its owner, like the export: made 0600 before tarfile writes to it.
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
            gzip = self.dest.name.endswith("gz")
            self._tar = tarfile.open(partial, "w:gz") if gzip else tarfile.open(partial, "w")
        elif self.dest.exists() and (not self.dest.is_dir() or any(self.dest.iterdir())):
            raise ExportFileError(f"{self.dest} exists and is not an empty directory")
        else:
            self.dest.mkdir(mode=0o700, parents=False, exist_ok=True)
        return self

    def add(self, member: str, stream: IO[bytes]) -> tuple[int, str]:
        """Copy `stream` in as `member`; returns its size and SHA-256."""
        member = safe_member(member)
        if self._tar is None:
            target = self.dest / member
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                return _copy(stream, out)
        # A tar header needs the size first: spool the file (on disk when it is large).
        with _spooled() as spool:
            size, sha256 = _copy(stream, spool)
            spool.seek(0)
            info = tarfile.TarInfo(member)
            info.size = size
            info.mode = 0o600
            self._tar.addfile(info, spool)
        return size, sha256

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tar is None:
            return
        self._tar.close()
        if kind is None:
            self._partial.replace(self.dest)
        else:
            self._partial.unlink(missing_ok=True)


@contextmanager
def _spooled() -> Iterator[IO[bytes]]:
    import tempfile

    with tempfile.SpooledTemporaryFile(max_size=16 * _CHUNK) as spool:
        yield spool


class Bundle:
    """Read access to a directory or tar made by BundleWriter."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self._tar: tarfile.TarFile | None = None
        if is_tar(src) or (src.is_file() and tarfile.is_tarfile(src)):
            try:
                self._tar = tarfile.open(src, "r:*")  # noqa: SIM115 (closed by close())
            except (tarfile.TarError, OSError) as exc:
                raise ExportFileError(f"{src}: not a readable tar archive ({exc})") from None
        elif not src.is_dir():
            raise ExportFileError(f"{src}: no such directory or tar archive of files")

    @contextmanager
    def open(self, member: str) -> Iterator[IO[bytes]]:
        member = safe_member(member)
        if self._tar is None:
            path = self.src / member
            if not path.is_file():
                raise ExportFileError(f"{self.src}: {member} is missing")
            with path.open("rb") as stream:
                yield stream
            return
        try:
            extracted = self._tar.extractfile(member)
        except KeyError:
            extracted = None
        if extracted is None:
            raise ExportFileError(f"{self.src}: {member} is missing")
        with extracted:
            yield extracted

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()


@contextmanager
def open_bundle(src: Path) -> Iterator[Bundle]:
    bundle = Bundle(src)
    try:
        yield bundle
    finally:
        bundle.close()


def check_bundle(src: Path, members: Iterable[tuple[str, int, str]]) -> int:
    """Check that every (member, size, sha256) is in the bundle as listed; returns how many.
    ExportFileError naming the first member that is missing or differs."""
    count = 0
    try:
        with open_bundle(src) as bundle:
            for member, size, sha256 in members:
                with bundle.open(member) as stream:
                    got_size, got_sha256 = _copy(stream, None)
                if (got_size, got_sha256) != (size, sha256):
                    raise ExportFileError(
                        f"{src}: {member} differs from the export ({got_size} bytes, expected "
                        f"{size}; checksum {'matches' if got_sha256 == sha256 else 'differs'})"
                    )
                count += 1
    except (OSError, tarfile.TarError) as exc:
        raise ExportFileError(f"{src}: cannot read the files ({exc})") from None
    return count


def remove_partial(dest: Path) -> None:
    """Remove what a failed BundleWriter left (a directory it made, or the .partial tar)."""
    if is_tar(dest):
        dest.with_name(dest.name + ".partial").unlink(missing_ok=True)
    elif dest.is_dir():
        shutil.rmtree(dest, ignore_errors=True)

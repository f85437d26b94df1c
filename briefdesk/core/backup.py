"""Backups of a briefdesk site, and restoring one into an empty database and data directory.

    summary = make_backup(Path("/var/backups/briefdesk/2026-11-30"), connection, roots, ...)
    manifest = read_backup(directory)              # every checksum, before anything is touched
    check_target(manifest, connection, roots, known_migrations)   # empty, same engine, not newer
    summary = restore_backup(directory, manifest, connection, roots)

A backup is a directory (0700, every file 0600: it holds password hashes and private drafts):

    manifest.json          format, briefdesk version, time (UTC), engine and server version,
                           applied migrations, base URL, and path/size/sha256 of every file
    database.pgdump        PostgreSQL: pg_dump --format=custom --no-owner --no-privileges
    database.sqlite3       SQLite: a copy made with SQLite's online backup API
    media/...              MEDIA_ROOT as it was (images, renditions, documents)
    private/...            BRIEFDESK_PRIVATE_ROOT (cached brief PDFs, source snapshots)

It is written to DIR.partial and renamed to DIR when complete, so an interrupted backup never
looks like one. Restoring is all or nothing as far as it can be: the manifest and every checksum
are verified first, the target database and file roots must be empty, the files are copied,
then the database is loaded in one transaction; if loading fails, the copied files are removed.

Caveats: the database is dumped before the files are copied, so a file deleted by the running
site in between is missing from the backup (a cached PDF is then made again on request). The
PostgreSQL password never appears on a command line: pg_dump and pg_restore read it from a
temporary 0600 passfile (PGPASSFILE). Nothing here reads models; the database is reached through
its connection (raw SQL, introspection, the DB-API connection).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .backup_errors import BackupError
from .pg_tools import run_pg_dump, run_pg_restore

FORMAT = "briefdesk-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PARTIAL_SUFFIX = ".partial"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# File roots by their name in a backup; the restore command maps each to its setting.
ROOT_NAMES = ("media", "private")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileEntry:
    path: str  # POSIX, relative to the backup directory
    size: int
    sha256: str


@dataclass(frozen=True)
class DatabaseInfo:
    engine: str  # "postgresql" or "sqlite"
    server_version: str  # "15.18"; SQLite: the library's version
    dump_tool: str  # "pg_dump 15.18"; SQLite: "sqlite3 backup API"


@dataclass(frozen=True)
class Manifest:
    briefdesk_version: str
    created: str  # ISO 8601, UTC
    database: DatabaseInfo
    migrations: tuple[tuple[str, str], ...]
    base_url: str
    files: tuple[FileEntry, ...]
    format_version: int = FORMAT_VERSION

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.database.engine]

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "format_version": self.format_version,
            "briefdesk_version": self.briefdesk_version,
            "created": self.created,
            "database": {
                "engine": self.database.engine,
                "server_version": self.database.server_version,
                "dump_tool": self.database.dump_tool,
                "file": self.database_file,
            },
            "migrations": [list(m) for m in self.migrations],
            "base_url": self.base_url,
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }
        return _json_one_item_a_line(data)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; BackupError (one line) for anything malformed or unknown."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise BackupError(f"{MANIFEST} is not valid JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{MANIFEST} is not a briefdesk backup manifest")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{MANIFEST} has format version {data.get('format_version')!r}; this briefdesk "
                f"reads version {FORMAT_VERSION} (a newer briefdesk made it?)"
            )
        try:
            db = data["database"]
            manifest = cls(
                briefdesk_version=str(data["briefdesk_version"]),
                created=str(data["created"]),
                database=DatabaseInfo(
                    engine=str(db["engine"]),
                    server_version=str(db["server_version"]),
                    dump_tool=str(db["dump_tool"]),
                ),
                migrations=tuple((str(app), str(name)) for app, name in data["migrations"]),
                base_url=str(data["base_url"]),
                files=tuple(
                    FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"]))
                    for f in data["files"]
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"{MANIFEST} is incomplete or malformed ({exc!r})") from None
        if manifest.database.engine not in DATABASE_FILES:
            raise BackupError(f"{MANIFEST} names an unknown database engine {db['engine']!r}")
        for entry in manifest.files:
            _check_backup_path(entry.path, manifest.database_file)
        if manifest.database_file not in {f.path for f in manifest.files}:
            raise BackupError(f"{MANIFEST} lists no {manifest.database_file}")
        return manifest


def _json_one_item_a_line(data: Mapping[str, Any]) -> str:
    """JSON with each top-level key, and each item of a top-level list, on a line of its own:
    readable, and a diff of two manifests shows the files that differ."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in value)
            parts.append(f" {json.dumps(key)}: [\n  {items}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class BackupSummary:
    directory: Path
    engine: str
    server_version: str
    database_bytes: int
    files_by_root: dict[str, int]
    file_bytes: int
    seconds: float

    def line(self) -> str:
        files = sum(self.files_by_root.values())
        roots = ", ".join(f"{name} {n}" for name, n in self.files_by_root.items())
        return (
            f"Backed up the {ENGINE_NAMES[self.engine]} {self.server_version} database "
            f"({human_size(self.database_bytes)}) and {_count(files, 'file')} "
            f"({human_size(self.file_bytes)}: {roots}) to {self.directory} "
            f"in {self.seconds:.1f} s."
        )


@dataclass(frozen=True)
class RestoreSummary:
    directory: Path
    engine: str
    created: str
    briefdesk_version: str
    database_bytes: int
    files: int
    file_bytes: int
    seconds: float

    def line(self) -> str:
        return (
            f"Restored the backup of {self.created} (briefdesk {self.briefdesk_version}): the "
            f"{ENGINE_NAMES[self.engine]} database ({human_size(self.database_bytes)}) and "
            f"{_count(self.files, 'file')} ({human_size(self.file_bytes)}) from {self.directory} "
            f"in {self.seconds:.1f} s."
        )


def human_size(size: int) -> str:
    """1536 -> '1.5 KB' (powers of 1024, one decimal from KB up)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# --- files and checksums ---------------------------------------------------------------------


def sha256_file(path: Path) -> tuple[int, str]:
    """(size, hex sha256) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _check_backup_path(path: str, database_file: str) -> None:
    parts = PurePosixPath(path).parts
    if path == database_file:
        return
    if (
        len(parts) < 2
        or parts[0] not in ROOT_NAMES
        or PurePosixPath(path).is_absolute()
        or any(part in {"", ".", ".."} for part in parts)
        or "\\" in path
    ):
        raise BackupError(f"{MANIFEST} lists a file outside the backup's roots: {path!r}")


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)  # whatever the umask


def _private_file(path: Path) -> Any:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def walk_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every regular file under `root` as (absolute path, POSIX path relative to root), in a
    stable order. Symbolic links are not followed (a link out of the root is not backed up)."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


def _copy_hashing(source: Path, handle: Any) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src:
        while chunk := src.read(_CHUNK):
            handle.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    handle.flush()
    os.fsync(handle.fileno())
    return size, digest.hexdigest()


def _backup_root(root: Path, name: str, directory: Path) -> list[FileEntry]:
    entries = []
    for source, relative in walk_files(root):
        target = directory / name / relative
        for parent in reversed(target.relative_to(directory).parents[:-1]):
            _private_dir(directory / parent)
        try:
            with _private_file(target) as handle:
                size, digest = _copy_hashing(source, handle)
        except FileNotFoundError:
            target.unlink(missing_ok=True)  # deleted by the running site since it was listed
            continue
        entries.append(FileEntry(f"{name}/{relative}", size, digest))
    return entries


def root_is_empty(root: Path) -> bool:
    """Whether a file root holds no files (empty directories do not count)."""
    return next(walk_files(root), None) is None


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_dump(source: sqlite3.Connection, target: Path) -> None:
    """Copy the open database with SQLite's online backup API (consistent while the site
    writes, WAL included) into a self-contained file (rollback journal, no -wal beside it)."""
    _private_file(target).close()
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
    finally:
        copy.close()
    target.chmod(0o600)
    if result != "ok":
        raise BackupError(f"the SQLite copy failed its integrity check: {result}")


def _sqlite_restore(dump: Path, target: sqlite3.Connection) -> None:
    source = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()
    (result,) = target.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise BackupError(f"the restored SQLite database failed its integrity check: {result}")


# --- the site's database, through its connection ---------------------------------------------


def engine_of(connection: Any) -> str:
    """ "postgresql" or "sqlite" for a Django connection; BackupError for any other."""
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"briefdesk backs up PostgreSQL and SQLite, not {vendor}")
    return str(vendor)


def server_version(connection: Any) -> tuple[int, str]:
    """(major, "major.minor") of the database server (SQLite: the library)."""
    if engine_of(connection) == "sqlite":
        return sqlite3.sqlite_version_info[0], sqlite3.sqlite_version
    number = int(connection.pg_version)  # e.g. 150018
    return number // 10000, f"{number // 10000}.{number % 10000}"


def applied_migrations(connection: Any) -> list[tuple[str, str]]:
    """The (app, name) pairs in django_migrations, sorted."""
    if "django_migrations" not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [(str(app), str(name)) for app, name in cursor.fetchall()]


def migrations_on_disk() -> set[tuple[str, str]]:
    """Every migration this code has, applied or not."""
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# --- backup -----------------------------------------------------------------------------------


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_backup_target(directory: Path) -> None:
    """A backup goes into a new or empty directory whose parent exists; BackupError if not."""
    partial = directory.with_name(directory.name + PARTIAL_SUFFIX)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} exists and is not an empty directory: give a new one")
    if not directory.parent.is_dir():
        raise BackupError(f"{directory.parent} does not exist: create it first (mode 0700)")
    if partial.exists():
        raise BackupError(f"{partial} exists (an interrupted backup?): remove it first")


def make_backup(
    directory: Path,
    connection: Any,
    roots: Mapping[str, Path],
    *,
    briefdesk_version: str,
    base_url: str,
) -> BackupSummary:
    """Back up the database behind `connection` and the file `roots` ({"media": path, ...})
    into `directory` (see the module docstring). Raises BackupError, leaving no `directory`
    (and no DIR.partial) behind."""
    started = time.monotonic()
    directory = directory.absolute()
    check_backup_target(directory)
    engine = engine_of(connection)
    major, version = server_version(connection)
    partial = directory.with_name(directory.name + PARTIAL_SUFFIX)
    _private_dir(partial)
    try:
        migrations = applied_migrations(connection)
        database_path = partial / DATABASE_FILES[engine]
        if engine == "sqlite":
            connection.ensure_connection()
            _sqlite_dump(connection.connection, database_path)
            dump_tool = f"sqlite3 backup API (SQLite {sqlite3.sqlite_version})"
        else:
            with _private_file(database_path) as handle:
                dump_tool = run_pg_dump(connection.settings_dict, major, handle)
                handle.flush()
                os.fsync(handle.fileno())
        size, digest = sha256_file(database_path)
        entries = [FileEntry(database_path.name, size, digest)]
        counts = {}
        for name in ROOT_NAMES:
            found = _backup_root(Path(roots[name]), name, partial)
            counts[name] = len(found)
            entries += found
        manifest = Manifest(
            briefdesk_version=briefdesk_version,
            created=_utc_now(),
            database=DatabaseInfo(engine, version, dump_tool),
            migrations=tuple(migrations),
            base_url=base_url,
            files=tuple(entries),
        )
        with _private_file(partial / MANIFEST) as handle:
            handle.write(manifest.to_json().encode())
            handle.flush()
            os.fsync(handle.fileno())
        if directory.exists():
            directory.rmdir()  # empty (checked); rename cannot replace it on every system
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupSummary(
        directory=directory,
        engine=engine,
        server_version=version,
        database_bytes=size,
        files_by_root=counts,
        file_bytes=sum(e.size for e in entries[1:]),
        seconds=time.monotonic() - started,
    )


# --- restore ----------------------------------------------------------------------------------


def read_backup(directory: Path) -> Manifest:
    """The backup's manifest, once every file it lists is there with its size and checksum.
    Raises BackupError naming the first file that is missing, truncated or changed."""
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory")
    try:
        text = (directory / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BackupError(
            f"{directory} has no {MANIFEST}: not a briefdesk backup, or an unfinished one"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"cannot read {directory / MANIFEST}: {exc}") from None
    manifest = Manifest.from_json(text)
    for entry in manifest.files:
        path = directory / entry.path
        try:
            size, digest = sha256_file(path)
        except FileNotFoundError:
            raise BackupError(f"{entry.path} is missing from the backup") from None
        except OSError as exc:
            raise BackupError(f"cannot read {entry.path} in the backup: {exc}") from None
        if size != entry.size:
            raise BackupError(
                f"{entry.path} is {size} bytes, the manifest says {entry.size}: "
                "the backup is damaged"
            )
        if digest != entry.sha256:
            raise BackupError(f"{entry.path} does not match its checksum: the backup is damaged")
    return manifest


def check_target(
    manifest: Manifest,
    connection: Any,
    roots: Mapping[str, Path],
    known_migrations: set[tuple[str, str]],
) -> None:
    """Refuse (BackupError) a restore into another engine, of a backup from a newer
    briefdesk, or into a database or file root that is not empty."""
    engine = engine_of(connection)
    if manifest.database.engine != engine:
        if manifest.database.engine == "sqlite":
            raise BackupError(
                "this is a SQLite backup: restore a SQLite backup with a SQLite DATABASE_URL "
                "(sqlite:////ABSOLUTE/PATH)"
            )
        raise BackupError("this is a PostgreSQL backup: restore it with a postgres:// DATABASE_URL")
    unknown = sorted(set(manifest.migrations) - known_migrations)
    if unknown:
        more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
        raise BackupError(
            f"this backup was made by a newer briefdesk ({manifest.briefdesk_version}): "
            f"migration {unknown[0][0]}.{unknown[0][1]}{more} unknown here; install briefdesk "
            f"{manifest.briefdesk_version} or newer to restore it"
        )
    if engine == "postgresql":
        major, version = server_version(connection)
        backup_major = int(manifest.database.server_version.split(".")[0])
        if major < backup_major:
            raise BackupError(
                f"this backup is from PostgreSQL {manifest.database.server_version} and the "
                f"server is PostgreSQL {version}: restore onto PostgreSQL {backup_major} or newer"
            )
    if not database_is_empty(connection):
        raise BackupError(
            f"the database {connection.settings_dict.get('NAME')} is not empty: restore into a "
            "new, empty database (see docs/operating.md)"
        )
    check_roots_empty(roots)


def check_roots_empty(roots: Mapping[str, Path]) -> None:
    """Refuse (BackupError) file roots that hold any file: a restore never mixes two sites'
    files, nor overwrites one."""
    for name in ROOT_NAMES:
        if not root_is_empty(Path(roots[name])):
            raise BackupError(
                f"{roots[name]} ({name} files) is not empty: restore into an empty data directory"
            )


def database_is_empty(connection: Any) -> bool:
    """No tables at all (SQLite: the file is missing, empty or has no tables)."""
    if engine_of(connection) == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if not name.startswith("file:") and not Path(name).exists():
            return True
    return not connection.introspection.table_names()


def _restore_files(
    directory: Path, manifest: Manifest, roots: Mapping[str, Path], written: list[Path]
) -> None:
    from django.conf import settings

    file_mode = getattr(settings, "FILE_UPLOAD_PERMISSIONS", None)
    dir_mode = getattr(settings, "FILE_UPLOAD_DIRECTORY_PERMISSIONS", None)
    for entry in manifest.files:
        if entry.path == manifest.database_file:
            continue
        name, relative = entry.path.split("/", 1)
        target = Path(roots[name]) / relative
        for parent in reversed(target.relative_to(roots[name]).parents[:-1]):
            folder = Path(roots[name]) / parent
            if not folder.is_dir():
                folder.mkdir(parents=True)
                if dir_mode is not None:
                    folder.chmod(dir_mode)
        with target.open("xb") as handle:
            written.append(target)
            _copy_hashing(directory / entry.path, handle)
        if file_mode is not None:
            target.chmod(file_mode)


def restore_backup(
    directory: Path, manifest: Manifest, connection: Any, roots: Mapping[str, Path]
) -> RestoreSummary:
    """Copy the files into the (empty) roots, then load the database; on any failure remove
    the copied files again. Call read_backup and check_target first. Does not migrate."""
    started = time.monotonic()
    engine = engine_of(connection)
    dump = directory / manifest.database_file
    for root in roots.values():
        Path(root).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        _restore_files(directory, manifest, roots, written)
        if engine == "sqlite":
            name = str(connection.settings_dict["NAME"])
            if not name.startswith("file:"):
                Path(name).parent.mkdir(parents=True, exist_ok=True)
            connection.ensure_connection()
            _sqlite_restore(dump, connection.connection)
            connection.close()  # the next query opens the restored schema afresh
        else:
            run_pg_restore(connection.settings_dict, manifest.database.dump_tool, dump)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    by_path = {f.path: f for f in manifest.files}
    files = [f for f in manifest.files if f.path != manifest.database_file]
    return RestoreSummary(
        directory=directory,
        engine=engine,
        created=manifest.created,
        briefdesk_version=manifest.briefdesk_version,
        database_bytes=by_path[manifest.database_file].size,
        files=len(files),
        file_bytes=sum(f.size for f in files),
        seconds=time.monotonic() - started,
    )


def site_roots() -> dict[str, Path]:
    """The file roots a backup holds, by name, from the settings."""
    from django.conf import settings

    return {
        "media": Path(settings.MEDIA_ROOT),
        "private": Path(settings.BRIEFDESK_PRIVATE_ROOT),
    }


def briefdesk_version() -> str:
    """The installed briefdesk's version (package metadata), "unknown" when not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("briefdesk")
    except PackageNotFoundError:
        return "unknown"

"""`briefdesk backup DIR` and `briefdesk restore DIR`, on the engine the suite runs on.

One site is built per run (a published brief citing a source, with an image and its
renditions, a document in a private collection, the brief's cached PDF, users), backed up with
the real command, and taken out of the test database again. The backup is restored by the
console script, in a subprocess, into a new empty database (SQLite: a file in a new data
directory; PostgreSQL: a database created on the same server) and an empty data directory,
and a second subprocess renders the restored site for comparison.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from briefdesk.core import backup, pg_tools
from briefdesk.core.tests.site_fingerprint import fingerprint
from briefdesk.search.sync import forget_stores

BRIEFDESK = Path(sys.executable).with_name("briefdesk")
REPO = Path(__file__).resolve().parents[3]
USERS = ["alice", "bob", "root", "charlie"]
# Every test is marked, so the test database is set up for the module's site even when only
# tests that do not query it are selected.
pytestmark = pytest.mark.django_db


@dataclass
class BackedUp:
    directory: Path
    paths: list[str]
    before: dict[str, Any]
    files: dict[str, dict[str, str]]  # root name -> relative path -> sha256
    output: str


def tree_checksums(root: Path) -> dict[str, str]:
    return {rel: backup.sha256_file(path)[1] for path, rel in backup.walk_files(root)}


def build_site() -> list[str]:
    """The content to back up; returns the public paths to compare."""
    from django.test import Client
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection, CollectionViewRestriction

    from briefdesk.core.origin import sync_default_site
    from tests.factories import (
        SourceFactory,
        cite,
        make_author,
        make_brief,
        make_site_tree,
        make_topic,
        make_users,
    )

    tree = make_site_tree()
    sync_default_site()  # the Site answers on the base URL, as after any migrate
    make_users()
    author = make_author(tree)
    topic = make_topic(tree)
    source = SourceFactory(title="Pakistan's nuclear dilemma", issued="2010-11-30")
    picture = get_image_model().objects.create(
        title="Flood map", file=get_test_image_file(size=(1600, 900))
    )
    brief = make_brief(
        tree,
        authors=[author],
        topics=[topic],
        social_image=picture,
        social_image_alt="Flooded districts",
        body=[
            ("paragraph", f"<p>Islamabad distrusts Washington {cite(source)}.</p>"),
            ("figure", {"image": picture, "alt": "A map", "caption": "", "credit": ""}),
        ],
    )
    drafts = Collection.get_first_root_node().add_child(name="Drafts")
    CollectionViewRestriction.objects.create(
        collection=drafts, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = get_document_model().objects.create(
        title="Draft memo",
        collection=drafts,
        file=ContentFile(b"Draft: not for readers.\n" * 100, "memo.txt"),
    )
    pdf = f"/briefs/{brief.slug}/pdf/"
    response = Client().get(pdf)  # renders and caches the PDF in private storage
    assert response.status_code == 200, response
    return [
        "/",
        "/briefs/",
        "/authors/",
        "/topics/",
        brief.url,
        author.url,
        topic.url,
        "/sources/",
        f"/sources/{source.pk}/",
        f"/briefs/{brief.slug}/cite.bib",
        "/sitemap.xml",
        "/search/?q=Islamabad",
        pdf,
        document.url,
    ]


@pytest.fixture(scope="module")
def backed_up(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[BackedUp]:
    """The site built, fingerprinted and backed up in the test database, which is then put
    back as it was (flushed and reloaded, as a serialized-rollback test does)."""
    directory = tmp_path_factory.mktemp("backups") / "nightly"
    roots = backup.site_roots()
    files_before = {name: set(tree_checksums(root)) for name, root in roots.items()}
    search_dir = settings.BRIEFDESK_SEARCH_DIR
    # A search index of its own, built from this site at its first search: the one under the
    # data directory may hold another test database's records (a module-scoped fixture runs
    # before the per-test index directory is set).
    settings.BRIEFDESK_SEARCH_DIR = tmp_path_factory.mktemp("search")
    forget_stores()
    with django_db_blocker.unblock():
        saved = connection.creation.serialize_db_to_string()
        try:
            paths = build_site()
            before = fingerprint(paths, USERS, _password())
            out = io.StringIO()
            call_command("backup", str(directory), stdout=out)
            files = {name: tree_checksums(root) for name, root in roots.items()}
        finally:
            # As Django's own test cases flush: sequences kept, so the rows reloaded with their
            # ids do not collide with the ids PostgreSQL hands out next.
            call_command(
                "flush",
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,
                verbosity=0,
            )
            connection.creation.deserialize_db_from_string(saved)
            # Content types made and rolled back by earlier tests can leave this process's
            # id → model cache disagreeing with the reloaded rows (a page's type read as a
            # workflow task): forget it, with the other caches.
            ContentType.objects.clear_cache()
            cache.clear()
            for name, root in roots.items():
                for path, rel in list(backup.walk_files(root)):
                    if rel not in files_before[name]:
                        path.unlink()
            settings.BRIEFDESK_SEARCH_DIR = search_dir
            forget_stores()
    yield BackedUp(directory, paths, before, files, out.getvalue())
    shutil.rmtree(directory.parent, ignore_errors=True)


def _password() -> str:
    from tests.factories import PASSWORD

    return PASSWORD


# --- an empty target: a database and a data directory ---------------------------------------


@dataclass
class Target:
    data_dir: Path
    env: dict[str, str]
    database: str  # PostgreSQL: the database's name; SQLite: the file's path

    def tables(self) -> list[str]:
        if connection.vendor == "sqlite":
            if not Path(self.database).exists():
                return []
            with sqlite3.connect(self.database) as db:
                return [r[0] for r in db.execute("SELECT name FROM sqlite_master")]
        with _pg_admin(self.database) as db:
            rows = db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema')"
            ).fetchall()
            return [r[0] for r in rows]


def _pg_admin(dbname: str = "postgres") -> Any:
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    )


@contextmanager
def new_target(tmp_path: Path) -> Iterator[Target]:
    """A new data directory, and a new empty database on the engine the suite runs on."""
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "briefdesk.core.tests.restored_settings",
        "BRIEFDESK_DATA_DIR": str(data_dir),
        "BRIEFDESK_ENV_FILE": "",
    }
    env.pop("DATABASE_URL", None)
    if connection.vendor == "sqlite":
        yield Target(data_dir, env, str(data_dir / "briefdesk.sqlite3"))
        return
    name = f"briefdesk_restore_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as db:
        db.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{name}"
    try:
        yield Target(data_dir, env, name)
    finally:
        with _pg_admin() as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[Target]:
    with new_target(tmp_path) as target:
        yield target


def run(target: Target, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BRIEFDESK), *args],
        env=target.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --- backup ----------------------------------------------------------------------------------


def test_a_backup_says_what_it_holds(backed_up: BackedUp) -> None:
    engine = backup.ENGINE_NAMES[connection.vendor]

    assert backed_up.output.startswith(f"Backed up the {engine} ")
    assert " database (" in backed_up.output
    assert f"to {backed_up.directory} in " in backed_up.output


def test_the_backup_directory_and_every_file_in_it_are_private_to_its_owner(
    backed_up: BackedUp,
) -> None:
    modes = {
        str(path.relative_to(backed_up.directory)): oct(path.stat().st_mode & 0o777)
        for path in [backed_up.directory, *backed_up.directory.rglob("*")]
    }

    assert {m for p, m in modes.items() if Path(backed_up.directory / p).is_dir()} == {"0o700"}
    assert {m for p, m in modes.items() if Path(backed_up.directory / p).is_file()} == {"0o600"}
    assert not backed_up.directory.with_name("nightly.partial").exists()


def test_the_manifest_lists_the_engine_migrations_base_url_and_every_file_with_its_checksum(
    backed_up: BackedUp,
) -> None:
    manifest = backup.read_backup(backed_up.directory)
    listed = {f.path: f.sha256 for f in manifest.files}
    expected = {
        f"{name}/{rel}": digest
        for name, tree in backed_up.files.items()
        for rel, digest in tree.items()
    }

    assert manifest.database.engine == connection.vendor
    assert ("briefs", "0001_initial") in manifest.migrations
    assert manifest.base_url == settings.WAGTAILADMIN_BASE_URL
    assert manifest.briefdesk_version == backup.briefdesk_version()
    assert {p: d for p, d in listed.items() if p != manifest.database_file} == expected
    assert any(p.startswith("media/images/") for p in listed)  # originals and renditions
    assert any(p.startswith("media/documents/") for p in listed)
    assert any(p.endswith(".pdf") and p.startswith("private/") for p in listed)


def test_a_backup_into_a_directory_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("yesterday")

    with pytest.raises(CommandError, match="is not an empty directory"):
        call_command("backup", str(tmp_path), stdout=io.StringIO())
    assert [p.name for p in tmp_path.iterdir()] == ["old.txt"]


def test_the_pg_dump_command_line_and_environment_never_hold_the_password(
    tmp_path: Path,
) -> None:
    settings_dict = {
        "NAME": "briefdesk",
        "USER": "briefdesk",
        "PASSWORD": "s3cret:pa\\ss",
        "HOST": "db.example",
        "PORT": "5432",
        "OPTIONS": {"sslmode": "require", "connect_timeout": 5},
    }

    argv = pg_tools.pg_dump_command(Path("/usr/bin/pg_dump"))
    restore_argv = pg_tools.pg_restore_command(Path("/usr/bin/pg_restore"), tmp_path / "d", "bd")
    env = pg_tools.pg_environment(settings_dict, tmp_path)

    assert not [a for a in [*argv, *restore_argv] if "s3cret" in a]
    assert not [v for v in env.values() if "s3cret" in v]
    passfile = Path(env["PGPASSFILE"])
    assert passfile.read_text() == "*:*:*:*:s3cret\\:pa\\\\ss\n"
    assert passfile.stat().st_mode & 0o777 == 0o600
    assert env["PGHOST"] == "db.example"
    assert env["PGDATABASE"] == "briefdesk"
    assert env["PGSSLMODE"] == "require"


def test_a_pg_dump_older_than_the_server_is_refused_in_one_line(tmp_path: Path) -> None:
    tool = tmp_path / "pg_dump"
    tool.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
    tool.chmod(0o755)

    with pytest.raises(backup.BackupError) as raised:
        pg_tools.find_pg_tool("pg_dump", 15, search=[tmp_path])
    assert str(raised.value) == (
        f"pg_dump 13.4 ({tool}) is older than PostgreSQL 15: install postgresql-client-15 or newer"
    )
    assert pg_tools.find_pg_tool("pg_dump", 13, search=[tmp_path]).major == 13
    with pytest.raises(backup.BackupError, match="pg_dump not found"):
        pg_tools.find_pg_tool("pg_dump", 15, search=[tmp_path / "none"])


# --- restore ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restored(backed_up: BackedUp, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """The backup restored by `briefdesk restore` into an empty database and data
    directory, then fingerprinted by another process."""
    with new_target(tmp_path_factory.mktemp("restored")) as target:
        restore = run(target, "restore", str(backed_up.directory))
        # Before any page is shown: the site would make a missing PDF or rendition again.
        files = {name: tree_checksums(target.data_dir / name) for name in backup.ROOT_NAMES}
        code = (
            "from briefdesk.core.tests.site_fingerprint import main; "
            f"main({backed_up.paths!r}, {USERS!r}, {_password()!r})"
        )
        shown = run(target, "manage", "shell", "-c", code) if restore.returncode == 0 else None
        yield {
            "restore": restore,
            "shown": shown,
            "after": json.loads(shown.stdout.strip().splitlines()[-1]) if shown else None,
            "files": files,
        }


def test_a_restore_into_an_empty_database_and_data_directory_says_what_it_restored(
    restored: dict[str, Any],
) -> None:
    result = restored["restore"]

    assert result.returncode == 0, result.stderr
    assert "every checksum matches" in result.stdout
    assert "Restored the backup of " in result.stdout
    assert result.stderr == ""


def test_every_public_page_of_the_restored_site_is_identical(
    backed_up: BackedUp, restored: dict[str, Any]
) -> None:
    assert restored["after"] is not None, restored["restore"].stderr
    before, after = backed_up.before["pages"], restored["after"]["pages"]

    for path in backed_up.paths:
        assert after[path] == before[path], path
    assert {before[p]["status"] for p in backed_up.paths} == {200, 302}  # the document: login


def test_the_restored_site_serves_the_briefs_pdf_byte_for_byte(
    backed_up: BackedUp, restored: dict[str, Any]
) -> None:
    [pdf] = [p for p in backed_up.paths if p.endswith("/pdf/")]

    assert backed_up.before["pages"][pdf]["type"] == "application/pdf"
    assert restored["after"]["pages"][pdf] == backed_up.before["pages"][pdf]


def test_every_image_rendition_document_and_pdf_file_is_restored_byte_for_byte(
    backed_up: BackedUp, restored: dict[str, Any]
) -> None:
    assert restored["files"] == backed_up.files
    assert [rel for rel in backed_up.files["media"] if rel.startswith("images/")]
    assert [rel for rel in backed_up.files["media"] if rel.startswith("documents/")]


def test_users_log_in_to_the_restored_site_with_their_passwords(
    backed_up: BackedUp, restored: dict[str, Any]
) -> None:
    assert backed_up.before["can_log_in"] == USERS
    assert restored["after"]["can_log_in"] == USERS


def test_a_damaged_backup_is_refused_naming_the_file_and_the_database_stays_empty(
    backed_up: BackedUp, empty_target: Target, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up.directory, damaged)
    # (earlier tests of the run may have left cached PDFs of their own in the private root)
    pdf = sorted(damaged.rglob("*.pdf"))[0]
    content = bytearray(pdf.read_bytes())
    content[len(content) // 2] ^= 0x01
    pdf.write_bytes(bytes(content))

    result = run(empty_target, "restore", str(damaged))

    name = pdf.relative_to(damaged).as_posix()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {name} does not match its checksum: the backup is damaged"
    ]
    assert empty_target.tables() == []
    assert not any(backup.walk_files(empty_target.data_dir))


def test_a_truncated_backup_is_refused_naming_the_missing_file(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    truncated = tmp_path / "truncated"
    shutil.copytree(backed_up.directory, truncated)
    [image] = sorted((truncated / "media" / "original_images").iterdir())[:1]
    image.unlink()

    with pytest.raises(backup.BackupError) as raised:
        backup.read_backup(truncated)
    assert str(raised.value) == f"media/original_images/{image.name} is missing from the backup"


def test_a_restore_into_a_non_empty_database_changes_nothing(backed_up: BackedUp) -> None:
    from wagtail.models import Page

    pages = list(Page.objects.values_list("pk", "url_path"))
    files = {name: tree_checksums(root) for name, root in backup.site_roots().items()}

    with pytest.raises(CommandError) as raised:
        call_command("restore", str(backed_up.directory), stdout=io.StringIO())

    assert str(raised.value) == (
        f"the database {connection.settings_dict['NAME']} is not empty: restore into a new, "
        "empty database (see docs/operating.md)"
    )
    assert list(Page.objects.values_list("pk", "url_path")) == pages
    assert {name: tree_checksums(root) for name, root in backup.site_roots().items()} == files


def test_file_roots_that_hold_any_file_are_refused(tmp_path: Path) -> None:
    roots = {"media": tmp_path / "media", "private": tmp_path / "private"}
    (roots["media"] / "images").mkdir(parents=True)
    backup.check_roots_empty(roots)  # empty directories are fine
    (roots["private"] / "pdfs").mkdir(parents=True)
    (roots["private"] / "pdfs" / "old.pdf").write_bytes(b"%PDF")

    with pytest.raises(backup.BackupError) as raised:
        backup.check_roots_empty(roots)
    assert str(raised.value) == (
        f"{roots['private']} (private files) is not empty: restore into an empty data directory"
    )


def _edited_copy(source: Path, target: Path, **changes: Any) -> Path:
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest.update(changes)
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


def test_a_backup_made_by_a_newer_briefdesk_is_refused_in_one_line(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    manifest = json.loads((backed_up.directory / "manifest.json").read_text())
    newer = _edited_copy(
        backed_up.directory,
        tmp_path / "newer",
        briefdesk_version="9.0.0",
        migrations=[*manifest["migrations"], ["briefs", "9999_from_the_future"]],
    )

    with pytest.raises(CommandError) as raised:
        call_command("restore", str(newer), stdout=io.StringIO())
    assert str(raised.value) == (
        "this backup was made by a newer briefdesk (9.0.0): migration "
        "briefs.9999_from_the_future unknown here; install briefdesk 9.0.0 or newer to restore it"
    )


def test_a_backup_of_the_other_engine_is_refused_in_one_line(
    backed_up: BackedUp, tmp_path: Path
) -> None:
    manifest = json.loads((backed_up.directory / "manifest.json").read_text())
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    dump = backup.DATABASE_FILES[other]
    (backed_up_copy := tmp_path / "other").mkdir()
    for entry in manifest["files"]:
        if entry["path"] == manifest["database"]["file"]:
            entry["path"] = dump
    shutil.copytree(backed_up.directory, backed_up_copy, dirs_exist_ok=True)
    (backed_up_copy / manifest["database"]["file"]).rename(backed_up_copy / dump)
    manifest["database"] = {**manifest["database"], "engine": other, "file": dump}
    (backed_up_copy / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError) as raised:
        call_command("restore", str(backed_up_copy), stdout=io.StringIO())
    assert str(raised.value) == (
        "this is a SQLite backup: restore a SQLite backup with a SQLite DATABASE_URL "
        "(sqlite:////ABSOLUTE/PATH)"
        if other == "sqlite"
        else "this is a PostgreSQL backup: restore it with a postgres:// DATABASE_URL"
    )

"""Import an export (dump.py) into an empty database: all of it or nothing.

    plan = plan_import(Path("site.jsonl"), files_from=Path("files.tar"))  # checks; no writes
    summary = run_import(plan)                                             # one transaction

plan_import reads and checks every line of the file (jsonl.verify_export), every listed file
in the bundle, the schema (the export must not come from a newer briefdesk; the database must
be migrated) and the database (empty: what `migrate` or `briefdesk init` leaves, no users, no
content), and raises ImportRefused with one line on the first problem. run_import copies the
files into their storages (none may exist yet), then in one transaction replaces migrate's own
rows with the export's rows, keeping every primary key (page, source and image ids appear in
URLs and HTML), resets PostgreSQL's sequences, points the Site and stored citations at this
site's base URL, rebuilds the admin search index and purges the caches. If anything fails
the transaction is rolled back and the copied files are removed.

Imported users get unusable passwords: they set one with "Forgot password" or
`briefdesk manage changepassword`. The public search index is rebuilt by the command after
the commit (it lives in files, outside the transaction).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files import File
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers import base as serializer_base
from django.core.serializers.python import Deserializer
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from .bundle import check_bundle, member_name, open_bundle
from .contents import PASSWORD_FIELD, SEEDED, SKIPPED
from .dump import exported_models
from .jsonl import ExportContents, ExportFileError, read_records, verify_export

_ROW = re.compile(r"table '([^']+)' with primary key '([^']+)'")


class ImportRefused(ExportFileError):
    """The import cannot go ahead; the message is one line for the operator."""


@dataclass(frozen=True)
class ImportPlan:
    path: Path
    contents: ExportContents
    files_from: Path | None


@dataclass
class ImportSummary:
    records: int = 0
    files: int = 0
    users: int = 0
    files_left_out: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"Imported {self.records} records"
        if self.files:
            text += f" and {self.files} files"
        return text + f"; {self.users} users, each with no usable password until they set one."


def plan_import(path: Path, files_from: Path | None = None) -> ImportPlan:
    """Check everything that can be checked before writing (see the module docstring)."""
    contents = verify_export(path)
    _check_schema(contents.header)
    if files_from is not None:
        if not contents.files:
            raise ImportRefused(
                f"{path} lists no files (it was exported without --with-files): leave out --files"
            )
        members = [
            (member_name(f["file"], f["name"]), f["size"], f["sha256"]) for f in contents.files
        ]
        check_bundle(files_from, members)
    problem = database_problem()
    if problem:
        raise ImportRefused(
            f"the database is not empty ({problem}): import into a new database "
            "(a new data directory, or a new PostgreSQL database, after `briefdesk init`)"
        )
    if files_from is not None:
        for record in contents.files:
            storage = _field(record["file"]).storage
            if storage.exists(record["name"]):
                raise ImportRefused(
                    f"{record['name']} is already stored ({record['file']}): import into an "
                    "empty data directory"
                )
    return ImportPlan(path, contents, files_from)


def _check_schema(header: dict[str, Any]) -> None:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    for app, name in sorted((header.get("migrations") or {}).items()):
        if app in loader.migrated_apps and (app, name) not in loader.disk_migrations:
            raise ImportRefused(
                f"the export was made by a newer briefdesk ({header.get('briefdesk')}: "
                f"migration {app}.{name} is unknown here): upgrade briefdesk first"
            )
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise ImportRefused("the database is not migrated: run `briefdesk init` first")


def database_problem() -> str | None:
    """Why the database is not empty enough to import into, or None. Empty: no users, and
    no rows but those `migrate` and `briefdesk init` make (contents.SEEDED)."""
    users = get_user_model()._base_manager.count()
    if users:
        return f"{users} users"
    for model in exported_models():
        label = model._meta.label_lower
        if label in SEEDED:
            continue
        if model._base_manager.exists():
            return f"it holds {model._meta.verbose_name_plural} ({label})"
    return None


def _field(key: str) -> models.FileField:
    label, _, name = key.rpartition(".")
    from django.apps import apps

    try:
        f = apps.get_model(label)._meta.get_field(name)
    except (LookupError, ValueError) as exc:
        raise ImportRefused(f"files of {key}: no such field here ({exc})") from None
    if not isinstance(f, models.FileField):
        raise ImportRefused(f"files of {key}: not a file field here")
    return f


def run_import(plan: ImportPlan) -> ImportSummary:
    """Copy the files, then load every row in one transaction (see the module docstring).
    ExportFileError (with the line number when a record is at fault) if it fails; nothing
    stays written then."""
    summary = ImportSummary()
    written: list[tuple[Any, str]] = []
    try:
        if plan.files_from is not None:
            _copy_files(plan, written)
            summary.files = len(written)
        else:
            summary.files_left_out = len(plan.contents.files)
        with transaction.atomic():
            _replace_rows(plan, summary)
            _rebuild_in_transaction()
    except BaseException:
        for storage, name in written:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise
    if summary.files_left_out:
        summary.notes.append(
            f"{summary.files_left_out} stored files were not imported (give --files)."
        )
    return summary


def _copy_files(plan: ImportPlan, written: list[tuple[Any, str]]) -> None:
    assert plan.files_from is not None
    with open_bundle(plan.files_from) as bundle:
        for record in plan.contents.files:
            storage = _field(record["file"]).storage
            name = record["name"]
            with bundle.open(member_name(record["file"], name)) as stream:
                saved = storage.save(name, File(stream, name=name))
            written.append((storage, saved))
            if saved != name:
                raise ImportRefused(f"{name} could not be stored under its own name ({saved})")


def _replace_rows(plan: ImportPlan, summary: ImportSummary) -> None:
    chosen = exported_models()
    with connection.cursor() as cursor:
        # Only migrate's rows are here (database_problem); foreign keys are checked at the
        # end, so the order of deletion does not matter. Raw SQL: no signals, no cascades.
        for model in chosen:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    content_types = _content_type_map(plan.contents.header)
    user_label = get_user_model()._meta.label_lower
    where = {"line": 0}
    # (table, pk) -> line, to name the line of a row whose foreign key points nowhere.
    rows: dict[tuple[str, str], int] = {}
    tables = {m._meta.label_lower: m._meta.db_table for m in chosen}

    def records() -> Iterator[dict[str, Any]]:
        for line_no, record in read_records(plan.path):
            where["line"] = line_no
            label = str(record["model"]).lower()
            if label in SKIPPED:
                continue
            rows[(tables.get(label, label), str(record["pk"]))] = line_no
            if label == user_label:
                record["fields"][PASSWORD_FIELD] = make_password(None)
                summary.users += 1
            elif label == "wagtailcore.revision":
                _remap_revision(record, content_types)
            summary.records += 1
            yield record

    try:
        for obj in Deserializer(records(), using=connection.alias):
            obj.save(using=connection.alias)
    except (
        serializer_base.DeserializationError,
        DatabaseError,
        FieldDoesNotExist,
        ValidationError,
        LookupError,
        TypeError,
        ValueError,
    ) as exc:
        raise ExportFileError(f"{plan.path} line {where['line']}: {_first_line(exc)}") from None
    try:
        connection.check_constraints(table_names=[m._meta.db_table for m in chosen])
    except DatabaseError as exc:
        message = _first_line(exc)
        # SQLite names the row ("The row in table 'x' with primary key '3' has an invalid
        # foreign key: …"); PostgreSQL names the table and the missing key.
        found = _ROW.search(message)
        line = rows.get((found.group(1), found.group(2))) if found else None
        at = f"{plan.path} line {line}" if line else str(plan.path)
        raise ExportFileError(
            f"{at}: a record refers to a row the file does not have: {message}"
        ) from None
    sequences = connection.ops.sequence_reset_sql(no_style(), chosen)
    if sequences:
        with connection.cursor() as cursor:
            for sql in sequences:
                cursor.execute(sql)


def _content_type_map(header: dict[str, Any]) -> dict[int, int]:
    """The exporting database's content type ids -> this database's."""
    here = {
        f"{app}.{model}": pk
        for pk, app, model in ContentType.objects.values_list("pk", "app_label", "model")
    }
    mapped: dict[int, int] = {}
    for pk, label in (header.get("content_types") or {}).items():
        if label in here:
            mapped[int(pk)] = here[label]
    return mapped


def _remap_revision(record: dict[str, Any], content_types: dict[int, int]) -> None:
    # A revision's content is the object's fields as JSON, with its content type's id: an id
    # of the exporting database. (Wagtail reads the live object's own type, but keep the
    # content honest for anything that reads it.)
    content = record["fields"].get("content")
    if isinstance(content, dict) and isinstance(content.get("content_type"), int):
        old = content["content_type"]
        content["content_type"] = content_types.get(old, old)


def _rebuild_in_transaction() -> None:
    from briefdesk.core.origin import sync_origin
    from briefdesk.core.pagecache.purge import purge_everything

    sync_origin()
    call_command("update_index", stdout=io.StringIO(), stderr=io.StringIO())
    purge_everything()
    transaction.on_commit(cache.clear)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

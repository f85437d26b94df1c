"""Export the whole site to a JSONL file, and optionally its stored files to a bundle.

    summary = export_site(Path("site.jsonl"), files_to=Path("files.tar"))

Every exported table (contents.py: all but derived data, migrate's own rows and credentials)
is written row by row with its primary key, tables in label order and rows in primary-key
order, so two exports of the same database are the same but for the header's time. Rows are
serialised by Django's own serializer (the format `dumpdata` writes, which Wagtail loads), with
two changes: content types and permissions are named by natural key (their ids differ between
databases) and many-to-many links are the rows of their through tables. Users have no password
in the file. Pages are Wagtail's `wagtailcore.page` row plus their type's row; every revision
of every page and snippet is exported, as are log entries, workflow states and locks.

The database is read in one transaction (PostgreSQL: REPEATABLE READ), so the file is one
moment of the site even while editors work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.python import Serializer
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.encoding import is_protected_type

from .bundle import BundleWriter, member_name, remove_partial
from .contents import PASSWORD_FIELD, SKIPPED
from .jsonl import ExportWriter

_BATCH = 500
_BY_NATURAL_KEY = (ContentType, Permission)


@dataclass
class ExportSummary:
    path: Path
    counts: dict[str, int]
    files: int = 0
    missing_files: list[str] = field(default_factory=list)

    def line(self) -> str:
        records = sum(self.counts.values())
        text = f"Exported {records} records of {len(self.counts)} kinds to {self.path}"
        if self.files or self.missing_files:
            text += f", with {self.files} files"
        return text + "."


class _RowSerializer(Serializer):
    """Django's python serializer, with natural keys for content types and permissions only
    and no many-to-many lists (their through tables are exported as rows)."""

    _current: dict[str, Any]

    def handle_fk_field(self, obj: models.Model, field: Any) -> None:
        if issubclass(field.remote_field.model, _BY_NATURAL_KEY):
            related = getattr(obj, field.name)
            self._current[field.name] = related.natural_key() if related else None
        else:
            value = field.value_from_object(obj)
            self._current[field.name] = (
                value if is_protected_type(value) else field.value_to_string(obj)
            )

    def handle_m2m_field(self, obj: models.Model, field: Any) -> None:
        return


def exported_models() -> list[type[models.Model]]:
    """Every model with rows of its own to export, by label (through tables included)."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED
    ]
    return sorted(chosen, key=lambda m: m._meta.label_lower)


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.local_concrete_fields if isinstance(f, models.FileField)]


def _rows(model: type[models.Model]) -> Iterator[list[models.Model]]:
    queryset = model._base_manager.order_by("pk")
    # Natural keys read the related row: fetch it with the row.
    related = [
        f.name
        for f in model._meta.local_concrete_fields
        if f.is_relation and f.remote_field and issubclass(f.remote_field.model, _BY_NATURAL_KEY)
    ]
    if related:
        queryset = queryset.select_related(*related)
    batch: list[models.Model] = []
    for row in queryset.iterator(chunk_size=_BATCH):
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _records(model: type[models.Model]) -> Iterator[dict[str, Any]]:
    serializer = _RowSerializer()
    drop_password = model is get_user_model()
    for batch in _rows(model):
        for record in serializer.serialize(batch):
            if drop_password:
                record["fields"].pop(PASSWORD_FIELD, None)
            yield record


def _header() -> dict[str, Any]:
    from briefdesk import __version__
    from briefdesk.core.stored_citations import current_base_url

    migrations: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        migrations[app] = max(migrations.get(app, name), name)
    return {
        "briefdesk": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": connection.vendor,
        "base_url": current_base_url(),
        "migrations": migrations,
        "content_types": {
            str(pk): f"{app}.{model}"
            for pk, app, model in ContentType.objects.order_by("pk").values_list(
                "pk", "app_label", "model"
            )
        },
    }


def export_site(out: Path, files_to: Path | None = None) -> ExportSummary:
    """Write the site to `out` (replaced atomically when complete) and, with `files_to`, every
    stored file the rows name into that new directory or tar. Raises ExportFileError for a
    files destination that is not new, OSError for a file system failure; a file a row names
    but the storage no longer has is skipped and listed in the summary."""
    summary = ExportSummary(out, {})
    try:
        # Only a transaction of our own can choose its isolation (its first statement).
        own = not connection.in_atomic_block
        with transaction.atomic():
            if own and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with ExportWriter(out, _header()) as writer:
                named_files: list[tuple[str, models.FileField, str]] = []
                for model in exported_models():
                    fields = file_fields(model)
                    for record in _records(model):
                        writer.write(record)
                        for f in fields:
                            name = record["fields"].get(f.name)
                            if name:
                                named_files.append((f"{model._meta.label_lower}.{f.name}", f, name))
                if files_to is not None:
                    with BundleWriter(files_to) as bundle:
                        for file_record in _copy_files(named_files, bundle, summary):
                            writer.write(file_record)
                summary.counts = dict(writer.counts)
    except BaseException:
        if files_to is not None:
            remove_partial(files_to)
        raise
    return summary


def _copy_files(
    named: Iterable[tuple[str, models.FileField, str]], bundle: BundleWriter, summary: ExportSummary
) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for key, f, name in named:
        member = member_name(key, name)
        if member in seen:
            continue
        seen.add(member)
        try:
            stream = f.storage.open(name, "rb")
        except (FileNotFoundError, OSError):
            summary.missing_files.append(member)
            continue
        with stream:
            size, sha256 = bundle.add(member, stream)
        summary.files += 1
        yield {"file": key, "name": name, "size": size, "sha256": sha256}

"""What saving each record does to Wagtail's two indexes, done for many records at once, for
the brief import (importers.briefs).

    references_in_bulk([*sources, *outlets])     # Wagtail's reference index ("usage")
    later = IndexLater()                          # owed for records of committed inputs:
    later.search(BriefPage, [pk])                 # the admin search (modelsearch),
    later.references(BriefPage, [pk])             # the reference index of a draft page
    later.keep()                                  # once the input's transaction commits
    later.flush()                                 # every FLUSH_EVERY inputs, and at the end

`references_in_bulk` is ReferenceIndex.create_or_update_for_object for each record with one
query per model for the references already stored, instead of one per record, and one insert
for the new ones. It uses Wagtail's own reference extraction (a private method, the one
create_or_update_for_object calls): the tests compare its rows with the per-record call's.

The admin search's per-save update reads each record back and scans the whole index table
(the title norms) on every save. The import turns it off for briefs (importers.briefs) and
indexes its briefs and new sources in bulk instead, FLUSH_EVERY inputs at a time and at the
end of the run, read back as `update_index` reads them (get_indexed_objects). So the entries
are those of the records as they stand at the flush: what saving each one last would leave.

A draft import defers the reference index of its pages (briefs, new authors and guides) in
the same way: read back with their child rows in one query per relation, indexed together,
and a brief the second pass rewrites is indexed once, as it ends up. Nothing a reader sees
depends on a draft's references (the page cache purges by them only what is live), so an
import with --publish keeps indexing each input's pages in its own transaction.

A run killed between two flushes leaves the admin search and the reference index short of
the inputs since the last one (`briefdesk manage update_index` and
`briefdesk manage rebuild_references_index` rebuild them); the briefs themselves are complete.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from modelcluster.models import get_all_child_relations
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backends_with_name

logger = logging.getLogger(__name__)

# Inputs whose admin search entries are written together.
FLUSH_EVERY = 100
# Records read back per query when flushing.
CHUNK = 500


def references_in_bulk(records: Iterable[Any]) -> None:
    """Record each record's outbound references in Wagtail's reference index, exactly as
    ReferenceIndex.create_or_update_for_object does for each one. Records of a model the
    index leaves out are skipped. Call it inside a transaction."""
    by_model: dict[type[Any], list[Any]] = defaultdict(list)
    for record in records:
        if ReferenceIndex.is_indexed(type(record)):
            by_model[type(record)].append(record)
    for model, group in by_model.items():
        _references_of(model, group)


def _references_of(model: type[Any], records: list[Any]) -> None:
    content_types = [
        ContentType.objects.get_for_model(m, for_concrete_model=False)
        for m in [model, *model._meta.get_parent_list()]
    ]
    content_type, base_content_type = content_types[0], content_types[-1]
    known = {ct.id for ct in content_types}
    existing: dict[Any, dict[tuple[Any, ...], tuple[int, int]]] = defaultdict(dict)
    rows = ReferenceIndex.objects.filter(
        base_content_type=base_content_type, object_id__in=[str(r.pk) for r in records]
    ).values_list(
        "id",
        "content_type_id",
        "object_id",
        "to_content_type",
        "to_object_id",
        "model_path",
        "content_path",
    )
    for pk, ct_id, object_id, to_ct, to_id, model_path, content_path in rows:
        existing[object_id][(to_ct, to_id, model_path, content_path)] = (ct_id, pk)
    new: list[ReferenceIndex] = []
    stale: list[int] = []
    for record in records:
        references = set(ReferenceIndex._extract_references_from_object(record))
        stored = existing.get(str(record.pk), {})
        new += [
            ReferenceIndex(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=record.pk,
                to_content_type_id=to_ct,
                to_object_id=to_id,
                model_path=model_path,
                content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for to_ct, to_id, model_path, content_path in references - set(stored)
        ]
        # As create_or_update_for_object: a reference recorded against a more specific model
        # than this one is not stale (it may be on a relation only that model has).
        stale += [
            pk
            for reference, (ct_id, pk) in stored.items()
            if reference not in references and ct_id in known
        ]
    options = {"ignore_conflicts": True} if connection.features.supports_ignore_conflicts else {}
    ReferenceIndex.objects.bulk_create(new, **options)
    if stale:
        ReferenceIndex.objects.filter(id__in=stale).delete()


def admin_search_index(model: type[Any], records: list[Any]) -> None:
    """Add records to Wagtail's admin search (modelsearch), as its post_save handler does for
    each saved one (modelsearch.index.insert_or_update_object), in one call per backend:
    errors are logged, and raised by a backend that does not catch them."""
    if not records or not getattr(model, "search_auto_update", True):
        return
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        try:
            backend.add_bulk(model, records)
        except Exception:
            logger.exception("Could not add %s records to the %r search backend", model, name)
            if not backend.catch_indexing_errors:
                raise


class IndexLater:
    """Index entries owed for records of committed inputs, written in bulk (module
    docstring): admin search entries (`search`), and with `references` Wagtail's reference
    index for pages. `add` notes records of the input being written; `keep` (its transaction
    committed) or `drop` (rolled back) settles them; every FLUSH_EVERY kept inputs, and on
    `flush`, what is owed is written."""

    def __init__(self) -> None:
        self._input: dict[tuple[str, type[Any]], set[Any]] = defaultdict(set)
        self._owed: dict[tuple[str, type[Any]], set[Any]] = defaultdict(set)
        self._kept = 0

    def search(self, model: type[Any], pks: Iterable[Any]) -> None:
        self._input["search", model].update(pks)

    def references(self, model: type[Any], pks: Iterable[Any]) -> None:
        self._input["references", model].update(pks)

    def keep(self) -> None:
        for key, pks in self._input.items():
            self._owed[key] |= pks
        self._input.clear()
        self._kept += 1
        if self._kept % FLUSH_EVERY == 0:
            self.flush()

    def drop(self) -> None:
        self._input.clear()

    def flush(self) -> None:
        """Write what is owed, each record read back as it stands now: references first,
        each chunk in its own transaction, then the admin search."""
        owed, self._owed = self._owed, defaultdict(set)
        for (kind, model), pks in sorted(owed.items(), key=lambda item: item[0][0]):
            ordered = sorted(pks)
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start : start + CHUNK]
                if kind == "references":
                    children = [r.get_accessor_name() for r in get_all_child_relations(model)]
                    found = model.objects.filter(pk__in=chunk).prefetch_related(*children)
                    with transaction.atomic():
                        references_in_bulk(found)
                else:
                    found = model.get_indexed_objects().filter(pk__in=chunk).order_by("pk")
                    records = [r.get_indexed_instance() for r in found]
                    admin_search_index(model, [r for r in records if r is not None])

"""Reference import, the ORM half: parsed entries -> a plan (create a Source, update which
one, or skip as a duplicate of which entry) -> Sources written in one transaction, or none.

    plan = plan_import(result.entries)
    report = run_import(plan, dry_run=True)     # what would happen; writes nothing
    report = run_import(plan)                   # all entries written, or none if any fails

Matching rules are in `briefdesk.importers.matching`. Every entry is built and validated as
a Source (`Source.apply_csl`, then `full_clean`) before the first write, so one bad entry
among a hundred stops the import with a message for each bad entry, and nothing is saved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from briefdesk.sources import csl
from briefdesk.sources.models import Outlet, Source

from .entries import Entry
from .matching import (
    Identity,
    identity,
    keys_conflict,
    normalise_doi,
    normalise_title,
    normalise_url,
    url_variants,
)

CREATE, UPDATE, DUPLICATE, ERROR = "create", "update", "duplicate", "error"

# How validation messages name a Source field: as the CSL variable it holds.
FIELD_NAMES = {
    "url": "URL",
    "container_title": "container-title",
    "publisher_place": "publisher-place",
    "citation_key": "id",
    "csl_extra": "other CSL variables",
    "authors": "author",
    "__all__": "",
}


@dataclass(eq=False)
class PlannedEntry:
    """What import will do with one entry. `source` is the Source an update rewrites;
    `duplicate_of` the earlier entry of the same input that this one repeats."""

    entry: Entry
    action: str
    identity: Identity = field(default_factory=Identity)
    source: Source | None = None
    duplicate_of: PlannedEntry | None = None
    matched_by: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class Result:
    """What happened to one entry. `outcome` is created/updated/unchanged/duplicate after a
    write; create/update/unchanged/duplicate when nothing was written; or error."""

    key: str
    label: str
    line: int | None
    outcome: str
    title: str = ""
    outlet: str = ""
    source_id: int | None = None
    matched_by: str = ""
    duplicate_of: str = ""
    error: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return reverse("sources:detail", args=[self.source_id]) if self.source_id else ""

    def as_line(self) -> str:
        """One line for the command's output: `key -> /sources/12/ (created)`, or
        `key (line 3): reason`."""
        if self.outcome == ERROR:
            return f"{self.label}: {self.error}"
        target = self.url or "new source"
        detail = {
            "created": "created",
            "updated": "updated",
            "unchanged": "unchanged",
            "update": f"update: same {self.matched_by}",
            "duplicate": f"duplicate of {self.duplicate_of}",
        }.get(self.outcome)
        return f"{self.key} -> {target}" + (f" ({detail})" if detail else "")


@dataclass
class ImportReport:
    results: list[Result]
    dry_run: bool
    written: bool

    @property
    def errors(self) -> list[Result]:
        return [r for r in self.results if r.outcome == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, *outcomes: str) -> int:
        return sum(r.outcome in outcomes for r in self.results)

    def summary(self) -> str:
        total = len(self.results)
        noun = "reference" if total == 1 else "references"
        if not self.ok:
            bad = len(self.errors)
            verb = "has an error" if bad == 1 else "have errors"
            return f"{bad} of {total} {noun} {verb}: nothing was imported."
        parts = [
            f"{self.count('created', 'create')} {'created' if self.written else 'to create'}",
            f"{self.count('updated', 'update')} {'updated' if self.written else 'to update'}",
        ]
        for outcome in ("unchanged", "duplicate"):
            number = self.count(outcome)
            if number:
                parts.append(
                    f"{number} {outcome}" + ("s" if outcome == "duplicate" and number > 1 else "")
                )
        if self.written:
            return f"Imported {total} {noun}: {', '.join(parts)}."
        return f"Checked {total} {noun}: {', '.join(parts)}. Nothing was written."


# --- planning ------------------------------------------------------------------------------


def plan_import(entries: Iterable[Entry]) -> list[PlannedEntry]:
    """Decide, for each entry, whether it creates a Source, updates one (matched by citation
    key, then DOI, URL, title and date) or repeats an earlier entry of the same input.

    Entries matched by citation key are settled first, so an exact key match is never taken
    by a looser match of another entry. Each existing Source is updated by one entry at
    most."""
    plan = []
    for entry in entries:
        if entry.error or entry.item is None:
            plan.append(PlannedEntry(entry, ERROR, error=entry.error or "nothing to import"))
            continue
        fields = csl.from_csl(entry.item)
        plan.append(PlannedEntry(entry, CREATE, identity=identity(entry.item, fields.issued)))
    valid = [p for p in plan if p.action != ERROR]
    stored = _stored_matches([p.identity for p in valid])
    claimed: dict[int, PlannedEntry] = {}

    for planned in valid:
        source = stored["citation key"].get(planned.identity.key, [None])[0]
        if source is not None:
            planned.action, planned.source, planned.matched_by = UPDATE, source, "citation key"
            claimed[source.pk] = planned

    seen: dict[tuple[str, str], list[PlannedEntry]] = defaultdict(list)
    for planned in valid:
        if planned.action == CREATE:
            _match(planned, seen, stored, claimed)
        if planned.action != DUPLICATE:
            for rule, value in planned.identity.evidence():
                seen[rule, value].append(planned)
    return plan


def _match(
    planned: PlannedEntry,
    seen: dict[tuple[str, str], list[PlannedEntry]],
    stored: dict[str, dict[str, list[Source]]],
    claimed: dict[int, PlannedEntry],
) -> None:
    key = planned.identity.key
    kept_apart: dict[str, list[str]] = defaultdict(list)  # rule -> what it also matched
    for rule, value in planned.identity.evidence():
        # A DOI names one work whatever the keys; a URL or title can be shared by versions.
        trusted = rule == "DOI"
        for earlier in seen.get((rule, value), []):
            if trusted or not _conflicting_key(key, _keys(earlier)):
                planned.action, planned.duplicate_of, planned.matched_by = DUPLICATE, earlier, rule
                return
            kept_apart[rule].append(earlier.entry.key)
        for source in stored[rule].get(value, []):
            owner = claimed.get(source.pk)
            conflict = _conflicting_key(key, _keys(owner) if owner else [source.citation_key])
            if conflict and not trusted:
                kept_apart[rule].append(f"source #{source.pk} ({conflict})")
                continue
            if owner is not None:
                planned.action, planned.duplicate_of, planned.matched_by = DUPLICATE, owner, rule
                return
            planned.action, planned.source, planned.matched_by = UPDATE, source, rule
            claimed[source.pk] = planned
            return
    for rule, others in kept_apart.items():
        planned.notes.append(
            f"same {rule} as {', '.join(dict.fromkeys(others))}, but another citation key: "
            "imported separately"
        )


def _keys(planned: PlannedEntry) -> list[str]:
    """The citation keys an entry stands for: its own, and the key of the source it updates
    (which keeps it when the entry has none)."""
    return [planned.identity.key, planned.source.citation_key if planned.source else ""]


def _conflicting_key(key: str, others: list[str]) -> str:
    return next((other for other in others if keys_conflict(key, other)), "")


def _stored_matches(identities: list[Identity]) -> dict[str, dict[str, list[Source]]]:
    """Existing sources by each matching rule and normalised value, lowest pk first."""
    found: dict[str, dict[str, list[Source]]] = {
        rule: defaultdict(list) for rule in ("citation key", "DOI", "URL", "title and date")
    }
    keys = {i.key for i in identities if i.key}
    dois = {i.doi for i in identities if i.doi}
    urls = {i.url for i in identities if i.url}
    dated = {i.title_date for i in identities if i.title_date}
    issued = sorted({i.issued for i in identities if i.title_date})
    variants = sorted({v for url in urls for v in url_variants(url)})
    candidates: dict[int, Source] = {}
    queries = [
        *(Source.objects.filter(citation_key__in=chunk) for chunk in _chunks(sorted(keys))),
        *(Source.objects.filter(url__in=chunk) for chunk in _chunks(variants)),
        *(Source.objects.filter(issued__in=chunk) for chunk in _chunks(issued)),
    ]
    if dois:
        queries.append(Source.objects.filter(csl_extra__has_key="DOI"))
    for query in queries:
        for source in query.select_related("outlet").order_by("pk"):
            candidates[source.pk] = source
    for source in sorted(candidates.values(), key=lambda s: s.pk):
        if source.citation_key in keys:
            found["citation key"][source.citation_key].append(source)
        doi = normalise_doi((source.csl_extra or {}).get("DOI"))
        if doi in dois:
            found["DOI"][doi].append(source)
        url = normalise_url(source.url)
        if url in urls:
            found["URL"][url].append(source)
        title_date = f"{normalise_title(source.title)}\n{source.issued}"
        if source.issued and title_date in dated:
            found["title and date"][title_date].append(source)
    return found


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


# --- running -------------------------------------------------------------------------------


class _Failed(Exception):
    def __init__(self, results: list[Result]) -> None:
        self.results = results


@dataclass(eq=False)
class _Draft:
    planned: PlannedEntry
    result: Result
    source: Source | None = None
    outlet_name: str = ""


def run_import(
    plan: list[PlannedEntry], *, dry_run: bool = False, allow_updates: bool = True
) -> ImportReport:
    """Validate every planned entry as a Source, then (unless `dry_run` or any entry fails)
    write them all in one transaction. Returns a result per entry either way; when any entry
    fails, every failure is reported and nothing is written.

    `allow_updates=False` makes an entry that would change an existing Source an error (for
    users who may add sources but not change them)."""
    try:
        with transaction.atomic():
            drafts = [_draft(p, allow_updates) for p in plan]
            results = [d.result for d in drafts]
            if dry_run or any(r.outcome == ERROR for r in results):
                _link_duplicates(drafts)
                return ImportReport(results, dry_run=dry_run, written=False)
            _write(drafts)
            _link_duplicates(drafts)
            return ImportReport(results, dry_run=False, written=True)
    except _Failed as failed:
        return ImportReport(failed.results, dry_run=dry_run, written=False)


def import_entries(
    entries: Iterable[Entry], *, dry_run: bool = False, allow_updates: bool = True
) -> ImportReport:
    """plan_import and run_import in one transaction, so the plan cannot go stale."""
    with transaction.atomic():
        return run_import(plan_import(entries), dry_run=dry_run, allow_updates=allow_updates)


def _draft(planned: PlannedEntry, allow_updates: bool) -> _Draft:
    entry = planned.entry
    result = Result(
        key=entry.key,
        label=entry.label,
        line=entry.line,
        outcome=planned.action,
        title=entry.title,
        matched_by=planned.matched_by,
        notes=[*entry.notes, *planned.notes],
    )
    draft = _Draft(planned, result)
    if planned.action == ERROR:
        result.error = planned.error
        return draft
    if planned.action == DUPLICATE:
        return draft
    assert entry.item is not None
    item = entry.item
    before: dict[str, Any] | None = None
    if planned.action == UPDATE and planned.source is not None:
        try:
            source = Source.objects.select_for_update().get(pk=planned.source.pk)
        except Source.DoesNotExist:
            return _error(draft, f"source #{planned.source.pk} was deleted during the import")
        before = source.to_csl()
        result.source_id = source.pk
        if keys_conflict(entry.citation_key, source.citation_key):
            # Matched by DOI from another reference manager: the source keeps its key, so
            # what cites it by that key (exports, the other manager) still finds it.
            item = {k: v for k, v in item.items() if k != "id"}
            result.notes.append(f"keeps its citation key {source.citation_key}")
    else:
        source = Source()
    draft.source = source
    draft.outlet_name = source.apply_csl(item)
    result.title, result.outlet = source.title, draft.outlet_name
    errors = _validation_errors(source, draft.outlet_name)
    if errors:
        return _error(draft, "; ".join(errors))
    if before is not None:
        fields = source.fields()
        fields.outlet_name = draft.outlet_name
        if csl.to_csl(fields, source.csl_id) == before:
            result.outcome = "unchanged"
        elif not allow_updates:
            return _error(
                draft,
                f"matches source #{source.pk} (same {planned.matched_by}), "
                "and you may not change existing sources",
            )
    return draft


def _error(draft: _Draft, message: str) -> _Draft:
    draft.result.outcome, draft.result.error = ERROR, message
    return draft


def _validation_errors(source: Source, outlet_name: str) -> list[str]:
    errors = []
    if outlet_name:
        try:
            Outlet(name=outlet_name).clean_fields(exclude=["short_label", "home_url"])
        except ValidationError as exc:
            errors += [f"outlet name: {m}" for m in exc.message_dict.get("name", [])]
    try:
        source.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = FIELD_NAMES.get(name, name)
            errors += [f"{label}: {m}" if label else m for m in messages]
    return errors


def _write(drafts: list[_Draft]) -> None:
    outlets: dict[str, Outlet] = {}
    for draft in drafts:
        result, source = draft.result, draft.source
        if source is None or result.outcome == "unchanged":
            continue
        try:
            if draft.outlet_name and draft.outlet_name not in outlets:
                outlets[draft.outlet_name], _ = Outlet.objects.get_or_create(name=draft.outlet_name)
            source.outlet = outlets.get(draft.outlet_name)
            source.save()
        except Exception as exc:
            _error(draft, f"could not be saved: {exc}")
            for other in drafts:
                if other is not draft and other.result.outcome in {"created", "updated"}:
                    other.result.outcome = CREATE if other.result.outcome == "created" else UPDATE
            raise _Failed([d.result for d in drafts]) from exc
        result.outcome = "created" if result.outcome == CREATE else "updated"
        result.source_id = source.pk


def _link_duplicates(drafts: list[_Draft]) -> None:
    by_planned = {id(d.planned): d for d in drafts}
    for draft in drafts:
        original = draft.planned.duplicate_of
        if original is None:
            continue
        target = by_planned[id(original)].result
        draft.result.duplicate_of = target.key
        draft.result.source_id = target.source_id
        draft.result.title = target.title or draft.result.title
        draft.result.outlet = target.outlet

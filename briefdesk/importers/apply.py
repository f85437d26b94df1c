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

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from briefdesk.citations.proper_nouns import read_once
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
    position: int = 0
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
    most. Linear in the number of entries: every match is a dict lookup in an index of the
    earlier entries and of the stored sources (fetched in a few batched queries), never a
    comparison with each earlier entry."""
    plan = []
    for position, entry in enumerate(entries):
        if entry.error or entry.item is None:
            plan.append(
                PlannedEntry(
                    entry, ERROR, position=position, error=entry.error or "nothing to import"
                )
            )
            continue
        fields = csl.from_csl(entry.item)
        plan.append(
            PlannedEntry(
                entry, CREATE, position=position, identity=identity(entry.item, fields.issued)
            )
        )
    valid = [p for p in plan if p.action != ERROR]
    stored = _StoredIndex([p.identity for p in valid])

    for planned in valid:
        source = stored.by_key.get(planned.identity.key)
        if source is not None:
            planned.action, planned.source, planned.matched_by = UPDATE, source, "citation key"
            stored.claim(source, planned)

    seen: dict[tuple[str, str], _Seen] = {}
    for planned in valid:
        if planned.action == CREATE:
            _match(planned, seen, stored)
        if planned.action != DUPLICATE:
            for rule, value in planned.identity.evidence():
                seen.setdefault((rule, value), _Seen()).add(planned)
    return plan


def _match(planned: PlannedEntry, seen: dict[tuple[str, str], _Seen], stored: _StoredIndex) -> None:
    key = planned.identity.key
    kept_apart: dict[str, list[str]] = {}  # rule -> what it also matched, for the note
    for rule, value in planned.identity.evidence():
        # A DOI names one work whatever the keys; a URL or title can be shared by versions.
        trusted = rule == "DOI"
        earlier_entries = seen.get((rule, value))
        if earlier_entries is not None:
            earlier = earlier_entries.match(key, trusted)
            if earlier is not None:
                planned.action, planned.duplicate_of, planned.matched_by = DUPLICATE, earlier, rule
                return
        bucket = stored.buckets.get((rule, value))
        if bucket is not None:
            source = bucket.match(key, trusted, stored.claimed)
            if source is not None:
                owner = stored.claimed.get(source.pk)
                if owner is not None:
                    planned.action, planned.duplicate_of, planned.matched_by = (
                        DUPLICATE,
                        owner,
                        rule,
                    )
                else:
                    planned.action, planned.source, planned.matched_by = UPDATE, source, rule
                    stored.claim(source, planned)
                return
        # Nothing matched, so everything sharing this value has another citation key.
        if earlier_entries is not None or bucket is not None:
            kept_apart[rule] = [
                *(earlier_entries.names(NOTE_NAMES + 1) if earlier_entries else []),
                *(bucket.names(key, stored.claimed, NOTE_NAMES + 1) if bucket else []),
            ]
            total = (earlier_entries.count() if earlier_entries else 0) + (
                len(bucket.sources) if bucket else 0
            )
            kept_apart[rule] = _listed(kept_apart[rule], total)
    for rule, others in kept_apart.items():
        planned.notes.append(
            f"same {rule} as {', '.join(others)}, but another citation key: imported separately"
        )


NOTE_NAMES = 3  # a note names this many references that share a value, then "and N more"


def _listed(names: list[str], total: int) -> list[str]:
    shown = names[:NOTE_NAMES]
    more = total - len(shown)
    return [*shown[:-1], f"{shown[-1]} and {more:,} more"] if more > 0 and shown else shown


def _keys(planned: PlannedEntry) -> list[str]:
    """The citation keys an entry stands for: its own, and the key of the source it updates
    (which keeps it when the entry has none)."""
    return [planned.identity.key, planned.source.citation_key if planned.source else ""]


def _conflicting_key(key: str, others: list[str]) -> str:
    return next((other for other in others if keys_conflict(key, other)), "")


class _Seen:
    """The earlier entries of the input that share one (rule, value), indexed by what they
    may be matched with: an entry with key K repeats the first earlier entry whose citation
    keys are all K or empty (any entry, when it has no key or the rule is trusted)."""

    def __init__(self) -> None:
        self.first: PlannedEntry | None = None
        self.keyless: PlannedEntry | None = None
        self.by_key: dict[str, PlannedEntry] = {}
        self.keys: dict[str, None] = {}  # every entry's key, in input order, for notes

    def add(self, planned: PlannedEntry) -> None:
        self.first = self.first or planned
        keys = {k for k in _keys(planned) if k}
        if not keys:
            self.keyless = self.keyless or planned
        elif len(keys) == 1:
            self.by_key.setdefault(next(iter(keys)), planned)
        self.keys.setdefault(planned.entry.key)

    def match(self, key: str, trusted: bool) -> PlannedEntry | None:
        if trusted or not key:
            return self.first
        found = [p for p in (self.keyless, self.by_key.get(key)) if p is not None]
        return min(found, key=lambda p: p.position) if found else None

    def names(self, limit: int) -> list[str]:
        return list(islice(self.keys, limit))

    def count(self) -> int:
        return len(self.keys)


class _Bucket:
    """Stored sources that share one (rule, value), lowest pk first, indexed like _Seen: an
    entry with key K may update (or, once another entry claimed it, repeat that entry) the
    first source whose key, and whose claiming entry's key, are K or empty."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.keyless: list[Source] = []
        self.by_key: dict[str, Source] = {}
        self.next_free = 0  # keyless[:next_free] are all claimed (claims are never undone)
        self.claimed_by: dict[str, Source] = {}  # claiming entry's key -> first such keyless source

    def add(self, source: Source) -> None:
        self.sources.append(source)
        if source.citation_key:
            self.by_key.setdefault(source.citation_key, source)
        else:
            self.keyless.append(source)

    def claimed(self, source: Source, owner: PlannedEntry) -> None:
        if not source.citation_key:
            current = self.claimed_by.get(owner.identity.key)
            if current is None or source.pk < current.pk:
                self.claimed_by[owner.identity.key] = source

    def match(self, key: str, trusted: bool, claimed: dict[int, PlannedEntry]) -> Source | None:
        if trusted or not key:
            return self.sources[0] if self.sources else None
        while self.next_free < len(self.keyless) and self.keyless[self.next_free].pk in claimed:
            self.next_free += 1
        found = [
            self.keyless[self.next_free] if self.next_free < len(self.keyless) else None,
            self.claimed_by.get(key),
            self.claimed_by.get(""),
        ]
        same_key = self.by_key.get(key)
        owner = claimed.get(same_key.pk) if same_key is not None else None
        if same_key is not None and (owner is None or owner.identity.key in ("", key)):
            found.append(same_key)
        candidates = [s for s in found if s is not None]
        return min(candidates, key=lambda s: s.pk) if candidates else None

    def names(self, key: str, claimed: dict[int, PlannedEntry], limit: int) -> list[str]:
        names = []
        for source in self.sources[:limit]:
            owner = claimed.get(source.pk)
            conflict = _conflicting_key(key, _keys(owner) if owner else [source.citation_key])
            names.append(f"source #{source.pk} ({conflict})")
        return names


class _StoredIndex:
    """Existing sources that share a citation key, DOI, URL or title and date with the
    entries, found in batched queries (a few per 500 entries) and indexed by rule and value."""

    def __init__(self, identities: list[Identity]) -> None:
        self.by_key: dict[str, Source] = {}
        self.buckets: dict[tuple[str, str], _Bucket] = {}
        self.claimed: dict[int, PlannedEntry] = {}
        self._source_buckets: dict[int, list[_Bucket]] = defaultdict(list)
        keys = {i.key for i in identities if i.key}
        dois = {i.doi for i in identities if i.doi}
        urls = {i.url for i in identities if i.url}
        dated = {i.title_date for i in identities if i.title_date}
        for source in _stored_candidates(keys, dois, urls, dated):
            if source.citation_key in keys:
                self.by_key.setdefault(source.citation_key, source)
            values = [
                ("DOI", normalise_doi((source.csl_extra or {}).get("DOI")), dois),
                ("URL", normalise_url(source.url), urls),
                (
                    "title and date",
                    f"{normalise_title(source.title)}\n{source.issued}" if source.issued else "",
                    dated,
                ),
            ]
            for rule, value, wanted in values:
                if value and value in wanted:
                    bucket = self.buckets.setdefault((rule, value), _Bucket())
                    bucket.add(source)
                    self._source_buckets[source.pk].append(bucket)

    def claim(self, source: Source, planned: PlannedEntry) -> None:
        self.claimed[source.pk] = planned
        for bucket in self._source_buckets.get(source.pk, []):
            bucket.claimed(source, planned)


def _stored_candidates(
    keys: set[str], dois: set[str], urls: set[str], dated: set[str]
) -> list[Source]:
    """Stored sources that may match, lowest pk first. DOIs (kept in JSON, in any case) and
    titles (compared normalised) are narrowed on light (pk, value) rows before whole sources
    are loaded."""
    pks: set[int] = set()
    variants = sorted({v for url in urls for v in url_variants(url)})
    for chunk in _chunks(sorted(keys)):
        pks.update(Source.objects.filter(citation_key__in=chunk).values_list("pk", flat=True))
    for chunk in _chunks(variants):
        pks.update(Source.objects.filter(url__in=chunk).values_list("pk", flat=True))
    if dois:
        rows = Source.objects.filter(csl_extra__has_key="DOI").values_list("pk", "csl_extra__DOI")
        pks.update(pk for pk, doi in rows if normalise_doi(doi) in dois)
    issued = sorted({value.rpartition("\n")[2] for value in dated})
    for chunk in _chunks(issued):
        dated_rows = Source.objects.filter(issued__in=chunk).values_list("pk", "title", "issued")
        pks.update(
            pk for pk, title, date in dated_rows if f"{normalise_title(title)}\n{date}" in dated
        )
    found: list[Source] = []
    for chunk in _chunks(sorted(pks)):
        found.extend(Source.objects.filter(pk__in=chunk))
    return sorted(found, key=lambda s: s.pk)


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
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
    formatted: bool = False  # `source.formatted` is fresh for exactly what will be saved


def run_import(
    plan: list[PlannedEntry],
    *,
    dry_run: bool = False,
    allow_updates: bool = True,
    check_formatting: bool = True,
) -> ImportReport:
    """Check every planned entry as the Source it will be, then (unless `dry_run` or any
    entry fails) write them all in one transaction. Returns a result per entry either way;
    when any entry fails, every failure is reported and nothing is written.

    The dry run and the import run the same checks: model validation, and formatting in
    every style with citeproc-js (what saving a Source does), so an entry the engine cannot
    format is an error in the preview, with the engine's reason on one line. Outlets the
    entries name are created for the check and rolled back unless the import is written.
    Ids of new sources are filled in only once the transaction has been committed (or, inside
    an outer atomic block, released to it), so no report shows the id of a rolled-back row.

    `allow_updates=False` makes an entry that would change an existing Source an error (for
    users who may add sources but not publish changes to them). `check_formatting=False`
    skips the formatting check, and formats only while writing (benchmarks use it to time
    the rest)."""
    drafts: list[_Draft] = []
    try:
        with transaction.atomic():
            locked = _lock_sources(plan)
            drafts = [_draft(p, allow_updates, locked) for p in plan]
            outlets = _outlets(drafts)
            # The site's names (new outlets included) read once for every entry formatted.
            with read_once():
                if check_formatting:
                    for draft in drafts:
                        _check_formatting(draft)
                results = [d.result for d in drafts]
                if dry_run or any(r.outcome == ERROR for r in results):
                    # Outlets created for the check (and anything else) go back.
                    transaction.set_rollback(True)
                    _link_duplicates(drafts)
                    return ImportReport(results, dry_run=dry_run, written=False)
                _write(drafts, outlets)
    except _Failed as failed:
        return ImportReport(failed.results, dry_run=dry_run, written=False)
    for draft in drafts:
        if draft.result.outcome in {"created", "updated"} and draft.source is not None:
            draft.result.source_id = draft.source.pk
    _link_duplicates(drafts)
    return ImportReport([d.result for d in drafts], dry_run=False, written=True)


def import_entries(
    entries: Iterable[Entry],
    *,
    dry_run: bool = False,
    allow_updates: bool = True,
    check_formatting: bool = True,
) -> ImportReport:
    """plan_import and run_import in one transaction, so the plan cannot go stale."""
    with transaction.atomic():
        return run_import(
            plan_import(entries),
            dry_run=dry_run,
            allow_updates=allow_updates,
            check_formatting=check_formatting,
        )


def _lock_sources(plan: list[PlannedEntry]) -> dict[int, Source]:
    """The sources the plan updates, locked for the transaction, in batched queries."""
    pks = sorted({p.source.pk for p in plan if p.action == UPDATE and p.source is not None})
    locked: dict[int, Source] = {}
    for chunk in _chunks(pks):
        for source in Source.objects.select_for_update().filter(pk__in=chunk):
            locked[source.pk] = source
    return locked


def _draft(planned: PlannedEntry, allow_updates: bool, locked: dict[int, Source]) -> _Draft:
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
        source = locked.get(planned.source.pk)
        if source is None:
            return _error(draft, f"source #{planned.source.pk} was deleted during the import")
        result.source_id = source.pk  # an existing source: its id is real whatever happens
        before = source.to_csl()
        if keys_conflict(entry.citation_key, source.citation_key):
            # Matched by DOI from another reference manager: the source keeps its key, so
            # what cites it by that key (exports, the other manager) still finds it.
            item = {k: v for k, v in item.items() if k != "id"}
            result.notes.append(f"keeps its citation key {source.citation_key}")
    else:
        source = Source()
    draft.source = source
    draft.outlet_name = source.apply_csl(item)
    result.title, result.outlet = source.display_title, draft.outlet_name
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
                f"matches source #{source.pk} (same {planned.matched_by}): changing a "
                "published source needs an editor, so an editor must import this reference",
            )
        elif source.has_unpublished_changes:
            # Publishing that draft later would silently undo this import.
            return _error(
                draft,
                f"matches source #{source.pk} (same {planned.matched_by}), which has a draft "
                "awaiting review: publish or discard that draft first",
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


def _writes(draft: _Draft) -> bool:
    """Whether the draft's source is to be saved (a new source, or a changed one)."""
    return draft.source is not None and draft.result.outcome in {CREATE, UPDATE}


def _outlets(drafts: list[_Draft]) -> dict[str, Outlet]:
    """The outlets the sources to save name, by name: found in batched queries, and created
    when missing (inside the caller's transaction: rolled back with a dry run)."""
    names = sorted({d.outlet_name for d in drafts if _writes(d) and d.outlet_name})
    outlets: dict[str, Outlet] = {}
    for chunk in _chunks(names):
        outlets.update((o.name, o) for o in Outlet.objects.filter(name__in=chunk))
    for name in names:
        if name not in outlets:
            outlets[name], _ = Outlet.objects.get_or_create(name=name)
    for draft in drafts:
        if _writes(draft):
            assert draft.source is not None
            draft.source.outlet = outlets.get(draft.outlet_name)
    return outlets


def _check_formatting(draft: _Draft) -> None:
    """Format the source in every style, as saving it will (Source.refresh_formatted, on the
    unsaved instance); an engine error makes the entry an error with a one-line reason."""
    if not _writes(draft):
        return
    assert draft.source is not None
    try:
        draft.source.refresh_formatted()
    except Exception as exc:  # any engine failure is this entry's error, not a 500
        _error(draft, engine_error(exc))
        return
    draft.formatted = True


_JS_LOCATION = re.compile(r"^(?:<anonymous>|[\w./-]+\.js):\d+(?::\d+)?:\s*")


def engine_error(exc: BaseException) -> str:
    """A citation-engine failure as one readable line: the first line of the JavaScript
    error (V8 adds the offending source line, a caret and a stack below it), without its
    location. The engine's own FormattingFailed is one line already, but may name only the
    exception type, so the JavaScript error it replaced is read when it is there."""
    original = exc.__cause__ or exc.__context__ or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    reason = _JS_LOCATION.sub("", lines[0]) if lines else type(original).__name__
    reason = reason.removeprefix("The citation engine could not format this: ")
    reason = reason.removeprefix("citeproc-js error: ").removeprefix("Error: ")
    if len(reason) > 200:
        reason = reason[:199] + "…"
    return f"the citation engine cannot format it: {reason}"


def _write(drafts: list[_Draft], outlets: dict[str, Outlet]) -> None:
    for draft in drafts:
        result, source = draft.result, draft.source
        if source is None or not _writes(draft):
            continue
        try:
            source.outlet = outlets.get(draft.outlet_name)
            _save(source, formatted=draft.formatted)
        except Exception as exc:
            _error(draft, f"could not be saved: {_one_line(exc)}")
            for other in drafts:
                if other is not draft and other.result.outcome in {"created", "updated"}:
                    other.result.outcome = CREATE if other.result.outcome == "created" else UPDATE
            raise _Failed([d.result for d in drafts]) from exc
        result.outcome = "created" if result.outcome == CREATE else "updated"


def _save(source: Source, *, formatted: bool) -> None:
    """Source.save(); when `formatted`, without formatting again. Formatting is most of an
    import's time, and the check already formatted this very instance, with its outlet, in
    every style: the instance's `refresh_formatted` is shadowed for this one save."""
    if not formatted:
        source.save()
        return
    source.__dict__["refresh_formatted"] = _already_formatted
    try:
        source.save()
    finally:
        del source.__dict__["refresh_formatted"]


def _already_formatted() -> None:
    return None


def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


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

"""Link health of sources, kept as history: each check of a source's URL is one LinkCheck row.

    check_source(12)                      # one row for source 12
    check_sources([12, 13], states=None)  # one row per source with a web URL, checked at once
    latest_health([12, 13])               # {12: LinkCheck, 13: LinkCheck}, in one query

The checking itself is briefdesk.archive.linkcheck (polite, concurrent, with retries) and
the verdict briefdesk.archive.health; this module only reads sources and their last
snapshot's main text, and writes the rows. Sources without a web URL (a cable, a print
article) have no link and are never checked. A broken link is data, never an error.
`check_source_task` runs one check on the task queue (django-tasks), e.g. from the
"Re-check" button of the Source health report; `check_all_task` checks every link (the
scheduler's daily job, run_scheduler --links-at).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Field, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django_tasks import task

from briefdesk.archive.linkcheck import LinkResult, LinkToCheck, check_links

from .models import LinkCheck, LinkState, Snapshot, Source

# Snapshots a reader may be sent to instead of a broken link: pages that answered.
USABLE_STATUSES = (200, 300)  # from, to (excluded)
USABLE_SNAPSHOT = Q(status__gte=USABLE_STATUSES[0], status__lt=USABLE_STATUSES[1])
# States in which a citation links to the archived copy (when there is one): the link is dead
# (a soft-404 too: a not-found page or the home page answering 200) or no longer says it.
ARCHIVED_STATES = frozenset({"gone", "unreachable", "drifted", "soft-404"})
BATCH = 1000


def checkable(sources: QuerySet[Source]) -> QuerySet[Source]:
    """The sources that have a link to check: an http(s) URL."""
    return sources.filter(Q(url__istartswith="http://") | Q(url__istartswith="https://"))


def latest_snapshot_subquery(field: str = "pk") -> Subquery:
    """A Subquery giving `field` of the outer source's latest usable snapshot."""
    latest = Snapshot.objects.filter(USABLE_SNAPSHOT, source=OuterRef("pk")).order_by(
        "-captured_at", "-id"
    )
    return Subquery(latest.values(field)[:1])


def latest_check_subquery(field: str = "state") -> Subquery:
    """A Subquery giving `field` of the outer source's latest LinkCheck."""
    latest = LinkCheck.objects.filter(source=OuterRef("pk")).order_by("-checked_at", "-id")
    return Subquery(latest.values(field)[:1])


def latest_check_column(field: str) -> RawSQL:
    """`latest_check_subquery(field)` for a query of Source itself (its table unaliased, as
    in `Source.objects...`), written out: the same SQL, which Django then need not build
    from querysets on every page (a brief page's render reads three of these)."""
    return _latest_column(LinkCheck, field, "checked_at", "")


def latest_snapshot_column(field: str) -> RawSQL:
    """`latest_snapshot_subquery(field)`, written out as `latest_check_column` is."""
    status = _column(Snapshot, "status")
    usable = f" AND {status} >= {USABLE_STATUSES[0]:d} AND {status} < {USABLE_STATUSES[1]:d}"
    return _latest_column(Snapshot, field, "captured_at", usable)


def _column(model: Any, field: str) -> str:
    return f'"{model._meta.db_table}"."{model._meta.get_field(field).column}"'


def _latest_column(model: Any, field: str, newest: str, condition: str) -> RawSQL:
    # Standard SQL quoting, which both supported databases (SQLite, PostgreSQL) read.
    output: Field[Any, Any] = model._meta.pk if field == "pk" else model._meta.get_field(field)
    source = f'"{Source._meta.db_table}"."{Source._meta.pk.column}"'
    sql = (
        f'(SELECT {_column(model, output.name)} FROM "{model._meta.db_table}"'
        f" WHERE {_column(model, 'source')} = {source}{condition}"
        f" ORDER BY {_column(model, newest)} DESC, {_column(model, 'id')} DESC LIMIT 1)"
    )
    return RawSQL(sql, (), output_field=output)


def latest_health(source_ids: Iterable[int]) -> dict[int, LinkCheck]:
    """The newest LinkCheck of each of these sources that has one, by source id, in one
    query (a correlated subquery served by the (source, -checked_at) index)."""
    ids = list(source_ids)
    if not ids:
        return {}
    newest = LinkCheck.objects.filter(source=OuterRef("source")).order_by("-checked_at", "-id")
    rows = LinkCheck.objects.filter(source_id__in=ids, pk=Subquery(newest.values("pk")[:1]))
    return {row.source_id: row for row in rows}


def check_sources(
    source_ids: Iterable[int] | None = None,
    *,
    states: Iterable[str] | None = None,
    on_checked: Callable[[LinkCheck], None] | None = None,
    **options: Any,
) -> list[LinkCheck]:
    """Check the links of these sources (every checkable source when None), or only of
    those whose latest check is in `states`, and write one LinkCheck each. Returns the rows
    in source-id order. `on_checked` is called with each row once it is saved (progress
    output); `options` go to linkcheck.check_links (workers, retries, fetch ...)."""
    sources = checkable(Source.objects.all())
    if source_ids is not None:
        sources = sources.filter(pk__in=list(source_ids))
    if states is not None:
        sources = sources.annotate(latest_state=latest_check_subquery()).filter(
            latest_state__in=list(states)
        )
    pairs = list(sources.order_by("pk").values_list("pk", "url"))
    written: list[LinkCheck] = []
    # In batches: the snapshots' texts of every source at once could be hundreds of MB.
    for start in range(0, len(pairs), BATCH):
        batch = pairs[start : start + BATCH]
        texts = dict(
            Source.objects.filter(pk__in=[pk for pk, _ in batch])
            .annotate(previous_text=latest_snapshot_subquery("text"))
            .values_list("pk", "previous_text")
        )

        def save(index: int, result: LinkResult, batch: list[tuple[int, str]] = batch) -> None:
            # Each row is written as its check ends: a run that stops keeps what it did.
            check = _save(batch[index][0], result)
            written.append(check)
            if on_checked is not None:
                on_checked(check)

        items = [LinkToCheck(url, texts.get(pk) or "") for pk, url in batch]
        check_links(items, on_result=save, **options)
    return sorted(written, key=lambda check: check.source_id)


def check_source(source_id: int, **options: Any) -> LinkCheck | None:
    """Check one source's link and write its LinkCheck (None: no such source or no web
    URL)."""
    checks = check_sources([source_id], **options)
    return checks[0] if checks else None


def check_all(**options: Any) -> list[LinkCheck]:
    """Check every source with a web URL."""
    return check_sources(None, **options)


def state_counts(checks: Iterable[LinkCheck]) -> dict[str, int]:
    """How many checks found each state, in LinkState order (states found none of: left out)."""
    found = [check.state for check in checks]
    return {state: found.count(state) for state in LinkState.values if state in found}


@task()
def check_all_task() -> dict[str, int]:
    """Check every source with a web URL on the task queue (the scheduler's daily check);
    returns the counts by state."""
    return state_counts(check_all())


@task()
def check_source_task(source_id: int) -> str:
    """Check one source's link on the task queue; returns the state found ("" if none)."""
    check = check_source(source_id)
    return check.state if check else ""


def _save(source_id: int, result: LinkResult) -> LinkCheck:
    health = result.health
    return LinkCheck.objects.create(
        source_id=source_id,
        checked_at=result.checked_at,
        url=result.url[:2000],
        state=health.state,
        status=health.status,
        target=health.target[:2000],
        permanent=health.permanent,
        similarity=health.similarity,
        detail=health.detail[:500],
    )

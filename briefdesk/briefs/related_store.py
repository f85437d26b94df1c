"""The ORM side of More on This Topic: reads live, public briefs into the engine's plain data
(briefdesk.related.engine) and stores its lists as RelatedBrief rows, which pages read.

    rebuild_related()              # every list, from scratch (`briefdesk related --rebuild`)
    update_related(brief_id)       # a brief was published or changed
    withdraw_related([brief_id])   # briefs stopped being public: unpublished, deleted, private

The update and withdraw functions take ids, not pages, so a task queue can call them as they
are: briefs.related_signals enqueues them as briefs.tasks jobs on publish (run by `briefdesk
worker`, or in the publish itself with the immediate backend). They never raise into the
publish: a failure is logged and the stored lists stay as they were.

The engine's index is kept per process and checked before each use with one aggregate query
(count, sum of ids and live revision ids, newest live revision of the live, public briefs):
when another process has published, unpublished or restricted a brief meanwhile, it is refitted
from the database; otherwise only the changed brief is applied to it. Stored rows leave out
each brief's pins and exclusions, so pins and stored rows together fill its three places.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum

from briefdesk.related.engine import (
    BriefData,
    Index,
    Related,
    build_index,
    candidates,
    plan_removal,
    plan_update,
    rank_all,
)

from .teasers import prose_text

logger = logging.getLogger(__name__)

SHOWN = 3
_BATCH = 900  # ids per IN (...) query: under SQLite's variable limit


@dataclass
class _Cached:
    index: Index
    restricted: list[str]
    stamp: tuple[Any, ...]
    revisions: dict[int, int | None]


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def _public_briefs(restricted: list[str]) -> Any:
    from briefdesk.core.visibility import private_q

    from .models import BriefPage

    return BriefPage.objects.live().exclude(private_q(restricted))


def _stamp(restricted: list[str], exclude: int | None = None) -> tuple[Any, ...]:
    briefs = _public_briefs(restricted)
    if exclude is not None:
        briefs = briefs.exclude(pk=exclude)
    found = briefs.aggregate(
        n=Count("pk"),
        ids=Sum("pk"),
        revisions=Sum("live_revision_id"),
        newest=Max("live_revision__created_at"),
    )
    return (found["n"], found["ids"] or 0, found["revisions"] or 0, found["newest"])


def _body_text(raw: Any) -> str:
    return " ".join(
        prose_text(str(block.get("value") or ""))
        for block in raw or []
        if isinstance(block, dict) and block.get("type") == "paragraph"
    )


def brief_data(restricted: list[str], ids: Iterable[int] | None = None) -> list[BriefData]:
    """The live, public briefs (or those of `ids` that are) as the engine reads them: title,
    summary, the body's paragraphs as plain text, topics in order, cited sources in order,
    date. Four queries per batch of ids (one for all briefs when `ids` is None)."""
    from .models import BriefSource, BriefTopic

    briefs = _public_briefs(restricted).only("pk", "title", "summary", "body", "date")
    if ids is None:
        return _brief_data(list(briefs.order_by("pk")), BriefTopic, BriefSource, None)
    wanted = sorted(set(ids))
    out: list[BriefData] = []
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        pages = list(briefs.filter(pk__in=chunk).order_by("pk"))
        out += _brief_data(pages, BriefTopic, BriefSource, chunk)
    return out


def _brief_data(pages: list[Any], topic_model: Any, source_model: Any, ids: Any) -> list[Any]:
    topics: dict[int, list[int]] = defaultdict(list)
    sources: dict[int, list[int]] = defaultdict(list)
    topic_rows = topic_model.objects.order_by("page_id", "sort_order", "pk")
    source_rows = source_model.objects.order_by("page_id", "position")
    if ids is not None:
        topic_rows, source_rows = (
            topic_rows.filter(page_id__in=ids),
            source_rows.filter(page_id__in=ids),
        )
    for page_id, topic_id in topic_rows.values_list("page_id", "topic_id"):
        topics[page_id].append(topic_id)
    for page_id, source_id in source_rows.values_list("page_id", "source_id"):
        sources[page_id].append(source_id)
    return [
        BriefData(
            id=page.pk,
            title=page.title,
            summary=page.summary,
            body=_body_text(page.body.raw_data),
            topics=tuple(topics[page.pk]),
            sources=tuple(sources[page.pk]),
            date=page.date,
        )
        for page in pages
    ]


def _hidden(ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    """Per brief, the briefs its stored list leaves out: its pins (shown anyway, first) and
    its exclusions (never shown)."""
    from .models import BriefRelatedExclusion, BriefRelatedPin

    hidden: dict[int, set[int]] = defaultdict(set)
    pins = BriefRelatedPin.objects.all()
    exclusions = BriefRelatedExclusion.objects.all()
    wanted = None if ids is None else sorted(set(ids))
    batches: list[list[int] | None] = (
        [None]
        if wanted is None
        else [wanted[n : n + _BATCH] for n in range(0, len(wanted), _BATCH)]
    )
    for batch in batches:
        p = pins if batch is None else pins.filter(page_id__in=batch)
        e = exclusions if batch is None else exclusions.filter(page_id__in=batch)
        for page_id, other in p.values_list("page_id", "related_id"):
            hidden[page_id].add(other)
        for page_id, other in e.values_list("page_id", "excluded_id"):
            hidden[page_id].add(other)
    return hidden


def _fit(restricted: list[str]) -> _Cached:
    index = build_index(brief_data(restricted))
    revisions = dict(_public_briefs(restricted).values_list("pk", "live_revision_id"))
    cached = _Cached(index, restricted, _stamp(restricted), revisions)
    _cache["index"] = cached
    return cached


def _existing(ids: Iterable[int]) -> set[int]:
    """Those of `ids` that are briefs now (an index older than the database must not write a
    row naming a deleted brief: the foreign key would fail the publish's commit)."""
    from .models import BriefPage

    wanted, found = sorted(set(ids)), set()
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        found.update(BriefPage.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _write(lists: dict[int, list[Related]], replace_all: bool = False) -> None:
    from .models import RelatedBrief

    existing = _existing([*lists, *(r.id for ranked in lists.values() for r in ranked)])
    lists = {
        page: [r for r in ranked if r.id in existing]
        for page, ranked in lists.items()
        if page in existing
    }
    before = _stored_lists(None if replace_all else lists)
    with transaction.atomic():
        if replace_all:
            RelatedBrief.objects.all().delete()
        else:
            ids = sorted(lists)
            for start in range(0, len(ids), _BATCH):
                RelatedBrief.objects.filter(page_id__in=ids[start : start + _BATCH]).delete()
        RelatedBrief.objects.bulk_create(
            (
                RelatedBrief(page_id=page, related_id=r.id, score=r.score, position=n)
                for page, ranked in lists.items()
                for n, r in enumerate(ranked)
            ),
            batch_size=1000,
        )
        # The pages whose More on This Topic now reads differently leave the caches.
        after = {page: [r.id for r in ranked] for page, ranked in lists.items()}
        changed = {page for page in {*before, *after} if before.get(page) != after.get(page)}
        if changed:
            from briefdesk.core.pagecache.purge import purge, shown_briefs

            purge(after=lambda: shown_briefs(changed))


def _stored_lists(pages: Iterable[int] | None) -> dict[int, list[int]]:
    """The stored lists of these briefs (every brief's with None): page id -> related ids."""
    from .models import RelatedBrief

    rows = RelatedBrief.objects.order_by("page_id", "position")
    if pages is not None:
        rows = rows.filter(page_id__in=list(pages))
    lists: dict[int, list[int]] = {}
    for page_id, related_id in rows.values_list("page_id", "related_id"):
        lists.setdefault(page_id, []).append(related_id)
    return lists


def rebuild_related() -> int:
    """Score every live, public brief and replace every stored list; return how many briefs
    were scored."""
    from briefdesk.core.visibility import restricted_paths

    with _lock:
        cached = _fit(restricted_paths())
        lists = rank_all(cached.index, SHOWN, _hidden())
        _write(lists, replace_all=True)
        return len(lists)


def _stored(ids: Iterable[int]) -> dict[int, list[Related]]:
    from .models import RelatedBrief

    stored: dict[int, list[Related]] = defaultdict(list)
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _BATCH):
        rows = RelatedBrief.objects.filter(page_id__in=wanted[start : start + _BATCH])
        for page_id, related_id, score in rows.order_by("page_id", "position").values_list(
            "page_id", "related_id", "score"
        ):
            stored[page_id].append(Related(related_id, score))
    return stored


def _listing(brief_ids: Iterable[int]) -> list[int]:
    """The briefs whose stored lists hold any of `brief_ids`."""
    from .models import RelatedBrief

    return sorted(
        set(
            RelatedBrief.objects.filter(related_id__in=list(brief_ids)).values_list(
                "page_id", flat=True
            )
        )
    )


def update_related(brief_id: int) -> None:
    """A brief was published or changed: store its list, and the lists of the briefs it now
    enters or leaves. A brief that is not live and public is withdrawn instead."""
    from briefdesk.core.visibility import restricted_paths

    try:
        with _lock:
            restricted = restricted_paths()
            data = brief_data(restricted, [brief_id])
            if not data:
                _withdraw([brief_id], restricted)
                return
            cached = _cache.get("index")
            if cached is None or not _only_this_changed(cached, restricted, brief_id):
                cached = _fit(restricted)
            else:
                cached.index.upsert(data[0])
            near = candidates(cached.index, brief_id)
            listing = _listing([brief_id])
            current = _stored([*near, *listing])
            for other in listing:
                current.setdefault(other, [])
            update = plan_update(
                cached.index, brief_id, current, _hidden([brief_id, *near, *listing]), SHOWN
            )
            _write(update.lists)
            _remember(cached, restricted, [brief_id])
    except Exception:  # the publish must go on; the lists are refreshed by the next rebuild
        logger.exception("More on This Topic: updating brief %s failed", brief_id)


def _only_this_changed(cached: _Cached, restricted: list[str], brief_id: int) -> bool:
    if cached.restricted != restricted:
        return False
    n, ids, revisions, newest = cached.stamp
    if brief_id in cached.revisions:
        n, ids, revisions = n - 1, ids - brief_id, revisions - (cached.revisions[brief_id] or 0)
    now = _stamp(restricted, exclude=brief_id)
    same_rest = now[:3] == (n, ids, revisions)
    older = now[3] is None or (newest is not None and now[3] <= newest)
    return same_rest and older


def _remember(cached: _Cached, restricted: list[str], changed: Iterable[int]) -> None:
    from .models import BriefPage

    for brief_id, revision in BriefPage.objects.filter(pk__in=list(changed)).values_list(
        "pk", "live_revision_id"
    ):
        if brief_id in cached.index.rows:
            cached.revisions[brief_id] = revision
        else:
            cached.revisions.pop(brief_id, None)
    for brief_id in list(changed):
        if brief_id not in cached.index.rows:
            cached.revisions.pop(brief_id, None)
    cached.stamp = _stamp(restricted)


def withdraw_related(brief_ids: Iterable[int]) -> None:
    """Briefs stopped being public (unpublished, deleted, made private): drop their lists,
    take them out of every other list, and give those briefs their next best."""
    from briefdesk.core.visibility import restricted_paths

    try:
        with _lock:
            _withdraw(list(brief_ids), restricted_paths())
    except Exception:
        logger.exception("More on This Topic: withdrawing briefs %s failed", list(brief_ids))


def _withdraw(brief_ids: list[int], restricted: list[str]) -> None:
    from .models import RelatedBrief

    listing = _listing(brief_ids)
    cached = _cache.get("index")
    if cached is None or cached.restricted != restricted:
        cached = _fit(restricted)  # already without them
    lists: dict[int, list[Related]] = {}
    hidden = _hidden(listing)
    for brief_id in brief_ids:
        others = [p for p in listing if p not in brief_ids]
        lists.update(plan_removal(cached.index, brief_id, others, hidden, SHOWN).lists)
    RelatedBrief.objects.filter(page_id__in=brief_ids).delete()
    _write({p: ranked for p, ranked in lists.items() if p not in brief_ids})
    _remember(cached, restricted, brief_ids)


def forget_index() -> None:
    """Drop this process's index (tests; after a restore)."""
    _cache.clear()

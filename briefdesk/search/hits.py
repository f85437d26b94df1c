"""The records one search matched, scored and kept in a temporary table for the request.

    collect(terms, params)    # match once, keep what the reader may see, score it
    counts()                  # {"brief": 1784, "guide": 2, …}
    ranked("relevance", 20)   # [Hit…], the best first, every kind merged

Why a table: the ranking, the counts and six facets all need the match, and the match is
the expensive part. Asked as a subquery each time, it ran ten times per search. On SQLite it
was worse: Wagtail's backend joins its index table to the FTS5 table with the index first,
and SQLite then evaluates MATCH once per index row (EXPLAIN: "SEARCH U1 USING COVERING INDEX
(content_type_id=?)" outside "SCAN U0 VIRTUAL TABLE"): 270 ms for 2,000 briefs. Here the
FTS5 table is asked first (`rowid IN (… MATCH …)`), once; on PostgreSQL the match is
Wagtail's own query (its GIN-indexed tsvectors), once per kind.

The tables are TEMPORARY: private to the database connection (one request at a time) and
emptied at the start of each search, so nothing outlives the search it was made for. They
do not suit a transaction-pooling proxy (pgbouncer in transaction mode) before PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

if TYPE_CHECKING:
    from .params import SearchParams

RAW = "briefdesk_search_raw"
HITS = "briefdesk_search_hits"
KIND_ORDER = "CASE kind WHEN 'guide' THEN 0 WHEN 'expert' THEN 1 WHEN 'brief' THEN 2 ELSE 3 END"


@dataclass(frozen=True)
class Hit:
    """One ranked result: which record, its score and the date it sorts by (None: undated)."""

    kind: str
    pk: int
    score: int
    date: dt.date | None
    title: str


def models_by_kind() -> dict[str, Any]:
    from briefdesk.briefs.models import AuthorPage, BriefPage
    from briefdesk.sources.models import Source
    from briefdesk.topics.models import TopicGuidePage

    from .params import BRIEF, EXPERT, GUIDE, SOURCE

    return {BRIEF: BriefPage, GUIDE: TopicGuidePage, EXPERT: AuthorPage, SOURCE: Source}


def match_expression(terms: str) -> str:
    """The FTS5 query for every word in the title or body column, each word quoted. The
    words are letters and digits only (params.search_terms), so no quote is inside one."""
    words = " AND ".join(f'"{word}"' for word in terms.split())
    return f"{{title body}} : ({words})"


def collect(terms: str, params: SearchParams) -> None:
    """Fill the hits table: every record of the kinds `params` allows whose index entry holds
    every word of `terms`, that a reader may open and the filters keep, with its score."""
    from .params import BRIEF
    from .query import filtered, score_expression, visible_querysets

    kinds = params.kinds
    text = "text"  # PostgreSQL and SQLite both know it
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {RAW} (kind {text}, id integer)")
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {HITS} (kind {text}, id integer, "
            f"score integer, sortdate {text}, title {text}, brief_type {text})"
        )
        cursor.execute(f"DELETE FROM {RAW}")
        cursor.execute(f"DELETE FROM {HITS}")
        if not kinds:
            return
        models = {kind: models_by_kind()[kind] for kind in kinds}
        if connection.vendor == "sqlite":
            _match_sqlite(cursor, terms, models)
        else:
            _match_backend(cursor, terms, models)
        visible = visible_querysets()
        for kind in kinds:
            rows = (
                filtered(kind, visible[kind].filter(pk__in=_raw_ids(kind)), params)
                .order_by()
                # Annotations only, in the table's column order (values() keeps it).
                .annotate(
                    hit_kind=Value(kind, output_field=CharField()),
                    hit_id=F("pk"),
                    hit_score=score_expression(kind, terms),
                    hit_date=_date_expression(kind),
                    hit_title=F("title"),
                    # Kept for the type facet: no join back to 30,000 wide brief rows.
                    hit_type=F("brief_type") if kind == BRIEF else Value(None, CharField()),
                )
                .values("hit_kind", "hit_id", "hit_score", "hit_date", "hit_title", "hit_type")
            )
            sql, sql_params = rows.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {HITS} (kind, id, score, sortdate, title, brief_type) {sql}",
                sql_params,
            )


def _date_expression(kind: str) -> Any:
    """The date a kind sorts by, as text "YYYY-MM-DD" (a source's may be "YYYY-MM" or "YYYY")."""
    from .params import BRIEF, SOURCE

    if kind == BRIEF:
        return Cast("date", CharField())
    if kind == SOURCE:
        return Cast("issued", CharField())
    return Value(None, output_field=CharField())


def _match_sqlite(cursor: Any, terms: str, models: dict[str, Any]) -> None:
    from modelsearch.conf import get_app_config

    # Wagtail's IndexEntry (the modelsearch app config names the model Wagtail installs).
    entries = get_app_config().get_model("IndexEntry")._meta.db_table
    cases, params = [], []
    for kind, model in models.items():
        cases.append("WHEN %s THEN %s")
        params += [ContentType.objects.get_for_model(model).pk, kind]
    params.append(match_expression(terms))
    params += [ContentType.objects.get_for_model(m).pk for m in models.values()]
    cursor.execute(
        f"INSERT INTO {RAW} (kind, id) "
        f"SELECT CASE e.content_type_id {' '.join(cases)} END, CAST(e.object_id AS integer) "
        f"FROM {entries} e WHERE e.id IN "
        f"(SELECT rowid FROM {entries}_fts WHERE {entries}_fts MATCH %s) "
        f"AND e.content_type_id IN ({', '.join(['%s'] * len(models))})",
        params,
    )


def _match_backend(cursor: Any, terms: str, models: dict[str, Any]) -> None:
    """Wagtail's own match query per kind (PostgreSQL: the tsvector columns' GIN index)."""
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    for kind, model in models.items():
        found = backend.search(terms, model, operator="and", order_by_relevance=False)
        sql, params = found.get_queryset().values("pk").order_by().query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {RAW} (kind, id) SELECT %s, m.* FROM ({sql}) m",
            [kind, *params],
        )


def _raw_ids(kind: str) -> RawSQL:
    return RawSQL(f"SELECT id FROM {RAW} WHERE kind = %s", [kind])


def hit_ids(kind: str) -> RawSQL:
    """The ids `collect` kept for `kind`, as a subquery for `pk__in=`."""
    return RawSQL(f"SELECT id FROM {HITS} WHERE kind = %s", [kind])


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, COUNT(*) FROM {HITS} GROUP BY kind")
        return dict(cursor.fetchall())


def ranked(sort: str, limit: int) -> list[Hit]:
    """The best `limit` hits of every kind in one order: by score (ties: the broader kind,
    then the newest, then by title), or by date, newest first, undated ones last."""
    if sort == "date":
        order = f"sortdate IS NULL, sortdate DESC, {KIND_ORDER}, title, id"
    else:
        order = f"score DESC, {KIND_ORDER}, sortdate IS NULL, sortdate DESC, title, id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, id, score, sortdate, title FROM {HITS} ORDER BY {order} LIMIT %s",
            [limit],
        )
        return [Hit(k, i, s, _as_date(d), t or "") for k, i, s, d, t in cursor.fetchall()]


def _as_date(value: Any) -> dt.date | None:
    """ "2010-12-06", or a source's partial "2010-11" / "2010" at its first day; else None."""
    parts = [int(p) for p in str(value or "").split("-")[:3] if p.isdigit()]
    if not parts:
        return None
    try:
        return dt.date(parts[0], *[*parts[1:], 1, 1][:2])
    except ValueError:
        return None

"""What the search index holds for each record a reader may open, read from the database.

    documents, gone = documents_for(["brief:12", "page:7"])   # to index, keys to drop
    for document in all_documents(): ...                    # a rebuild

Only what an anonymous reader may open is a document: live briefs, guides and experts outside
private sections, and the sources the public source pages show (a live source cited by a
live, public brief). Everything else named by a change is dropped from the index.

What each kind puts where (engine.POINTS weighs the fields):

- brief: title; summary; text = body (citations left out); names = the authors' names
- guide: title; summary = description; text = introduction and label
- expert: title = name; role; text = biography
- source: title = display title; outlet = outlet name and short label; text = authors,
  container, publisher, number, genre
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from briefdesk.briefs.teasers import plain_text, prose_text

from .engine import BRIEF, EXPERT, GUIDE, SOURCE, Document

BATCH = 1000


def documents_for(keys: Iterable[str]) -> tuple[list[Document], list[str]]:
    """The documents of the records `keys` name (expanded: a brief's sources, an expert's
    briefs, everything under a page), and the keys of those no reader may open any more."""
    wanted = _expand(keys)
    documents: list[Document] = []
    gone: list[str] = []
    for kind, builder in _BUILDERS.items():
        pks = sorted(wanted[kind])
        for start in range(0, len(pks), BATCH):
            chunk = pks[start : start + BATCH]
            built = list(builder(chunk))
            documents += built
            kept = {d.pk for d in built}
            gone += [f"{kind}:{pk}" for pk in chunk if pk not in kept]
    return documents, gone


def all_documents() -> Iterator[Document]:
    """Every record a reader may open, kind by kind, in batches."""
    for kind, builder in _BUILDERS.items():
        pks = list(visible(kind).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            yield from builder(pks[start : start + BATCH])


def _expand(keys: Iterable[str]) -> dict[str, set[int]]:
    from wagtail.models import Page

    from briefdesk.briefs.models import AuthorPage, BriefAuthor, BriefPage, BriefSource
    from briefdesk.sources.models import Source
    from briefdesk.topics.models import TopicGuidePage

    wanted: dict[str, set[int]] = {kind: set() for kind in (BRIEF, GUIDE, EXPERT, SOURCE)}
    pages: set[int] = set()
    outlets: set[int] = set()
    for key in keys:
        kind, _, pk = key.partition(":")
        if not pk.isdigit():
            continue
        if kind == "page":
            pages.add(int(pk))
        elif kind == "outlet":
            outlets.add(int(pk))
        elif kind in wanted:
            wanted[kind].add(int(pk))
    for path in Page.objects.filter(pk__in=pages).values_list("path", flat=True):
        for model, kind in ((BriefPage, BRIEF), (TopicGuidePage, GUIDE), (AuthorPage, EXPERT)):
            under = model.objects.filter(path__startswith=path).order_by()
            wanted[kind].update(under.values_list("pk", flat=True))
    if wanted[EXPERT]:
        written = BriefAuthor.objects.filter(author_id__in=wanted[EXPERT])
        wanted[BRIEF].update(written.values_list("page_id", flat=True))
    if wanted[GUIDE]:  # a guide's sub-guides are filed under it too
        for path in TopicGuidePage.objects.filter(pk__in=wanted[GUIDE]).values_list(
            "path", flat=True
        ):
            under = TopicGuidePage.objects.filter(path__startswith=path).order_by()
            wanted[GUIDE].update(under.values_list("pk", flat=True))
    if wanted[BRIEF]:  # whether a source is public depends on the briefs citing it
        cited = BriefSource.objects.filter(page_id__in=wanted[BRIEF])
        wanted[SOURCE].update(cited.values_list("source_id", flat=True))
    if outlets:
        wanted[SOURCE].update(
            Source.objects.filter(outlet_id__in=outlets).values_list("pk", flat=True)
        )
    return wanted


def visible(kind: str, restricted: list[str] | None = None) -> Any:
    """What an anonymous reader may open of `kind` (`restricted`: the private sections'
    paths, when the caller has read them already)."""
    from briefdesk.briefs.models import AuthorPage, BriefPage, BriefSource
    from briefdesk.core.visibility import private_q, restricted_paths
    from briefdesk.sources.models import Source
    from briefdesk.topics.models import TopicGuidePage

    if restricted is None:
        restricted = restricted_paths()
    if kind == SOURCE:
        cited = (
            BriefSource.objects.filter(page__live=True)
            .exclude(private_q(restricted, prefix="page__"))
            .values("source_id")
        )
        return Source.objects.filter(live=True, pk__in=cited)
    model: Any = {BRIEF: BriefPage, GUIDE: TopicGuidePage, EXPERT: AuthorPage}[kind]  # pages
    return model.objects.live().exclude(private_q(restricted))


def _sortdate(year: int, month: int = 1, day: int = 1) -> int:
    return year * 10000 + month * 100 + day


def _briefs(pks: list[int]) -> Iterator[Document]:
    from briefdesk.briefs.models import BriefAuthor, BriefTopic

    names: dict[int, list[str]] = defaultdict(list)
    experts: dict[int, list[int]] = defaultdict(list)
    for page_id, author_id, given, family in (
        BriefAuthor.objects.filter(page_id__in=pks)
        .order_by("page_id", "sort_order")
        .values_list("page_id", "author_id", "author__given_name", "author__family_name")
    ):
        names[page_id].append(f"{given} {family}")
        experts[page_id].append(author_id)
    # Filed under its topics and every guide above them: a guide covers its sub-guides.
    above = _guides_above()
    topics: dict[int, list[int]] = defaultdict(list)
    for page_id, topic_id in BriefTopic.objects.filter(page_id__in=pks).values_list(
        "page_id", "topic_id"
    ):
        topics[page_id] += [t for t in above.get(topic_id, [topic_id]) if t not in topics[page_id]]
    rows = (
        visible(BRIEF)
        .filter(pk__in=pks)
        .order_by()
        .values_list("pk", "title", "summary", "body", "brief_type", "date")
    )
    for pk, title, summary, body, brief_type, date in rows:
        yield Document(
            kind=BRIEF,
            pk=pk,
            title=title,
            summary=summary or "",
            text=_stream_text(body),
            names=" ".join(names[pk]),
            brief_type=brief_type or "",
            year=date.year if date else 0,
            sortdate=_sortdate(date.year, date.month, date.day) if date else 0,
            topics=tuple(topics[pk]),
            experts=tuple(experts[pk]),
        )


def _guides_above() -> dict[int, list[int]]:
    """guide id -> its id and every guide's above it (a treebeard path is four characters a
    level, so an ancestor's path is a prefix)."""
    from briefdesk.topics.models import TopicGuidePage

    paths = dict(TopicGuidePage.objects.order_by().values_list("path", "pk"))
    return {
        pk: [paths[path[:end]] for end in range(4, len(path) + 1, 4) if path[:end] in paths]
        for path, pk in paths.items()
    }


def _guides(pks: list[int]) -> Iterator[Document]:
    above = _guides_above()
    rows = (
        visible(GUIDE)
        .filter(pk__in=pks)
        .order_by()
        .values_list("pk", "title", "description", "introduction", "label")
    )
    for pk, title, description, introduction, label in rows:
        yield Document(
            kind=GUIDE,
            pk=pk,
            title=title,
            summary=description or "",
            text=" ".join([plain_text(str(introduction or "")), label or ""]),
            topics=tuple(above.get(pk, [pk])),
        )


def _experts(pks: list[int]) -> Iterator[Document]:
    rows = visible(EXPERT).filter(pk__in=pks).order_by().values_list("pk", "title", "role", "bio")
    for pk, title, role, bio in rows:
        yield Document(
            kind=EXPERT,
            pk=pk,
            title=title,
            role=role or "",
            text=plain_text(str(bio or "")),
            experts=(pk,),
        )


def _sources(pks: list[int]) -> Iterator[Document]:
    for source in visible(SOURCE).filter(pk__in=pks).select_related("outlet").order_by():
        outlet = source.outlet
        parts = [int(p) for p in (source.issued or "").split("-") if p.isdigit()]
        authors = source.authors if isinstance(source.authors, list) else []
        yield Document(
            kind=SOURCE,
            pk=source.pk,
            title=source.display_title,
            outlet=f"{outlet.name} {outlet.short_label}" if outlet else "",
            text=" ".join(
                [
                    *(_author_name(a) for a in authors),
                    source.container_title,
                    source.publisher,
                    source.number,
                    source.genre,
                ]
            ),
            year=parts[0] if parts else 0,
            sortdate=_sortdate(*parts[:3]) if parts else 0,
            outlet_id=source.outlet_id or 0,
            source_kind=source.kind,
        )


def _author_name(author: Any) -> str:
    if isinstance(author, dict):
        return " ".join(str(v) for v in author.values() if isinstance(v, str))
    return str(author)


def _stream_text(raw: Any) -> str:
    """The words of a StreamField's stored JSON: paragraphs without their source citations,
    every other block's text (quotes, headings, captions), markup removed."""
    if isinstance(raw, str):
        import json

        try:
            raw = json.loads(raw)
        except ValueError:
            return plain_text(raw)
    if hasattr(raw, "raw_data"):
        raw = raw.raw_data
    words: list[str] = []
    for block in raw or []:
        if not isinstance(block, dict):
            continue
        value = block.get("value")
        if block.get("type") == "paragraph":
            words.append(prose_text(str(value or "")))
        else:
            words += _strings(value)
    return " ".join(w for w in words if w)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [plain_text(value) if "<" in value else value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("id", "type") for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


_BUILDERS = {BRIEF: _briefs, GUIDE: _guides, EXPERT: _experts, SOURCE: _sources}

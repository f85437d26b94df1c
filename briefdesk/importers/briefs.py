"""Brief import, the ORM half: ParsedBriefs (from html/ or markdown/) -> BriefPages with their
authors, sources, Additional Analysis, featured guide and pinned related briefs.

    report = import_briefs(inputs, publish=False, dry_run=True)  # checks all; writes nothing
    report = import_briefs(inputs, topic="pakistan")              # drafts, each in its own
    for result in report.results: print(result.as_line())         # transaction

Each input is written in its own transaction: a bad input is reported on one line and leaves
nothing behind (no brief, author, source or guide of it), and the others go on. A dry run does
the same work inside a transaction that is rolled back at the end.

Records are matched before they are created, so importing the same pages again updates the
briefs instead of adding others:
- a brief by `imported_from` (the page's canonical URL, compared as the reference import
  compares URLs: importers.matching);
- an author by given and family name (case-insensitive), else created;
- a source by URL (matching.url_variants), else by title and date when it has no URL, else
  created; an existing source is cited as it is, never changed;
- an outlet by name or short label (case-insensitive), else created;
- a topic guide by the URL it was imported from, then slug, then title, else created.
New pages, sources and outlets are drafts unless `publish`: a never-published source or
outlet goes live with the first brief that cites it (sources.publishing).

Links to the old site are resolved after every input is written (a second pass), so a brief
may link to or pin a brief that comes later in the same run: an internal link becomes a link
to the imported brief (its text alone when the target was not imported) and "More on This
Topic" entries become pinned related briefs (at most three).
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils.text import slugify
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Page
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from briefdesk.briefs.models import (
    BRIEF_TYPES,
    AuthorIndexPage,
    AuthorPage,
    BriefAuthor,
    BriefIndexPage,
    BriefPage,
    BriefRelatedPin,
    BriefTopic,
)
from briefdesk.citations.preformatted import formatted_ahead
from briefdesk.citations.proper_nouns import read_once
from briefdesk.core.pagecache.purge import purge, source_paths
from briefdesk.core.site_tree import ensure_site
from briefdesk.search.sync import record_changes
from briefdesk.sources.models import Outlet, Source
from briefdesk.sources.richtext import ALLOWED_TAGS, ALLOWED_URL_SCHEMES
from briefdesk.topics.models import TopicGuidePage, TopicIndexPage

from .bulk_index import IndexLater, references_in_bulk
from .format_ahead import CitationsAhead, FormatAhead, warm_up
from .matching import normalise_title, normalise_url, url_variants
from .parsed import CITE, INTERNAL, Block, BriefInputError, GuideRef, ParsedBrief, SourceRef

logger = logging.getLogger(__name__)

MAX_PINS = 3
SLUG_LENGTH = 80
# Sources formatted per citeproc-js call on the formatting thread: small calls, so that the
# first brief waits little for its sources (and, in this process's engine, a brief's own
# citation formatted on saving waits little for the engine); in a worker's engine, larger
# ones, since each call costs about as much as an entry.
FORMAT_BATCH = 10
WORKER_BATCH = 25
# With a worker, every SHARE_HERE-th batch of sources (the first among them) is formatted in
# this process's engine, which the briefs' own citations leave mostly idle: the worker then
# keeps ahead of the writing thread instead of costing as much per page.
SHARE_HERE = 4
# Briefs whose own citations are formatted per citeproc-js call, ahead of their saves (0:
# none ahead, each save formats its own).
CITATION_BATCH = 10
# New sources from which a run formats them in a worker process's engine: below, starting
# the worker (a Python and an engine, about a second) costs more than it saves.
WORKER_FROM = 200


@dataclass(frozen=True)
class InputFailure:
    """An input its importer could not read: `origin` names it, `reason` says why."""

    origin: str
    reason: str


@dataclass
class BriefResult:
    """What happened to one input: created/updated (written), create/update (dry run) or
    error."""

    origin: str
    outcome: str
    path: str = ""
    live: bool = False
    error: str = ""
    notes: list[str] = field(default_factory=list)

    def as_line(self) -> str:
        """`file.html -> /briefs/slug/ (created, draft)`, or `file.html: reason`."""
        if self.outcome == "error":
            return f"{self.origin}: {self.error}"
        state = "published" if self.live else "draft"
        return f"{self.origin} -> {self.path} ({self.outcome}, {state})"


@dataclass
class BriefImportReport:
    results: list[BriefResult]
    dry_run: bool

    @property
    def errors(self) -> list[BriefResult]:
        return [r for r in self.results if r.outcome == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        total = len(self.results)
        counts = {o: sum(r.outcome == o for r in self.results) for o in ("created", "updated")}
        if self.dry_run:
            counts = {
                "to create": sum(r.outcome == "create" for r in self.results),
                "to update": sum(r.outcome == "update" for r in self.results),
            }
        parts = [f"{n} {what}" for what, n in counts.items()]
        if self.errors:
            parts.append(f"{len(self.errors)} failed")
        noun = "file" if total == 1 else "files"
        verb = "Checked" if self.dry_run else "Imported"
        tail = " Nothing was written." if self.dry_run else ""
        return f"{verb} {total} {noun}: {', '.join(parts)}.{tail}"


class UnknownTopic(BriefInputError):
    pass


# Every concrete field of a brief except those an import fills from its input (title, type,
# date, summary, the page's address): what `write` leaves out of its early check.
_NOT_FROM_INPUT = [
    field.name
    for field in BriefPage._meta.concrete_fields
    if field.name not in {"title", "brief_type", "date", "summary", "imported_from"}
]


def import_briefs(
    inputs: Sequence[ParsedBrief | InputFailure],
    *,
    publish: bool = False,
    dry_run: bool = False,
    topic: str = "",
) -> BriefImportReport:
    """Write each parsed brief (see the module docstring); one result per input, in order.

    Raises UnknownTopic, before anything is written, when `topic` (a slug every brief is
    filed under) names no topic guide. Never raises for one bad input: its result says why.
    """
    with _rolled_back(dry_run), _briefs_indexed_by_hand() as by_hand:
        writer = _Writer(publish=publish, dry_run=dry_run, index_briefs=by_hand)
        extra = writer.topic_by_slug(topic) if topic else None
        results: list[BriefResult] = []
        pending: list[tuple[BriefResult, ParsedBrief, int]] = []
        # This process's engine loads while the run prepares (format_ahead.warm_up).
        warming = threading.Thread(target=warm_up, name="engine-warm-up", daemon=True)
        warming.start()
        try:
            with read_once():
                briefs = [p for p in inputs if isinstance(p, ParsedBrief)]
                writer.prepare_sources(briefs)
                writer.prepare_citations(briefs)
                try:
                    for parsed in inputs:
                        if isinstance(parsed, InputFailure):
                            results.append(BriefResult(parsed.origin, "error", error=parsed.reason))
                            continue
                        result = BriefResult(parsed.origin, "error")
                        results.append(result)
                        try:
                            with (
                                transaction.atomic(),
                                disable_reference_index_auto_update(),
                                formatted_ahead(writer.preformatted),
                            ):
                                page = writer.write(parsed, result, extra)
                                writer.index_references(page)
                        except Exception as exc:  # one bad input never stops the others
                            writer.forget_input()
                            result.outcome, result.error = "error", one_line(exc)
                            continue
                        writer.keep_input()
                        if parsed.internal_links() or parsed.related:
                            pending.append((result, parsed, page.pk))
                finally:
                    writer.close()
                # Second pass: links and pins to briefs of this run that came later.
                for result, parsed, pk in pending:
                    try:
                        with transaction.atomic(), disable_reference_index_auto_update():
                            if writer.link(parsed, pk):  # else its references are as indexed
                                writer.index_references(pk)
                    except Exception as exc:
                        writer.later.drop()
                        result.notes.append(f"links not resolved: {one_line(exc)}")
                        continue
                    writer.later.keep()
        finally:
            # What the inputs that committed owe the indexes, however the run ends.
            writer.later.flush()
            warming.join()
    return BriefImportReport(results, dry_run=dry_run)


@contextmanager
def _briefs_indexed_by_hand() -> Iterator[bool]:
    """Turn off Wagtail's admin search update on every save of a brief for the run (yields
    whether it was on): a new brief is saved twice (created, then its revision recorded), a
    published one more, and each save indexed it again, reading it back and scanning the
    whole index. The writer indexes the briefs of committed inputs in bulk instead
    (_Writer.index_brief, importers.bulk_index), as Wagtail's own
    disable_reference_index_auto_update lets a caller do for the reference index."""
    connected = bool(post_save.disconnect(post_save_signal_handler, sender=BriefPage))
    try:
        yield connected
    finally:
        if connected:
            post_save.connect(post_save_signal_handler, sender=BriefPage)


@contextmanager
def _rolled_back(dry_run: bool) -> Iterator[None]:
    if not dry_run:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def one_line(exc: BaseException) -> str:
    """An exception as one line for the operator (a ValidationError's messages joined)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            text = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        else:
            text = " ".join(exc.messages)
    else:
        text = str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def brief_key(url: str) -> list[str]:
    """The stored spellings of `imported_from` that mean the same page."""
    normalised = normalise_url(url)
    if not normalised or "://" not in url:
        return [url]
    return url_variants(normalised)


class _Writer:
    def __init__(self, *, publish: bool, dry_run: bool, index_briefs: bool = False) -> None:
        self.publish = publish
        self.dry_run = dry_run
        self.index_briefs = index_briefs
        site = ensure_site()
        self.brief_index = BriefIndexPage.objects.get(pk=site.briefs_id)
        self.author_index = AuthorIndexPage.objects.get(pk=site.authors_id)
        self.topic_index = TopicIndexPage.objects.get(pk=site.topics_id)
        self.aliases: dict[str, int] = {}
        # Every brief's `imported_from`, read once (the lowest id first, as find_brief
        # answers) and kept up to date with the briefs the run writes: links and pins are
        # resolved without a query each.
        self._imported: dict[str, int] = dict(
            BriefPage.objects.exclude(imported_from="")
            .order_by("-pk")
            .values_list("imported_from", "pk")
        )
        self._written: tuple[int, str, list[str]] | None = None  # until the input commits
        self._labels: dict[int, str] = {}
        self._prepared: dict[str, Source] = {}
        self._ahead: FormatAhead | None = None
        self._own: CitationsAhead | None = None
        self.later = IndexLater()
        # The slugs under the briefs' index (free_slug), and the one the current input took.
        self._slugs: set[str] | None = None
        self._slug_now = ""
        self._created: list[Any] = []  # records made for the current input
        # Records found or made by earlier inputs of the run, by what they were looked up by
        # (sources by _ref_key; outlets, authors and guides by name): one query each per run
        # instead of one per citation or byline. What an input adds is kept only when its
        # transaction commits (keep_input); a failed input's records were rolled back.
        self._known: dict[tuple[str, ...], Any] = {}
        self._added: list[tuple[str, ...]] = []
        self._made_now: list[tuple[str, Source]] = []
        # Sources this run prepared but an input that failed had made: looked up again.
        self._unsure: set[str] = set()

    # --- one brief ---------------------------------------------------------------------

    def write(self, parsed: ParsedBrief, result: BriefResult, extra: Any) -> BriefPage:
        self._created = []  # what a failed input made was rolled back with it
        self._slug_now = ""
        if parsed.brief_type not in BRIEF_TYPES:
            raise BriefInputError(f"unknown brief type {parsed.brief_type!r}")
        existing_pk = self.find_brief(parsed.imported_from)
        existing = BriefPage.objects.filter(pk=existing_pk).first() if existing_pk else None
        page = existing.specific if existing is not None else BriefPage()
        if existing is not None and page.has_unpublished_changes and page.live:
            # The latest revision is an editor's draft: start from it, not from the live row.
            page = page.get_latest_revision_as_object()
        source_ids = self.sources(parsed.sources)
        guide = self.guide(parsed.guide) if parsed.guide else None
        topics = [t for t in [guide, *map(self.topic, parsed.topics), extra] if t is not None]
        page.title = parsed.title
        page.brief_type = parsed.brief_type
        page.date = parsed.date
        page.summary = parsed.summary
        page.imported_from = parsed.imported_from
        cited = [(pk, self._labels.get(pk, "")) for pk in source_ids]
        page.body = self.body(parsed.body, cited, guide)
        page.additional_analysis = [
            ("item", self.rich_text(value, cited)) for value in parsed.additional_analysis
        ]
        page.brief_authors = [BriefAuthor(author=self.author(a)) for a in _unique(parsed.authors)]
        page.brief_topics = [BriefTopic(topic=t) for t in _unique_pages(topics)]
        page.related_pins = self.pins(parsed, page.pk)
        # The fields taken from the input, checked before the first write: PostgreSQL refuses
        # a value too long for its column in add_child, before the full check on save.
        page.clean_fields(exclude=_NOT_FROM_INPUT)
        if existing is None:
            page.slug = self.free_slug(parsed.slug_hint or parsed.title)
            page.live = False
            self.brief_index.add_child(instance=page)
        elif not page.live:
            page.save()
        self.save(page)
        self.index_brief(page)
        result.outcome = (
            ("update" if existing else "create")
            if self.dry_run
            else ("updated" if existing else "created")
        )
        result.path = page_path(page)
        result.live = bool(page.live)
        result.notes.extend(parsed.notes)
        self._written = (page.pk, page.imported_from, list(parsed.aliases))
        return page

    def link(self, parsed: ParsedBrief, pk: int) -> bool:
        """Resolve the brief's links to the old site and its pins, now that every input of
        the run is written; saves only when something changed (and says whether it did).
        Only links and pins change, so the row is saved in part: its stored citation and
        cited sources stay as they are.
        """
        page = BriefPage.objects.get(pk=pk)
        if page.has_unpublished_changes and page.live:
            page = page.get_latest_revision_as_object()
        before = (page.body.raw_data, page.additional_analysis.raw_data)
        page.body = [
            (b.block_type, self._relink(b.value.source) if b.block_type == "paragraph" else b.value)
            for b in page.body
        ]
        page.additional_analysis = [
            ("item", self._relink(b.value.source)) for b in page.additional_analysis
        ]
        pins = self.pins(parsed, page.pk)
        old_pins = [p.related_id for p in page.related_pins.all()]
        if (
            before == (page.body.raw_data, page.additional_analysis.raw_data)
            and [p.related_id for p in pins] == old_pins
        ):
            return False
        page.related_pins = pins
        if page.live:
            self.save(page)  # a new revision, published with --publish: purges what showed it
            self.index_brief(page)
            return True
        # A draft written earlier in this run: its row and latest revision are rewritten in
        # place (what pass one would have written had the targets existed), which costs no
        # formatting, search indexing or second revision.
        page.related_pins.commit()
        BriefPage.objects.filter(pk=page.pk).update(
            body=page.body, additional_analysis=page.additional_analysis
        )
        revision = page.latest_revision
        if revision is not None:
            revision.content = page.serializable_data()
            revision.save(update_fields=["content"])
        return True

    def index_references(self, page: BriefPage | int) -> None:
        """Wagtail's reference index ("usage") for the brief (or the brief with this id) and
        the records made for it, once each: the import turns the per-save update off, which
        would index the brief again for every author, topic and pin row saved with it. A
        draft import's pages are owed and indexed in bulk (importers.bulk_index)."""
        pages = [(BriefPage, page) if isinstance(page, int) else (type(page), page.pk)]
        pages += [(type(r), r.pk) for r in self._created if isinstance(r, Page)]
        for model, pk in pages:
            if not self.publish:
                self.later.references(model, [pk])
            else:  # read back, with its child rows, as Wagtail does
                meta = model._meta
                update_reference_index_task.call(meta.app_label, meta.model_name, str(pk))
        # Sources and outlets just inserted from these very instances: no need to read them
        # back (what the task does first); they have no parent to index instead.
        references_in_bulk(r for r in self._created if not isinstance(r, Page))
        self._created = []

    def index_brief(self, page: BriefPage) -> None:
        """Wagtail's admin search entry for the brief, when the run turned its per-save update
        off: owed once the input commits, written in bulk (importers.bulk_index)."""
        if self.index_briefs:
            self.later.search(BriefPage, [page.pk])

    def keep_input(self) -> None:
        """The current input's transaction committed: what it found and made is known."""
        if self._written is not None:
            pk, imported_from, aliases = self._written
            self.aliases.update((alias, pk) for alias in aliases)
            if imported_from and self._imported.get(imported_from, pk) >= pk:
                self._imported[imported_from] = pk
        if self._slugs is not None and self._slug_now:
            self._slugs.add(self._slug_now)
        self._added, self._made_now, self._written, self._slug_now = [], [], None, ""
        self.later.keep()

    def forget_input(self) -> None:
        """The current input's transaction was rolled back: forget what it found and made, so
        later inputs look those records up (or make them) again."""
        for added in self._added:
            self._known.pop(added, None)
        for ref_key, source in self._made_now:
            # A source the rollback took back: a later citation makes it again (a prepared
            # one still formatted: its row is gone, its fields are not).
            source.pk, source._state.adding = None, True
            self._unsure.add(ref_key)
        self._added, self._made_now, self._created, self._written = [], [], [], None
        self._slug_now = ""
        self.later.drop()

    def close(self) -> None:
        try:
            if self._ahead is not None:
                self._ahead.close()
        finally:
            if self._own is not None:
                self._own.close()
                logger.debug("%d briefs' own citations were formatted ahead", self._own.hits)

    def _remember(self, key: tuple[str, ...], record: Any) -> Any:
        self._known[key] = record
        self._added.append(key)
        return record

    def save(self, page: BriefPage) -> None:
        revision = page.save_revision(log_action=True)
        if self.publish:
            revision.publish()
            page.refresh_from_db()

    # --- body --------------------------------------------------------------------------

    def body(
        self, blocks: list[Block], cited: list[tuple[int, str]], guide: TopicGuidePage | None
    ) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for block in blocks:
            if block.kind == "paragraph":
                out.append(("paragraph", self.rich_text(block.html, cited)))
            elif block.kind == "heading":
                out.append(("heading", block.text[:255]))
            elif block.kind == "quote":
                out.append(("quote", {"quote": block.text, "attribution": block.attribution}))
        if guide is not None:
            out.append(("topic_box", {"topic": guide, "text": ""}))
        return out

    def rich_text(self, value: str, cited: list[tuple[int, str]]) -> str:
        """The importer's HTML as stored rich text: citations as source entities (`cited`:
        the id and label of each SourceRef), links to the old site resolved when their brief
        exists (else kept for the second pass)."""

        def cite(match: re.Match[str]) -> str:
            source_id, label = cited[int(match.group("n"))]
            return f'<a linktype="source" id="{source_id}">{html.escape(label, quote=False)}</a>'

        value = CITE.sub(cite, value)
        value = self._relink(value, keep_pending=True)
        if not value.startswith("<p>"):
            value = f"<p>{value}</p>"
        # Belt and braces: the importers write only safe markup, and rendering sanitises too.
        return _keep_internal(value)

    def _relink(self, value: str, keep_pending: bool = False) -> str:
        def replace(match: re.Match[str]) -> str:
            url = html.unescape(match.group("url"))
            target = self.find_brief(url)
            if target is not None:
                return f'<a linktype="page" id="{target}">{match.group("text")}</a>'
            return match.group(0) if keep_pending else match.group("text")

        return INTERNAL.sub(replace, value)

    # --- records -----------------------------------------------------------------------

    def find_brief(self, url: str) -> int | None:
        """The id of the brief imported from `url` (one of its aliases in this run, else the
        oldest brief whose `imported_from` means the same page), or None."""
        if not url:
            return None
        if url in self.aliases:
            return self.aliases[url]
        found = [self._imported[key] for key in brief_key(url) if key in self._imported]
        return min(found) if found else None

    def pins(self, parsed: ParsedBrief, own_pk: int | None) -> list[BriefRelatedPin]:
        pins: list[BriefRelatedPin] = []
        seen: set[int] = set()
        for url in parsed.related:
            target = self.find_brief(url)
            if target is None or target == own_pk or target in seen:
                continue
            seen.add(target)
            pins.append(BriefRelatedPin(related_id=target))
        return pins[:MAX_PINS]

    def prepare_sources(self, briefs: list[ParsedBrief]) -> None:
        """Build the sources the run will create and start formatting them, in batches and in
        the order the briefs cite them, on a second thread (importers.format_ahead) while the
        briefs are written. A source is still validated and saved in its brief's transaction,
        formatted: one the batch could not format is formatted on its own before saving."""
        refs = {_ref_key(ref): ref for brief in briefs for ref in brief.sources}
        urls = {normalise_url(ref.url) for ref in refs.values() if ref.url}
        stored: set[str] = set()
        variants = sorted({v for url in urls for v in url_variants(url)})
        for start in range(0, len(variants), 500):
            chunk = variants[start : start + 500]
            stored.update(
                normalise_url(u)
                for u in Source.objects.filter(url__in=chunk).values_list("url", flat=True)
            )
        outlets = {o.name.casefold(): o for o in Outlet.objects.all()}
        for outlet in Outlet.objects.exclude(short_label=""):
            outlets.setdefault(outlet.short_label.casefold(), outlet)
        new: dict[str, Source] = {}
        for key, ref in refs.items():
            if ref.url and normalise_url(ref.url) in stored:
                continue
            source, outlet_name = self._new_source(ref)
            if outlet_name:
                source.outlet = outlets.get(outlet_name.casefold()) or Outlet(name=outlet_name)
            new[key] = source
        self._prepared = new
        in_worker = len(new) >= WORKER_FROM
        batch = WORKER_BATCH if in_worker else FORMAT_BATCH
        self._ahead = FormatAhead(
            list(new.values()), batch, in_worker=in_worker, share_here=SHARE_HERE
        )

    def prepare_citations(self, briefs: list[ParsedBrief]) -> None:
        """Start formatting the briefs' own citations, CITATION_BATCH per engine call, from
        the CSL items their first save is expected to format (a new brief citing only sources
        the run makes: _expected_citation_items). A save whose items differ (an author stored
        with other capitals, a slug another brief took meanwhile) finds nothing ready and
        formats its own, as it always did (citations.preformatted)."""
        authors: dict[tuple[str, str], AuthorPage] = {}
        for author in AuthorPage.objects.order_by("-pk"):
            key = (author.given_name.casefold(), author.family_name.casefold())
            authors[key] = author  # the lowest id last: what author() finds
        taken = set(self._taken_slugs())
        pairs = []
        seen: set[str] = set()
        for parsed in briefs:
            keys = set(brief_key(parsed.imported_from))
            if keys & seen:
                continue  # an update of a brief this run makes first
            seen |= keys
            pair = self._expected_citation_items(parsed, authors, taken)
            if pair is not None:
                pairs.append(pair)
        self._own = CitationsAhead(pairs, CITATION_BATCH)

    def _expected_citation_items(
        self,
        parsed: ParsedBrief,
        authors: dict[tuple[str, str], AuthorPage],
        taken: set[str],
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """What `BriefPage.citation_items` will give when `write` first saves this brief, or
        None when that cannot be known here (an update, a source that is stored already)."""
        if parsed.brief_type not in BRIEF_TYPES or self.find_brief(parsed.imported_from):
            return None
        if not all(ref.url and _ref_key(ref) in self._prepared for ref in parsed.sources):
            return None
        cited = [(0, self._prepared[_ref_key(ref)].parenthetical_label) for ref in parsed.sources]
        page = BriefPage(
            title=parsed.title,
            brief_type=parsed.brief_type,
            date=parsed.date,
            summary=parsed.summary,
            imported_from=parsed.imported_from,
            slug=_free_slug_among(taken, parsed.slug_hint or parsed.title),
            live=False,
        )
        taken.add(page.slug)
        page.body = [
            ("paragraph", self.rich_text(b.html, cited))
            for b in parsed.body
            if b.kind == "paragraph"
        ]
        linked = []
        for name in _unique(parsed.authors):
            key = (name.given.casefold(), name.family.casefold())
            if key not in authors:  # made by this run from the first spelling it meets
                authors[key] = AuthorPage(
                    pk=-1 - len(authors),
                    given_name=name.given,
                    family_name=name.family,
                    title=name.full,
                )
            linked.append(BriefAuthor(author=authors[key]))
        page.brief_authors = linked
        page.smarten_typography()
        return page.citation_items()

    def preformatted(
        self, item: Mapping[str, Any], apa_item: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The brief's own citations formatted ahead for these items, or None."""
        return self._own.lookup(item, apa_item) if self._own is not None else None

    def _new_source(self, ref: SourceRef) -> tuple[Source, str]:
        source = Source(live=self.publish)
        outlet_name = source.apply_csl({k: v for k, v in ref.item.items() if k != "id"})
        source.label = ref.label[:40]
        return source, " ".join((ref.outlet or outlet_name).split())[:255]

    def sources(self, refs: list[SourceRef]) -> list[int]:
        """The ids of the sources these citations name, in order: each matched (module
        docstring) or made. The new ones are saved together, formatted, in one query."""
        chosen: list[Source] = []
        new: list[Source] = []
        by_key: dict[str, Source] = {}
        for ref in refs:
            key = _ref_key(ref)
            source = (self._known_source(key) or by_key.get(key)) if ref.url else None
            if source is None:
                source = self._stored_source(ref, key, new)
            if source is None:
                source = self._make_source(ref, key, new)
                new.append(source)
                self._made_now.append((key, source))
                if ref.url:
                    by_key[key] = source
            chosen.append(source)
        self._save_new(new)
        for key, source in by_key.items():
            self._remember(("source", key), source)
        for source in chosen:
            self._labels[source.pk] = source.parenthetical_label
        return [source.pk for source in chosen]

    def _known_source(self, key: str) -> Source | None:
        """A source an earlier input of this run made for this URL."""
        known: Source | None = self._known.get(("source", key))
        return known

    def _stored_source(self, ref: SourceRef, key: str, new: list[Source]) -> Source | None:
        """A stored source for the citation: by URL, unless the run began without one for it
        (then no other input of the run made it either: _known_source); else, without a URL,
        by title and date (also among the sources this input is making)."""
        if ref.url:
            if key in self._prepared and key not in self._unsure:
                return None
            return (
                Source.objects.filter(url__in=url_variants(normalise_url(ref.url)))
                .select_related("outlet")
                .order_by("pk")
                .first()
            )
        if ref.item.get("title"):
            return self._by_title_and_date(ref, new)
        return None

    def _make_source(self, ref: SourceRef, key: str, new: list[Source]) -> Source:
        """A new source for the citation, validated and formatted; not saved yet (`new`:
        those this input makes before it)."""
        source: Source | None = self._prepared.get(key)
        prepared = (
            source is not None
            and source.pk is None
            and source._state.adding
            and all(source is not other for other in new)
        )
        if prepared and source is not None:
            outlet_name = source.outlet.name if source.outlet is not None else ""
        else:
            # Not prepared, or already made by an earlier input (a citation without a URL).
            source, outlet_name = self._new_source(ref)
        source.outlet = self.outlet(outlet_name, ref.url) if outlet_name else None
        formatted = prepared and self._ahead is not None and self._ahead.formatted(source)
        # Formatted with the outlet's name as it was when the run began.
        formatted = formatted and (source.outlet.name if source.outlet else "") == outlet_name
        try:
            # The outlet is one this run looked up or made (outlet()): the check that its row
            # exists, one query per source, was that lookup's.
            source.full_clean(exclude=["outlet"] if source.outlet is not None else None)
        except ValidationError as exc:
            raise BriefInputError(
                f"source {ref.url or ref.item.get('title') or ''}: {one_line(exc)}"
            ) from None
        if not formatted:
            source.refresh_formatted()
        return source

    def _save_new(self, sources: list[Source]) -> None:
        """Insert the new sources in one query and do what saving each would have set off
        (Source's post_save receivers; test_brief_import_bulk_work pins the list): for live
        sources (--publish) the public search's change log and the purge of the pages that
        show them. A new draft source needs neither: no public page, list, feed or search
        result shows a draft (sources.views.public_sources). Wagtail's reference index follows
        with the brief's (index_references), its admin search entry in bulk once the input
        commits (importers.bulk_index)."""
        if not sources:
            return
        Source.objects.bulk_create(sources)
        self._created.extend(sources)
        self.later.search(Source, [source.pk for source in sources])
        live = [source.pk for source in sources if source.live]
        if live:
            record_changes([f"source:{pk}" for pk in live])
            purge(after=lambda: set().union(*(source_paths(pk) for pk in live)))

    def _by_title_and_date(self, ref: SourceRef, new: list[Source]) -> Source | None:
        probe = Source()
        probe.apply_csl({k: v for k, v in ref.item.items() if k != "id"})
        if not probe.issued:
            return None  # as for references: an undated work is never matched by title alone
        title = normalise_title(probe.title)
        candidates = Source.objects.filter(issued=probe.issued, url="").select_related("outlet")
        for candidate in [*candidates, *new]:
            same_date = not candidate.url and candidate.issued == probe.issued
            if same_date and normalise_title(candidate.title) == title:
                return candidate
        return None

    def outlet(self, name: str, url: str) -> Outlet:
        name = " ".join(name.split())[:255]
        known = self._known.get(("outlet", name))
        if known is not None:
            return known
        found = (
            Outlet.objects.filter(Q(name__iexact=name) | Q(short_label__iexact=name))
            .order_by("pk")
            .first()
        )
        if found is not None:
            return self._remember(("outlet", name), found)
        home = ""
        if url.startswith(("http://", "https://")):
            scheme, _, rest = url.partition("://")
            home = f"{scheme}://{rest.split('/', 1)[0]}/"
        outlet = Outlet(name=name, home_url=home, live=self.publish)
        try:
            outlet.full_clean()
        except ValidationError as exc:
            if set(exc.message_dict) != {"home_url"}:
                raise BriefInputError(f"outlet {name}: {one_line(exc)}") from None
            outlet.home_url = ""  # optional: an address it cannot hold is left out
        outlet.save()
        self._created.append(outlet)
        return self._remember(("outlet", name), outlet)

    def author(self, name: Any) -> AuthorPage:
        key = ("author", name.given, name.family)
        if key in self._known:
            return self._known[key]
        found = (
            AuthorPage.objects.filter(
                given_name__iexact=name.given, family_name__iexact=name.family
            )
            .order_by("pk")
            .first()
        )
        if found is not None:
            return self._remember(key, found)
        page = AuthorPage(
            title=name.full,
            given_name=name.given,
            family_name=name.family,
            slug=_free_slug(self.author_index, name.full or "author"),
            live=False,
        )
        self.author_index.add_child(instance=page)
        self._created.append(page)
        revision = page.save_revision()
        if self.publish:
            revision.publish()
        return self._remember(key, page)

    def guide(self, ref: GuideRef) -> TopicGuidePage:
        key = ("guide", ref.title)
        if key in self._known:
            return self._known[key]
        slug = slugify(ref.title)[:SLUG_LENGTH] or "guide"
        guides = TopicGuidePage.objects.descendant_of(self.topic_index)
        found = (guides.filter(title__iexact=ref.title).order_by("depth", "pk").first()) or (
            guides.filter(slug=slug).order_by("depth", "pk").first()
        )
        if found is not None:
            return self._remember(key, found)
        page = TopicGuidePage(
            title=ref.title,
            label=ref.label[:60],
            slug=_free_slug(self.topic_index, slug),
            live=False,
        )
        self.topic_index.add_child(instance=page)
        self._created.append(page)
        revision = page.save_revision()
        if self.publish:
            revision.publish()
        return self._remember(key, page)

    def topic(self, name: str) -> TopicGuidePage:
        key = ("topic", name)
        if key in self._known:
            return self._known[key]
        found = TopicGuidePage.objects.filter(slug=name).order_by("depth", "pk").first()
        return self._remember(key, found or self.guide(GuideRef(title=name)))

    def topic_by_slug(self, slug: str) -> TopicGuidePage:
        found = TopicGuidePage.objects.filter(slug=slug).order_by("depth", "pk").first()
        if found is None:
            raise UnknownTopic(f"no topic guide has the slug {slug!r}")
        return found

    def free_slug(self, hint: str) -> str:
        """What _free_slug answers for a new brief, from the slugs under the briefs' index
        read once per run and kept up to date with the inputs that commit (keep_input)."""
        self._slug_now = _free_slug_among(self._taken_slugs(), hint)
        return self._slug_now

    def _taken_slugs(self) -> set[str]:
        if self._slugs is None:
            self._slugs = set(
                Page.objects.child_of(self.brief_index).values_list("slug", flat=True)
            )
        return self._slugs


def _free_slug(parent: Page, hint: str) -> str:
    """`hint` as a slug not taken under `parent`: the slug itself, else slug-2, slug-3…
    (the same names in the same order give the same slugs)."""
    base = _slug_base(hint)
    taken = set(
        Page.objects.child_of(parent).filter(slug__startswith=base).values_list("slug", flat=True)
    )
    return _free_slug_among(taken, hint)


def _slug_base(hint: str) -> str:
    return slugify(hint)[:SLUG_LENGTH].strip("-") or "brief"


def _free_slug_among(taken: set[str], hint: str) -> str:
    """What _free_slug answers when `taken` holds the slugs under the parent."""
    base = _slug_base(hint)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def page_path(page: Page) -> str:
    """The page's path on the site (/briefs/slug/), drafts included."""
    url = page.get_url()
    return str(url) if url else str(page.url_path)


def _unique(names: list[Any]) -> list[Any]:
    seen: set[tuple[str, str]] = set()
    out = []
    for name in names:
        key = (name.given.casefold(), name.family.casefold())
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def _unique_pages(pages: list[TopicGuidePage]) -> list[TopicGuidePage]:
    out: dict[int, TopicGuidePage] = {}
    for page in pages:
        out.setdefault(page.pk, page)
    return list(out.values())


def _keep_internal(value: str) -> str:
    """Sanitise as rendering does (richtext.sanitize), keeping the placeholders of links
    the second pass resolves."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "linktype", "id", "data-internal"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    )


def _ref_key(ref: SourceRef) -> str:
    """What makes two citations one source within a run: the URL, else the CSL item."""
    if ref.url:
        return normalise_url(ref.url)
    return repr(sorted(ref.item.items()))

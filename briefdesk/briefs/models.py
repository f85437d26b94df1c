"""Briefs and their authors.

Pages live at /briefs/<slug>/ (BriefPage under the single BriefIndexPage) and
/authors/<slug>/ (AuthorPage under AuthorIndexPage). Page models hold editorial concerns; the
formatting, rendering and teaser logic they call lives in ORM-free modules.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, PageQuerySet
from wagtail.search import index

from briefdesk.citations import sentence_case
from briefdesk.citations.preformatted import format_in_every_style
from briefdesk.citations.proper_nouns import site_proper_nouns
from briefdesk.citations.styles import DEFAULT_STYLE, DIALOG_STYLES, STYLES, UnknownStyle
from briefdesk.citations.views import DOWNLOADS, bad_style, download, style_from, text_entry
from briefdesk.core.edit_conflicts import ConflictCheckedPageForm
from briefdesk.core.routing import TypedChildRouteMixin
from briefdesk.core.storage import private_storage
from briefdesk.core.typography import SmartTypography
from briefdesk.sources.csl import authors_display

from .blocks import AdditionalAnalysisBlock, AuthorLinkBlock, BodyBlock
from .metadata import LANGUAGE
from .quote_checks import QuoteChecksPanel
from .restrictions import OneQueryViewRestrictionsMixin
from .series import next_number, series_label, year_prefix
from .teasers import DESCRIPTION_LIMIT, make_teaser, prose_text

if TYPE_CHECKING:
    from briefdesk.topics.models import TopicGuidePage

BRIEF_TYPES = ["Analysis Brief", "Backgrounder", "Expert Brief", "Interview", "Op-Ed"]

# Two briefs going live at the same moment may both pick the next series number; the one
# that loses (the unique constraint) takes the number after, this many times at most.
NUMBERING_ATTEMPTS = 5


# --- authors ---------------------------------------------------------------------------


class AuthorIndexPage(TypedChildRouteMixin, Page):
    base_form_class = ConflictCheckedPageForm
    routed_child_model = "briefs.AuthorPage"
    parent_page_types = ["core.HomePage"]
    subpage_types = ["briefs.AuthorPage"]
    max_count = 1

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from briefdesk.topics.coverage import experts_by_topic
        from briefdesk.topics.models import TopicIndexPage

        context = super().get_context(request, *args, **kwargs)
        context["authors"] = list(
            AuthorPage.objects.child_of(self)
            .live()
            .public()
            .select_related("photo")
            .prefetch_related("photo__renditions")
            .order_by("family_name", "given_name")
        )
        context["groups"] = experts_by_topic(
            context["authors"], TopicIndexPage.objects.live().public().first()
        )
        return context


class AuthorPage(SmartTypography, Page):
    base_form_class = ConflictCheckedPageForm
    given_name: models.CharField[str, str] = models.CharField(max_length=255)
    family_name: models.CharField[str, str] = models.CharField(max_length=255)
    role: models.CharField[str, str] = models.CharField(
        max_length=255, blank=True, help_text="e.g. Senior Fellow"
    )
    photo: models.ForeignKey[Any, Any] = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A portrait, shown square. Optional.",
    )
    bio = RichTextField(features=["bold", "italic", "link"], blank=True)
    links = StreamField(
        [("link", AuthorLinkBlock())],
        blank=True,
        help_text="The expert's own pages elsewhere: a personal site, ORCID, a profile.",
    )

    typography_fields = ("role", "bio")
    parent_page_types = ["briefs.AuthorIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("given_name"), FieldPanel("family_name")]),
        FieldPanel("role"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("links"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("given_name", boost=2),
        index.SearchField("family_name", boost=2),
        index.SearchField("role"),
        index.SearchField("bio"),
    ]

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def csl_name(self) -> dict[str, str]:
        return {"family": self.family_name, "given": self.given_name}

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from briefdesk.topics.coverage import expert_topics

        context = super().get_context(request, *args, **kwargs)
        briefs = BriefPage.objects.for_listing().filter(brief_authors__author=self)
        context["briefs"] = Paginator(briefs, 20).get_page(request.GET.get("page"))
        context["topics"] = expert_topics(self)
        return context


# --- briefs ----------------------------------------------------------------------------


class BriefIndexPage(TypedChildRouteMixin, Page):
    base_form_class = ConflictCheckedPageForm
    routed_child_model = "briefs.BriefPage"
    parent_page_types = ["core.HomePage"]
    subpage_types = ["briefs.BriefPage"]
    max_count = 1

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["briefs"] = Paginator(BriefPage.objects.for_listing(), 20).get_page(
            request.GET.get("page")
        )
        return context


class BriefPageQuerySet(PageQuerySet):
    def for_listing(self) -> BriefPageQuerySet:
        """Published briefs, newest first, with what a listing item shows, in fixed queries."""
        return (
            self.live()
            .public()
            .order_by("-date", "-first_published_at")
            .prefetch_related(
                models.Prefetch(
                    "brief_authors", queryset=BriefAuthor.objects.select_related("author")
                )
            )
        )


BriefPageManager = PageManager.from_queryset(BriefPageQuerySet)


class BriefPage(OneQueryViewRestrictionsMixin, SmartTypography, RoutablePageMixin, Page):
    base_form_class = ConflictCheckedPageForm
    brief_type: models.CharField[str, str] = models.CharField(
        "type", max_length=40, choices=[(t, t) for t in BRIEF_TYPES], default=BRIEF_TYPES[0]
    )
    # Empty means "the day it goes live": filled in by save() when the brief is first
    # published, from its go-live date when it was scheduled (see `byline_date`).
    number: models.CharField[str, str] = models.CharField(
        "series number",
        max_length=20,
        blank=True,
        help_text="Printed as “<type> No. <number>” (e.g. “Analysis Brief No. 2026-7”) on the "
        "page, in the PDF and in every citation. Filled automatically on first publication "
        "(the year, then the brief's place among that year's briefs); you can change it.",
    )
    date: models.DateField[dt.date | None, dt.date | None] = models.DateField(
        "publication date",
        null=True,
        blank=True,
        help_text="Shown in the byline. Leave empty to use the day the brief goes live "
        "(its go-live date, when it is scheduled).",
    )
    updated: models.DateField[dt.date | None, dt.date | None] = models.DateField(
        "updated on",
        null=True,
        blank=True,
        help_text="Shown as “Updated …”. Leave empty to use the day a revision was "
        "last published, when that is after the publication date.",
    )
    summary: models.TextField[str, str] = models.TextField(
        blank=True,
        help_text="One or two sentences for listings and link previews. "
        "Empty: the body's opening is used.",
    )
    title_apa: models.CharField[str, str] = models.CharField(
        "title in sentence case (APA)",
        max_length=255,
        blank=True,
        help_text="APA cites titles in sentence case. Leave empty to use the title in "
        "automatic sentence case (names of people, outlets and topics on the site, and words "
        "the brief capitalises mid-sentence, keep their capitals). A title set here counts "
        "for the title it was written for: after a rename, APA follows the new title again.",
    )
    # The title `title_apa` was written for: a renamed brief is printed in automatic sentence
    # case until an editor writes an APA title for the new title (as for sources).
    title_apa_for: models.CharField[str, str] = models.CharField(
        max_length=255, blank=True, editable=False
    )
    social_image: models.ForeignKey[Any, Any] = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the brief is shared (OpenGraph, Twitter/X cards), cropped to "
        "1200×630. Empty: the brief's first figure.",
    )
    social_image_alt: models.CharField[str, str] = models.CharField(
        "social image alt text",
        max_length=255,
        blank=True,
        help_text="What the image shows. Empty: the image's own description.",
    )
    body = StreamField(BodyBlock(), blank=True)
    additional_analysis = StreamField(
        AdditionalAnalysisBlock(),
        blank=True,
        help_text="Outside commentary: one short paragraph per item, each citing its source.",
    )
    citations = models.JSONField(default=dict, editable=False)
    # The address an import read the brief from (the old page's canonical URL, or
    # "markdown:<file>"): importing the same page again updates this brief (importers.briefs).
    imported_from: models.CharField[str, str] = models.CharField(
        max_length=1000, blank=True, db_index=True, editable=False
    )

    objects = BriefPageManager()

    typography_fields = ("title", "summary", "body", "additional_analysis")

    parent_page_types = ["briefs.BriefIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldRowPanel(
            [
                FieldPanel("brief_type"),
                FieldPanel("number"),
                FieldPanel("date"),
                FieldPanel("updated"),
            ]
        ),
        InlinePanel("brief_authors", label="Author", min_num=1, heading="Authors"),
        InlinePanel("brief_topics", label="Topic", heading="Topics (first is primary)"),
        FieldPanel("summary"),
        QuoteChecksPanel(),
        FieldPanel("body"),
        FieldPanel("additional_analysis"),
        MultiFieldPanel(
            [
                InlinePanel("related_pins", label="Related brief", max_num=3),
                InlinePanel("related_exclusions", label="Never show", max_num=20),
            ],
            heading="More on This Topic (pinned briefs first; the rest chosen automatically)",
        ),
        FieldPanel("title_apa"),
    ]
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [FieldPanel("social_image"), FieldPanel("social_image_alt")],
            heading="Social image",
        ),
    ]
    # Field boosts weigh the fields on PostgreSQL (SQLite keeps only title and body): the
    # search page ranks by briefdesk.search.query.WEIGHTS on both. Authors' names let a
    # search for an expert find their briefs.
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=1.5),
        index.SearchField("body"),
        index.RelatedFields(
            "brief_authors",
            [
                index.RelatedFields(
                    "author", [index.SearchField("given_name"), index.SearchField("family_name")]
                )
            ],
        ),
        index.FilterField("date"),
        index.FilterField("brief_type"),
    ]

    # A copy is a new brief: it gets its own number when it goes live.
    exclude_fields_in_copy = ["number", "imported_from"]

    class Meta:
        ordering = ["-date"]
        verbose_name = "brief"
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=~models.Q(number=""),
                name="unique_brief_series_number",
                # "unique" makes model validation (the admin form) report it on the field.
                violation_error_code="unique",
                violation_error_message="Another brief already has this series number.",
            )
        ]

    # --- display ---------------------------------------------------------------------

    @cached_property
    def authors(self) -> list[AuthorPage]:
        """The brief's authors in order; one query, or none when prefetched (listings)."""
        links = self.brief_authors
        if "brief_authors" not in getattr(self, "_prefetched_objects_cache", {}):
            links = links.select_related("author")
        return [link.author for link in links.all() if link.author_id]

    def linked_authors(self, restricted: list[str] | None = None) -> list[tuple[AuthorPage, bool]]:
        """Each author with whether a reader can open their page: a byline names every
        author but links only to author pages that are live and public."""
        from briefdesk.core.visibility import is_visible, restricted_paths

        if restricted is None:
            restricted = restricted_paths()
        return [(author, is_visible(author, restricted)) for author in self.authors]

    @property
    def series_label(self) -> str:
        """What the type label prints: "Analysis Brief No. 2026-7", or the type alone."""
        return series_label(self.brief_type, self.number)

    @property
    def byline_label(self) -> str:
        return "Authors" if len(self.authors) > 1 else "Author"

    @property
    def authors_text(self) -> str:
        return authors_display([a.csl_name() for a in self.authors])

    @property
    def byline_date(self) -> dt.date:
        """The publication date; while it is empty (a draft that has not gone live), the day
        the brief would go live: its go-live date when scheduled, else today."""
        if self.date:
            return self.date
        return timezone.localdate(self.go_live_at) if self.go_live_at else timezone.localdate()

    @property
    def updated_on(self) -> dt.date | None:
        date = self.byline_date
        if self.updated:
            return self.updated if self.updated > date else None
        if self.last_published_at and self.first_published_at:
            last = timezone.localdate(self.last_published_at)
            if last > timezone.localdate(self.first_published_at) and last > date:
                return last
        return None

    def _body_text(self) -> str:
        return " ".join(
            prose_text(str(block.value.source))
            for block in self.body
            if block.block_type == "paragraph"
        )

    @property
    def teaser(self) -> str:
        """What listings and link previews show: the summary whole, or the body's opening."""
        return make_teaser(self.summary, "" if self.summary.strip() else self._body_text())

    @property
    def meta_description(self) -> str:
        """The page's <meta name="description">: the teaser within a search result's length."""
        body = "" if self.summary.strip() else self._body_text()
        return make_teaser(self.summary, body, limit=DESCRIPTION_LIMIT)

    def share_image(self) -> tuple[Any, str] | None:
        """The image and alt text for link previews: the social image, else the body's first
        figure; None when there is neither. The alt text falls back, as figures do, to the
        image's description, then its title."""
        if self.social_image_id and self.social_image:
            image, alt = self.social_image, self.social_image_alt
        else:
            figure = next(
                (b.value for b in self.body if b.block_type == "figure" and b.value["image"]),
                None,
            )
            if figure is None:
                return None
            image, alt = figure["image"], figure["alt"]
        return image, (alt or image.description or image.title).strip()

    def rich_text_values(self) -> list[str]:
        """Every rich-text value in the brief, body first, for finding cited sources."""
        values = [str(b.value.source) for b in self.body if b.block_type == "paragraph"]
        values += [str(b.value.source) for b in self.additional_analysis]
        return values

    # --- citation --------------------------------------------------------------------

    def canonical_url(self) -> str:
        """The brief's public URL under BRIEFDESK_BASE_URL (what citations print)."""
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        path = self.get_url() if self.url_path else None
        if path and path.startswith(("http://", "https://")):
            return path  # several sites: Wagtail gives the full URL of this page's site
        return f"{base}{path or f'/briefs/{self.slug}/'}"

    def to_csl(self) -> dict[str, Any]:
        """CSL-JSON for the brief itself: a report (genre: its type; number: its series
        number) issued by the site's publisher, with its abstract and language.

        This one item is what a brief is everywhere: the stored citations are formatted from
        it, the downloads write it, and the page's <head> metadata is made from it
        (`briefs.templatetags.metadata_tags`), so they cannot disagree. See docs/metadata.md."""
        date = self.byline_date
        item: dict[str, Any] = {
            "id": f"brief-{self.pk or self.slug}",
            "type": "report",
            "genre": self.brief_type,
            "title": self.title,
            "publisher": settings.BRIEFDESK_PUBLISHER,
            "issued": {"date-parts": [[date.year, date.month, date.day]]},
            "URL": self.canonical_url(),
            "language": LANGUAGE,
        }
        names = [a.csl_name() for a in self.authors]
        if names:
            item["author"] = names
        if self.number.strip():
            item["number"] = self.number.strip()
        abstract = self.teaser
        if abstract:
            item["abstract"] = abstract
        return item

    def refresh_citations(self) -> None:
        """Format the brief's own citation in every style (stored; pages never format).
        APA prints `title_apa` while it was written for this title, else the title in
        automatic sentence case, keeping as proper nouns the authors' names, the names the
        site knows and the words the brief's own text capitalises mid-sentence. A bulk import
        may have formatted the same items ahead (citations.preformatted)."""
        self.citations = format_in_every_style(*self.citation_items())

    def citation_items(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The CSL items `refresh_citations` formats: (item, item for APA)."""
        item = self.to_csl()
        self._settle_apa_override()
        apa_title = sentence_case.apa_title(
            self.title,
            self.title_apa,
            self.title_apa_for,
            [
                *(name for a in self.authors for name in (a.name, a.family_name)),
                *site_proper_nouns(),
                *sentence_case.proper_nouns_in_text(self._body_text()),
            ],
        )
        return item, dict(item, title=apa_title)

    def _settle_apa_override(self) -> None:
        """Record which title the APA title was written for: the current title when it is new
        or changed since the stored row (an editor just wrote it), or when nobody said (the
        demo, an old revision). An empty APA title is no override."""
        if not self.title_apa.strip():
            self.title_apa, self.title_apa_for = "", ""
            return
        stored = (
            BriefPage.objects.filter(pk=self.pk).values_list("title_apa", flat=True).first()
            if self.pk
            else None
        )
        if stored != self.title_apa or not self.title_apa_for:
            self.title_apa_for = self.title

    def save(self, *args: Any, **kwargs: Any) -> Any:
        # Saving a draft revision touches only a few columns (update_fields); the row's content
        # is what is live, so citations and the cited-source index follow full saves only.
        full_save = kwargs.get("update_fields") is None
        numbered = False
        if full_save:  # before the citations are formatted from the title
            self.smarten_typography()
        if full_save:
            if self.date is None and self.live:
                self.date = self._go_live_date()
            self.number = self.number.strip()
            if not self.number and self.live:
                self.number = self._kept_number()
                if not self.number:
                    self.number, numbered = self._next_number(), True
            self._number_children()
            self.refresh_citations()
        if numbered:
            result = self._save_with_new_number(*args, **kwargs)
            self._record_number_in_revisions()
        else:
            result = super().save(*args, **kwargs)
        if full_save:
            self.index_cited_sources()
        return result

    def _kept_number(self) -> str:
        """The series number already on the live row: a brief keeps its number when a later
        revision has none (the editor's form was opened from a revision made before it had
        one, or the field was cleared)."""
        if not self.pk:
            return ""
        return BriefPage.objects.filter(pk=self.pk).values_list("number", flat=True).first() or ""

    def _next_number(self) -> str:
        """`<year>-<n>`: the year of the publication date, n one more than the highest n of
        that year on any brief."""
        year = self.byline_date.year
        taken = BriefPage.objects.filter(number__startswith=year_prefix(year)).exclude(pk=self.pk)
        return next_number(year, taken.values_list("number", flat=True))

    def _save_with_new_number(self, *args: Any, **kwargs: Any) -> Any:
        """Save with the number just chosen; when another brief took it in the meantime
        (two publications at once), choose again."""
        attempts = 1
        while True:
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except (IntegrityError, ValidationError):
                taken = BriefPage.objects.filter(number=self.number).exclude(pk=self.pk).exists()
                if not taken or attempts == NUMBERING_ATTEMPTS:
                    raise
            attempts += 1
            self.number = self._next_number()
            self.refresh_citations()

    def _record_number_in_revisions(self) -> None:
        """Write a number given on publication into the brief's live and latest revisions,
        so the editor's form shows it (the admin edits the latest revision, not the row)."""
        from wagtail.models import Revision

        ids = {self.live_revision_id, self.latest_revision_id} - {None}
        for revision in Revision.objects.filter(pk__in=ids):
            if not str(revision.content.get("number") or "").strip():
                revision.content["number"] = self.number
                revision.save(update_fields=["content"])

    def _go_live_date(self) -> dt.date:
        """The publication date of a brief going live with none set: the date it already
        has on the live row (a later publication of a revision that still has it empty),
        else its go-live date when that has come (a scheduled brief), else today."""
        if self.pk:
            kept = BriefPage.objects.filter(pk=self.pk).values_list("date", flat=True).first()
            if kept:
                return kept
        now = timezone.now()
        moment = self.go_live_at if self.go_live_at and self.go_live_at <= now else now
        return timezone.localdate(moment)

    def _number_children(self) -> None:
        """Give ordered children (authors, topics, pins) set in code a sort order from their
        position: the admin numbers them, code that assigns lists does not, and unnumbered
        rows come back in no defined order on PostgreSQL."""
        for relation in ("brief_authors", "brief_topics", "related_pins"):
            children = list(getattr(self, relation).all())
            if any(child.sort_order is None for child in children):
                for position, child in enumerate(children):
                    child.sort_order = position

    def index_cited_sources(self) -> None:
        """Record which sources this brief cites, in order, for "briefs citing this source"."""
        from briefdesk.sources.models import Source
        from briefdesk.sources.richtext import cited_source_ids

        ids = cited_source_ids(self.rich_text_values())
        existing = set(Source.objects.filter(pk__in=ids).values_list("pk", flat=True))
        BriefSource.objects.filter(page=self).delete()
        BriefSource.objects.bulk_create(
            BriefSource(page=self, source_id=sid, position=n)
            for n, sid in enumerate(i for i in ids if i in existing)
        )

    def citation_in(self, style: str) -> dict[str, str]:
        return (self.citations or {}).get(style) or {}

    def dialog_citations(self) -> list[dict[str, str]]:
        return [
            {"key": key, "label": STYLES[key].label, **self.citation_in(key)}
            for key in DIALOG_STYLES
        ]

    # --- related ---------------------------------------------------------------------

    def related_briefs(
        self,
        limit: int = 3,
        topic_ids: list[int] | None = None,
        restricted: list[str] | None = None,
    ) -> list[BriefPage]:
        """Pinned briefs first, then the relatedness engine's stored choice (RelatedBrief rows,
        best first, written on publish: see briefs.related_store); never an excluded brief, and
        only briefs a reader may open (live and public), whatever is pinned or stored. Nothing
        is scored here. Their authors are prefetched together with this brief's own, in one
        query. `restricted` is `core.visibility.restricted_paths()` when the caller has it
        already. `topic_ids` is not used any more (the stored scores weigh topics)."""
        from briefdesk.core.visibility import is_visible, private_q, restricted_paths

        if restricted is None:
            restricted = restricted_paths()
        pinned = [
            pin.related
            # A listing needs neither the stored citations nor the Additional Analysis.
            for pin in self.related_pins.select_related("related").defer(
                "related__citations", "related__additional_analysis"
            )
            if is_visible(pin.related, restricted) and pin.related_id != self.pk
        ][:limit]
        if len(pinned) < limit:
            exclude = [self.pk, *(p.pk for p in pinned)]
            pinned += [
                row.related
                for row in RelatedBrief.objects.filter(page=self, related__live=True)
                .exclude(private_q(restricted, prefix="related__"))
                .exclude(related_id__in=exclude)
                .exclude(
                    related_id__in=BriefRelatedExclusion.objects.filter(page=self).values(
                        "excluded_id"
                    )
                )
                .select_related("related")
                .defer("related__citations", "related__additional_analysis")
                .order_by("position")[: limit - len(pinned)]
            ]
        models.prefetch_related_objects(
            [p for p in (self, *pinned) if "authors" not in p.__dict__],
            models.Prefetch("brief_authors", queryset=BriefAuthor.objects.select_related("author")),
        )
        return pinned

    # --- routes ----------------------------------------------------------------------

    preview_modes = [("", "Web page"), ("pdf", "PDF")]

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        """The admin preview; in "PDF" mode the draft as its PDF (never cached)."""
        self.refresh_citations()  # the brief's own citation as the draft stands, not as saved
        if self.date is None:  # what it would show if it went live as scheduled (or today)
            self.date = self.byline_date
        if mode_name == "pdf":
            from .views import preview_pdf

            return preview_pdf(request, self)
        return super().serve_preview(request, mode_name)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from .rendering import brief_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(
            brief_page_context(
                self,
                style=kwargs.get("source_style", DEFAULT_STYLE),
                # The admin preview (web page and PDF) shows the draft sources it cites.
                include_drafts=getattr(request, "is_preview", False),
            )
        )
        return context

    @path("")
    def brief(self, request: HttpRequest) -> HttpResponse:
        try:
            style = style_from(request, DEFAULT_STYLE)
        except UnknownStyle as exc:
            return bad_style(exc)
        if request.GET.get("partial") == "sources":
            # The Sources list alone, for switching its style without reloading the page.
            from .rendering import cited_sources, source_entries

            sources = cited_sources(self.rich_text_values())
            return TemplateResponse(
                request,
                "briefs/includes/source_list.html",
                {"source_entries": source_entries(sources, style)},
            )
        return self.render(request, source_style=style)

    @path("cite/")
    def cite(self, request: HttpRequest) -> HttpResponse:
        return TemplateResponse(
            request,
            "briefs/brief_cite.html",
            {"page": self, "self": self, "citations": self.dialog_citations()},
        )

    def cite_file(self, request: HttpRequest, fmt: str) -> HttpResponse:
        """cite.txt (one line in ?style=), and the downloads cite.json / cite.bib / cite.ris,
        optionally ?with=sources (the brief first, then its sources in citation order)."""
        if fmt == "txt":
            return text_entry(request, self.citations or {})
        if fmt not in DOWNLOADS:
            raise Http404(f"No citation format {fmt!r}")
        with_sources = request.GET.get("with")
        if with_sources not in (None, "", "sources"):
            return HttpResponseBadRequest(
                "Unknown value for with: use with=sources\n", content_type="text/plain"
            )
        items = [self.to_csl()]
        filename = self.slug
        if with_sources == "sources":
            from .rendering import cited_sources

            items += [source.to_csl() for source in cited_sources(self.rich_text_values())]
            filename += "-with-sources"
        return download(items, fmt, filename)


class BriefAuthor(Orderable):
    page = ParentalKey(BriefPage, on_delete=models.CASCADE, related_name="brief_authors")
    author: models.ForeignKey[AuthorPage, AuthorPage] = models.ForeignKey(
        AuthorPage, on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("author")]


class BriefTopic(Orderable):
    page = ParentalKey(BriefPage, on_delete=models.CASCADE, related_name="brief_topics")
    topic: models.ForeignKey[TopicGuidePage, TopicGuidePage] = models.ForeignKey(
        "topics.TopicGuidePage", on_delete=models.CASCADE, related_name="topic_briefs"
    )

    panels = [FieldPanel("topic")]


class BriefRelatedPin(Orderable):
    page = ParentalKey(BriefPage, on_delete=models.CASCADE, related_name="related_pins")
    related: models.ForeignKey[BriefPage, BriefPage] = models.ForeignKey(
        BriefPage, on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("related")]


class BriefRelatedExclusion(Orderable):
    """A brief the editors never want in this brief's More on This Topic."""

    page = ParentalKey(BriefPage, on_delete=models.CASCADE, related_name="related_exclusions")
    excluded: models.ForeignKey[BriefPage, BriefPage] = models.ForeignKey(
        BriefPage, on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("excluded")]


class RelatedBrief(models.Model):
    """A stored result of the relatedness engine (briefdesk.related): `related` scored `score`
    for `page`, at `position` among its best. Pages read these rows; they never score."""

    page = models.ForeignKey(BriefPage, on_delete=models.CASCADE, related_name="related_scores")
    related = models.ForeignKey(BriefPage, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    position = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page", "position"]
        constraints = [
            models.UniqueConstraint(fields=["page", "related"], name="unique_related_brief")
        ]


class BriefSource(models.Model):
    """Which sources a brief's saved content cites, in order of first citation (an index
    rebuilt on every full save; the rich text itself is the record)."""

    page = models.ForeignKey(BriefPage, on_delete=models.CASCADE, related_name="cited_sources")
    source = models.ForeignKey(
        "sources.Source", on_delete=models.CASCADE, related_name="citing_briefs"
    )
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["page", "position"]
        constraints = [
            models.UniqueConstraint(fields=["page", "source"], name="unique_brief_source")
        ]


def _pdf_upload_to(instance: BriefPdf, filename: str) -> str:
    return f"briefs/pdf/{filename}"


class BriefPdf(models.Model):
    """A brief's PDF for one published revision in one citation style (see printing.py),
    or the record of why it could not be made (`error`), for the admin. The file is in
    private storage: readers get it only through the PDF view."""

    page = models.ForeignKey(BriefPage, on_delete=models.CASCADE, related_name="pdfs")
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.CASCADE, null=True, related_name="+"
    )
    style = models.CharField(max_length=20)
    # Private storage (outside MEDIA_ROOT, no URL): only /briefs/<slug>/pdf/, which checks
    # that the brief is live and public, hands the file out.
    file = models.FileField(
        upload_to=_pdf_upload_to, storage=private_storage, blank=True, max_length=255
    )
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    render_seconds = models.FloatField(default=0)
    problems = models.JSONField(
        default=list, blank=True, help_text="Warnings while rendering, e.g. images not loaded."
    )
    error = models.TextField(blank=True)
    made_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "brief PDF"
        constraints = [
            models.UniqueConstraint(
                fields=["page", "revision", "style"], name="unique_brief_pdf_revision_style"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page_id} r{self.revision_id} {self.style}"

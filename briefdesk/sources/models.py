"""Outlets and sources: every source a brief cites is a record, formatted on write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import classproperty
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index

from briefdesk.citations import sentence_case
from briefdesk.citations.engine import Formatted, format_items
from briefdesk.citations.styles import STYLES
from briefdesk.core.edit_conflicts import ConflictCheckedModelForm

from . import csl, validators
from .kinds import CITATION_LABELS, CSL_TYPE, KIND_LABELS, Kind
from .richtext import is_web_url
from .snapshots_panel import SnapshotsPanel
from .validators import validate_partial_date

validate_web_url = validators.validate_web_url  # http(s) only, one message per bad URL


class Reviewed(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """Drafts, revisions, locking and the editorial-review workflow for a shared record.

    The database row is what readers see (the published version); an edit of a live record
    through the admin is stored as a revision only, until someone with the model's `publish`
    permission publishes it. New rows made in code (factories, the demo, importers) are live
    by default, like every row that existed before drafts (migration 0002).
    """

    class Meta:
        abstract = True

    @property
    def revisions(self) -> Any:
        # Wagtail's recommended setup: a GenericRelation per model, so revisions and workflow
        # states are deleted with the record (see `_revisions` / `workflow_states` below).
        return self._revisions


class Outlet(Reviewed, index.Indexed):
    """Who published a source: a newspaper, agency, site, programme or institution."""

    base_form_class = ConflictCheckedModelForm
    name = models.CharField(max_length=255, unique=True, help_text="e.g. The New York Times")
    short_label = models.CharField(
        max_length=40,
        blank=True,
        help_text="Shown in parentheses after a claim, e.g. NYT. Defaults to the name.",
    )
    home_url = models.URLField(
        "home page", blank=True, max_length=500, validators=[validate_web_url]
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="outlet")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="outlet",
        for_concrete_model=False,
    )

    # A draft may leave fields empty, but never the name (unique, and what choosers show).
    panels = [
        FieldPanel("name", required_on_save=True),
        FieldPanel("short_label"),
        FieldPanel("home_url"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("short_label"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_label or self.name


class Source(Reviewed, index.Indexed):
    """A cited work. Columns hold what editors edit; `csl_extra` holds every other CSL-JSON
    variable so import/export round-trips without loss. `formatted` stores citeproc-js output
    per style, refreshed on every save, so pages never run the engine."""

    kind = models.CharField(
        max_length=32,
        choices=[(k.value, v) for k, v in KIND_LABELS.items()],
        default="news_article",
    )
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )
    title = models.CharField(
        max_length=1000,
        blank=True,
        help_text="Empty for an untitled work (an interview, a letter): it is cited by its "
        "people and date, e.g. “Interview by …”.",
    )
    title_apa = models.CharField(
        "title in sentence case (APA)",
        max_length=1000,
        blank=True,
        help_text="APA cites titles in sentence case, made from the title automatically "
        "(names of people, outlets and topics on the site keep their capitals). "
        "Type one here only to correct it.",
    )
    # The title the APA override was written for: once the title changes, the override is
    # ignored (APA follows the new title) until an editor clears or updates it.
    title_apa_for = models.CharField(max_length=1000, blank=True, editable=False)
    authors = models.JSONField(
        default=list,
        blank=True,
        help_text="One per line: 'Family, Given' for a person, or an organisation's name.",
    )
    issued = models.CharField(
        "publication date",
        max_length=10,
        blank=True,
        validators=[validate_partial_date],
        help_text="YYYY-MM-DD, YYYY-MM or YYYY; empty if undated.",
    )
    url = models.URLField("URL", max_length=2000, blank=True, validators=[validate_web_url])
    accessed = models.DateField(
        "accessed", null=True, blank=True, help_text="When the URL was read (YYYY-MM-DD)."
    )
    number = models.CharField(
        max_length=255, blank=True, help_text="Report, cable or document number."
    )
    publisher = models.CharField(max_length=500, blank=True)
    publisher_place = models.CharField("place of publication", max_length=255, blank=True)
    genre = models.CharField(
        max_length=255, blank=True, help_text="e.g. Op-ed, Diplomatic cable, Report to Congress."
    )
    medium = models.CharField(max_length=255, blank=True, help_text="e.g. PDF.")
    container_title = models.CharField(
        "container title",
        max_length=1000,
        blank=True,
        help_text="Newspaper, site, blog or journal, when it is not the outlet.",
    )
    label = models.CharField(
        "label override",
        max_length=40,
        blank=True,
        help_text="Text shown in parentheses after a claim. Defaults to PDF for PDFs, "
        "else the outlet's short label.",
    )
    citation_key = models.CharField(
        max_length=255, blank=True, help_text="Identifier from a reference manager, if imported."
    )
    csl_extra = models.JSONField(
        "other CSL fields",
        default=dict,
        blank=True,
        help_text='Other CSL-JSON variables, e.g. {"volume": "90", "page": "112-125"}.',
    )
    formatted = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="source")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="source",
        for_concrete_model=False,
    )

    @classproperty
    def base_form_class(cls) -> type[Any]:
        # Read by Wagtail when it builds the admin form; imported late because the forms
        # module needs this model (the chooser's create form is a ModelForm for it).
        from .forms import SourceForm

        return SourceForm

    # A draft may leave fields empty, but never its kind: it is formatted on every save. An
    # untitled work needs a name instead of a title (see `clean`).
    panels = [
        # Shown only with the "a source like this exists" error (forms.SourceForm).
        FieldPanel("create_anyway"),
        FieldRowPanel([FieldPanel("kind", required_on_save=True), FieldPanel("outlet")]),
        FieldPanel("title"),
        FieldPanel("title_apa"),
        FieldPanel("authors"),
        FieldRowPanel([FieldPanel("issued"), FieldPanel("accessed")]),
        FieldPanel("url"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("number"), FieldPanel("genre"), FieldPanel("medium")]),
                FieldRowPanel([FieldPanel("publisher"), FieldPanel("publisher_place")]),
                FieldPanel("container_title"),
                FieldPanel("label"),
                FieldPanel("csl_extra"),
            ],
            heading="More details",
        ),
        SnapshotsPanel(),
    ]
    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("url"),
        index.RelatedFields(
            "outlet",
            [index.SearchField("name", boost=1.5), index.SearchField("short_label", boost=1.5)],
        ),
        index.SearchField("authors"),
        index.SearchField("container_title"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        outlet = f"{self.outlet.label}: " if self.outlet_id and self.outlet else ""
        date = f" ({self.issued})" if self.issued else ""
        return f"{outlet}{self.display_title}{date}"

    @property
    def display_title(self) -> str:
        """The title, or for an untitled work what it is: "Interview with Imran Khan by Jo
        Smith", "Letter from A to B", "Untitled web page by A" (for headings, choosers and
        lists; citations use the style's own words)."""
        return self.title or csl.untitled_description(self.to_csl(), self.kind_label)

    def get_absolute_url(self) -> str:
        return reverse("sources:detail", args=[self.pk])

    # --- editorial display -------------------------------------------------------------

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[Kind(self.kind)]

    @property
    def parenthetical_label(self) -> str:
        """What a brief shows in parentheses after a claim citing this source."""
        if self.label:
            return self.label
        if self.medium.strip().upper() == "PDF":
            return "PDF"
        if self.outlet:
            return self.outlet.label
        short = CITATION_LABELS.get(Kind(self.kind)) or self.kind_label
        return self.publisher or self.container_title or short

    @property
    def web_url(self) -> str:
        """The URL if it is http(s), else empty: only web URLs ever become links."""
        return self.url if is_web_url(self.url) else ""

    @property
    def outlet_name(self) -> str:
        # Not `outlet_id`: a new outlet typed in the chooser is attached before it is saved.
        return self.outlet.name if self.outlet else ""

    # --- APA title ---------------------------------------------------------------------

    def proper_nouns(self) -> list[str]:
        """Names the automatic APA title keeps capitalised: the outlet's, the authors' (whole
        and family name alone) and every person, outlet and topic named on the site."""
        from briefdesk.citations.proper_nouns import site_proper_nouns

        names = [self.outlet_name]
        for author in self.authors or []:
            names.append(csl.display_name(author))
            if author.get("family"):
                names.append(str(author["family"]))
        return [*names, *site_proper_nouns()]

    @property
    def apa_title_automatic(self) -> str:
        return sentence_case.suggest_sentence_case(self.title, self.proper_nouns())

    @property
    def apa_override_applies(self) -> bool:
        """An editor's APA title, written for the current title (see `title_apa_for`)."""
        return sentence_case.override_applies(self.title, self.title_apa, self.title_apa_for)

    @property
    def apa_title(self) -> str:
        """The title APA prints: the override while it was set for this title, else the
        automatic sentence case of the title."""
        return sentence_case.apa_title(
            self.title, self.title_apa, self.title_apa_for, self.proper_nouns()
        )

    def settle_apa_override(self) -> None:
        """Record the title an APA override was written for, when nobody said: an override
        set in code (the demo) or kept in an old revision is taken as written for the title
        it comes with. An empty override is no override."""
        if not self.title_apa.strip():
            self.title_apa, self.title_apa_for = "", ""
        elif not self.title_apa_for:
            self.title_apa_for = self.title

    # --- CSL ---------------------------------------------------------------------------

    @property
    def csl_id(self) -> str:
        return self.citation_key or f"source-{self.pk}"

    def fields(self) -> csl.SourceFields:
        return csl.SourceFields(
            kind=self.kind,
            title=self.title,
            authors=list(self.authors or []),
            issued=self.issued,
            accessed=self.accessed,
            url=self.url,
            number=self.number,
            publisher=self.publisher,
            publisher_place=self.publisher_place,
            genre=self.genre,
            medium=self.medium,
            container_title=self.container_title,
            outlet_name=self.outlet_name,
            csl_extra=dict(self.csl_extra or {}),
        )

    def to_csl(self) -> dict[str, Any]:
        return csl.to_csl(self.fields(), self.csl_id)

    def apply_csl(self, item: dict[str, Any]) -> str:
        """Set this source's fields from a CSL-JSON item; returns the outlet name to link."""
        fields = csl.from_csl(item)
        for name in [
            "kind",
            "title",
            "authors",
            "issued",
            "accessed",
            "url",
            "number",
            "publisher",
            "publisher_place",
            "genre",
            "medium",
            "container_title",
            "csl_extra",
        ]:
            setattr(self, name, getattr(fields, name))
        if item.get("id"):
            self.citation_key = str(item["id"])
        return fields.outlet_name

    def refresh_formatted(self) -> None:
        """Format this source in every style with citeproc-js (stored on the record)."""
        format_sources([self])

    def clean(self) -> None:
        super().clean()
        from .csl_schema import CITED_BY_TITLE, validate_extra, validate_item

        # PostgreSQL refuses NUL in text; SQLite would store it. Refused on both, for every
        # path in (form, import, API), so the same input gets the same answer.
        nul = {
            f.name: "Remove the NUL character (\\0): text cannot contain it."
            for f in self._meta.concrete_fields
            if "\x00" in str(getattr(self, f.attname, None) or "")
        }
        if nul:
            raise ValidationError(nul)
        if not isinstance(self.authors, list) or not all(isinstance(a, dict) for a in self.authors):
            raise ValidationError({"authors": "Authors must be a list of names."})
        if not isinstance(self.csl_extra, dict):
            raise ValidationError({"csl_extra": 'Enter a JSON object, e.g. {"page": "A1"}.'})
        # The CSL-JSON schema and its limits (name parts, sizes, date shapes): csl_schema.
        shape = {
            "authors": validate_item({"author": self.authors}),
            "csl_extra": validate_extra(self.csl_extra),
        }
        shape = {k: [m[0].upper() + m[1:] + "." for m in v] for k, v in shape.items() if v}
        if shape:
            raise ValidationError(shape)
        reserved = {"id", "title", "author", "URL"} & set(self.csl_extra)
        # A date the columns can hold must be typed there; one they cannot ("Winter 2010",
        # a range) is kept here, as csl.from_csl does.
        reserved |= {
            key
            for key in ("issued", "accessed")
            if key in self.csl_extra
            and key not in csl.from_csl({key: self.csl_extra[key]}).csl_extra
        }
        if reserved:
            raise ValidationError(
                {"csl_extra": f"Use the form's own fields for: {', '.join(sorted(reserved))}."}
            )
        if not self.title.strip():
            # Every style cites an untitled work by its author ("Khan, Imran. Interview by Jo
            # Smith."); with neither, MLA and APA have nothing to print (they never lead
            # with an interviewer or a recipient). Legal material is cited by its title.
            csl_type = self.csl_extra.get("type") or CSL_TYPE.get(self.kind, "")
            if csl_type in CITED_BY_TITLE:
                raise ValidationError({"title": f"A {csl_type.replace('_', ' ')} needs a title."})
            if not self.authors:
                raise ValidationError(
                    {
                        "title": "Give a title, or for an untitled work (an interview, a "
                        "letter) its author."
                    }
                )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The CSL id is never printed, so a new record formats before it has a pk. Wagtail's
        # bookkeeping saves (a draft's revision pointer, a lock) write only their own columns:
        # the row keeps the published version and its stored citations.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "formatted" in update_fields:
            self.refresh_formatted()
        super().save(*args, **kwargs)

    def formatted_in(self, style: str) -> dict[str, Any]:
        """The stored citation in one style (engine.Formatted.as_dict), plus, when the style
        gives this source no bibliography entry (`notes_only`: Chicago's social-media posts
        and personal communications), what a reference list shows in its place: `note_html`
        / `note` (the full note, or the in-text citation) and `notes_only_label` ("Cited in
        notes only", or "Cited in the text only" for an author-date style)."""
        stored = dict((self.formatted or {}).get(style) or {})
        if stored.get("notes_only"):
            is_note = STYLES[style].is_note if style in STYLES else True
            stored["note_html"] = stored.get("citation_html", "")
            stored["note"] = stored.get("citation", "")
            stored["notes_only_label"] = (
                "Cited in notes only" if is_note else "Cited in the text only"
            )
        return stored


# --- the archive: snapshots and link health (docs/archive.md) ---------------------------


def snapshot_storage() -> Any:
    """Where snapshot files go: STORAGES["snapshots"] (private on disk by default, with no
    public URL; an S3-compatible bucket in production). A callable, read at run time, so
    tests' settings apply and migrations record no path."""
    from django.core.files.storage import storages

    return storages["snapshots"]


def _snapshot_upload_to(instance: Snapshot, filename: str) -> str:
    return f"snapshots/{instance.source_id}/{filename}"


class Snapshot(models.Model):
    """One capture of a source's URL, never changed once written: a WARC of the exchange
    (request, response, metadata) for a web page, or the file itself for a PDF, with the
    main text extracted from it and the payload's SHA-256."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    captured_at = models.DateTimeField(db_index=True)
    url = models.URLField("URL asked for", max_length=2000)
    final_url = models.URLField("URL answered", max_length=2000)
    status = models.PositiveSmallIntegerField("HTTP status")
    content_type = models.CharField(max_length=200, blank=True)
    # The WARC (gzip; every page) and, for a PDF or another document, the file itself.
    warc = models.FileField(upload_to=_snapshot_upload_to, storage=snapshot_storage, max_length=500)
    document = models.FileField(
        upload_to=_snapshot_upload_to, storage=snapshot_storage, max_length=500, blank=True
    )
    title = models.CharField(max_length=1000, blank=True)
    text = models.TextField("main text", blank=True)
    sha256 = models.CharField("payload SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("payload bytes")

    class Meta:
        ordering = ["-captured_at", "-id"]
        get_latest_by = "captured_at"

    def __str__(self) -> str:
        return f"{self.final_url} at {self.captured_at:%Y-%m-%d %H:%M}"


class LinkState(models.TextChoices):
    OK = "ok", "OK"
    REDIRECTED = "redirected", "Redirected"
    GONE = "gone", "Gone"
    SERVER_ERROR = "server-error", "Server error"
    UNREACHABLE = "unreachable", "Unreachable"
    SOFT_404 = "soft-404", "Soft 404"
    DRIFTED = "drifted", "Drifted"
    BLOCKED = "blocked", "Not checked (robots.txt or refused)"


class LinkCheck(models.Model):
    """One check of a source's URL: the history of its link health, newest first."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="link_checks")
    checked_at = models.DateTimeField(db_index=True)
    url = models.URLField("URL checked", max_length=2000)
    state = models.CharField(max_length=20, choices=LinkState.choices)
    status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    # Where a redirect leads (the last hop), and whether every hop was permanent.
    target = models.URLField(max_length=2000, blank=True)
    permanent = models.BooleanField(null=True)
    # How much of the last snapshot's main text the page still holds (0..1; drift below a
    # threshold), when both texts exist.
    similarity = models.FloatField(null=True, blank=True)
    detail = models.CharField("reason", max_length=500, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"
        indexes = [models.Index(fields=["source", "-checked_at"], name="linkcheck_latest")]

    def __str__(self) -> str:
        return f"{self.url}: {self.state} at {self.checked_at:%Y-%m-%d %H:%M}"


def format_sources(sources: Sequence[Source]) -> None:
    """Format these sources in every style with citeproc-js, one engine call per style for
    all of them (bulk re-formatting: the call itself costs as much as a short entry), and set
    each one's `formatted`. Each item is still rendered on its own (citations.engine)."""
    items, apa_items = csl_items_to_format(sources)
    by_style = {key: format_items(apa_items if key == "apa" else items, key) for key in STYLES}
    store_formatted(sources, by_style)


def csl_items_to_format(
    sources: Sequence[Source],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The CSL items `format_sources` hands the engine: (items, items for APA), in the order
    of `sources`. Reads the site's proper nouns (citations.proper_nouns), so it belongs in a
    thread with a database connection; the engine calls need none."""
    items, apa_items = [], []
    for n, source in enumerate(sources):
        source.settle_apa_override()
        # Ids only need to be unique within the call; two sources may share a citation key.
        item = dict(source.to_csl(), id=f"item-{n}")
        items.append(item)
        apa_items.append(dict(item, title=source.apa_title) if item.get("title") else item)
    return items, apa_items


def store_formatted(sources: Sequence[Source], by_style: dict[str, list[Formatted]]) -> None:
    """Set each source's `formatted` from the engine's answers for `csl_items_to_format`."""
    for n, source in enumerate(sources):
        source.formatted = {key: by_style[key][n].as_dict() for key in STYLES}

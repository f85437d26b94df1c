"""A new source proposed from its URL: the page is fetched, read (archive.pagemeta) and its
outlet found. Nothing is saved until an editor confirms.

    proposal = propose_source("https://www.dawn.com/news/1987654")   # or AutofillError
    proposal.initial          # initial values for the Source form (unsaved)
    proposal.found_in         # field -> where it came from: "citation_title", "og:site_name" …
    source = save_proposal(proposal, user=editor)   # the editor's confirmation (CLI --save)

The outlet is the one whose home page is at the URL's registrable domain ("dawn.com" for
www.dawn.com and images.dawn.com; the exact host wins when several share one, as europa.eu
does), else the one most sources from that host belong to; else a new outlet is proposed
under the page's own site name, with a short label suggested (an acronym the domain confirms,
"SIPRI" for sipri.org; else the name without "The" and a tagline, at most 40 characters).
The public suffix list is tldextract's bundled copy: it is never downloaded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import tldextract
from django.db import transaction
from django.utils import timezone

from briefdesk.archive.fetch import FetchError, fetch
from briefdesk.archive.pagemeta import PageMeta, read_page

from .models import Outlet, Source
from .source_search import outlet_for_domain

SHORT_LABEL_MAX = 40  # Outlet.short_label's max_length


class AutofillError(Exception):
    """Why no proposal could be made, in one line for people (a bad URL, a fetch failure,
    an error status)."""


@dataclass(frozen=True)
class NewOutlet:
    """An outlet to create with the source, as proposed (the editor may change it)."""

    name: str
    short_label: str
    home_url: str


@dataclass(frozen=True)
class Proposal:
    """A source as its page describes it. `outlet` is an existing record, or None with
    `new_outlet` proposed; `found_in` says where each field came from."""

    url: str
    meta: PageMeta
    outlet: Outlet | None
    new_outlet: NewOutlet | None
    accessed: dt.date
    found_in: dict[str, str] = field(default_factory=dict)

    @property
    def initial(self) -> dict[str, Any]:
        """Initial values for SourceForm: only what the page gave, so the form keeps its
        defaults for the rest. The description, language and DOI go to the CSL variables."""
        meta = self.meta
        initial: dict[str, Any] = {"url": self.url, "accessed": self.accessed, "kind": meta.kind}
        for name in ("title", "authors", "issued"):
            if getattr(meta, name):
                initial[name] = getattr(meta, name)
        if self.is_pdf:
            initial["medium"] = "PDF"
        extra = {
            key: value
            for key, value in (
                ("DOI", meta.doi),
                ("abstract", meta.description),
                ("language", meta.language),
            )
            if value
        }
        if extra:
            initial["csl_extra"] = extra
        if self.outlet is not None:
            initial["outlet"] = self.outlet.pk
        elif self.new_outlet is not None:
            initial.update(
                proposed_outlet_name=self.new_outlet.name,
                proposed_outlet_short_label=self.new_outlet.short_label,
                proposed_outlet_home_url=self.new_outlet.home_url,
            )
        return initial

    @property
    def is_pdf(self) -> bool:
        return self.found_in.get("kind", "").startswith("PDF")

    def lines(self) -> list[tuple[str, str, str]]:
        """(field, value, where it came from) for each proposed field, for people."""
        meta = self.meta
        rows: list[tuple[str, str, str]] = []
        if self.outlet is not None:
            rows.append(("outlet", self.outlet.name, self.found_in.get("outlet", "")))
        elif self.new_outlet is not None:
            new = self.new_outlet
            rows.append(("outlet", f"{new.name} (new; short label {new.short_label})", "site name"))
        names = "; ".join(_name_text(n) for n in meta.authors)
        for name, value in (
            ("kind", meta.kind),
            ("title", meta.title),
            ("authors", names),
            ("issued", meta.issued),
            ("description", meta.description),
            ("language", meta.language),
            ("doi", meta.doi),
        ):
            if value:
                rows.append((name, value, self.found_in.get(name, "")))
        rows.append(("url", self.url, "fetched"))
        rows.append(("accessed", self.accessed.isoformat(), "today"))
        return rows


def propose_source(url: str, *, today: dt.date | None = None) -> Proposal:
    """Fetch `url` (purpose "autofill": robots.txt is not consulted for one page an editor
    asked for) and propose a source from what the page says about itself.

    Raises:
        AutofillError: the URL is not http(s), the fetch failed (the fetcher's one-line
            reason), or the server answered with an error status.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise AutofillError(f"{_short(url)!r} is not a URL") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AutofillError(f"{_short(url)!r} is not a web address (http:// or https://)")
    try:
        fetched = fetch(url, purpose="autofill")
    except FetchError as exc:
        raise AutofillError(exc.message) from None
    if fetched.status >= 400:
        reason = f" {fetched.reason}" if fetched.reason else ""
        raise AutofillError(f"{_short(fetched.final_url)} answered {fetched.status}{reason}")
    content_type = fetched.content_type or ""
    if fetched.charset:
        content_type = f"{content_type}; charset={fetched.charset}"
    meta = read_page(fetched.final_url, content_type, fetched.content)
    found_in = dict(meta.found_in)
    outlet, how = match_outlet(fetched.final_url)
    new_outlet = None
    if outlet is None:
        new_outlet = propose_outlet(meta, fetched.final_url)
        existing = Outlet.objects.filter(name__iexact=new_outlet.name).first()
        if existing is not None:
            outlet, how, new_outlet = existing, "an outlet of the site's name", None
    if outlet is not None:
        found_in["outlet"] = how
    return Proposal(
        url=fetched.final_url,
        meta=meta,
        outlet=outlet,
        new_outlet=new_outlet,
        accessed=today or timezone.localdate(),
        found_in=found_in,
    )


@cache
def _extract() -> tldextract.TLDExtract:
    # The bundled public suffix list only: no download, no cache file.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(url: str) -> str:
    """ "https://news.bbc.co.uk/x" -> "bbc.co.uk"; an IP address or a bare host stays as it
    is; "" when the URL has no host."""
    try:
        host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower()
    except ValueError:
        return ""
    if not host:
        return ""
    parts = _extract()(host)
    return parts.top_domain_under_public_suffix or host


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def match_outlet(url: str) -> tuple[Outlet | None, str]:
    """The existing outlet for `url`, and how it was matched; (None, "") when none."""
    domain = registrable_domain(url)
    if not domain:
        return None, ""
    host = _host(url)
    candidates = [
        outlet
        for outlet in Outlet.objects.filter(home_url__icontains=domain).order_by("pk")
        if registrable_domain(outlet.home_url) == domain
    ]
    exact = [o for o in candidates if _host(o.home_url) == host]
    if exact or candidates:
        return (exact or candidates)[0], f"home page at {domain}"
    by_sources = outlet_for_domain(host)
    if by_sources is not None:
        return by_sources, f"other sources from {host}"
    return None, ""


def propose_outlet(meta: PageMeta, url: str) -> NewOutlet:
    """A new outlet for the page: its site name (else its domain), a suggested short label
    and its home page."""
    domain = registrable_domain(url)
    name = meta.site_name or domain or _host(url)
    parts = urlsplit(url)
    home = f"{parts.scheme}://{parts.netloc}/"
    return NewOutlet(name=name[:255], short_label=suggest_short_label(name, domain), home_url=home)


_SMALL_WORDS = {"of", "the", "for", "and", "on", "in", "de", "du", "des", "la", "le", "&"}


def suggest_short_label(name: str, domain: str = "") -> str:
    """A short label for an outlet: an acronym when the name has one in parentheses or the
    domain spells it ("Stockholm International Peace Research Institute", sipri.org ->
    "SIPRI"; "U.S. Government Accountability Office", gao.gov -> "GAO"); else the name
    without a leading "The" and a tagline ("The Guardian" -> "Guardian"), cut to 40."""
    name = " ".join(name.split())
    if m := re.search(r"\(([A-Z][A-Za-z&.]{1,11})\)\s*$", name):
        return m.group(1)
    label = domain.split(".")[0].lower() if domain else ""
    words = [w for w in re.split(r"[\s\-/]+", name) if w and w.lower() not in _SMALL_WORDS]
    initials = "".join(w[0] for w in words if w[0].isalpha()).lower()
    if len(words) >= 2 and label and len(label) >= 2 and initials.endswith(label):
        return label.upper()
    short = re.split(r"\s+[–—|-]\s+", name)[0]
    short = re.sub(r"^the\s+", "", short, flags=re.I)
    if len(short) > SHORT_LABEL_MAX:
        short = short[: SHORT_LABEL_MAX - 1].rstrip() + "…"
    return short


def save_proposal(proposal: Proposal, *, user: Any = None) -> Source:
    """Create the proposed source (and its new outlet) as the editor confirmed it, through
    the Source form's own checks: a value the form would refuse is refused here too
    (AutofillError with the form's errors in one line). The source is a draft, as the admin's
    add screen makes it; a new outlet likewise."""
    from wagtail.actions.create import CreateAction

    from .forms import SourceForm

    class Form(SourceForm):
        class Meta:
            model = Source
            fields = [
                "kind",
                "outlet",
                "title",
                "authors",
                "issued",
                "url",
                "accessed",
                "medium",
                "csl_extra",
            ]

    initial = proposal.initial
    data: dict[str, Any] = {}
    form = Form(for_user=user)
    for name, value in initial.items():
        bound = form.fields.get(name) if name in form.fields else None
        if bound is None and not name.startswith("proposed_outlet_"):
            continue
        if name in {"authors", "csl_extra"} and bound is not None:
            data[name] = bound.prepare_value(value)
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    # The command confirms a proposal as a whole, like-named sources included.
    data["create_anyway"] = "on"
    form = Form(data=data, for_user=user)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
            for name, errors in form.errors.items()
        )
        raise AutofillError(f"not saved: {problems}")
    with transaction.atomic():
        form.save(commit=False)
        source = form.instance
        return CreateAction(source, user=user).execute(skip_permission_checks=True)


def _name_text(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return ", ".join(p for p in (name.get("family", ""), name.get("given", "")) if p)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

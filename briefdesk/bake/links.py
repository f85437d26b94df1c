"""Where each public URL lives in a baked site, and the rewriting of links to match. No ORM.

    plan = LinkPlan(site_base="https://briefs.example.org", out_base="")
    plan.address("/briefs/x/?page=2")        -> "/briefs/x/page/2/"   (what a link says)
    plan.file_for("/feeds/rss/", "feed")      -> "feeds/rss/index.xml" (where the bytes go)
    rewrite_html(html, page_url, plan)        -> (html with every link static, links found)

A static server knows paths, not query strings: the query strings readers can follow
(`?page=N` on listings, `?type=` on a guide, `?with=sources` on a cite download) become path
segments or file names; any other query on a page link (`?style=`, `?q=`, `?outlet=`) is
dropped, and the bake removes the controls that made them (bake/pages.py). A URL that names a
directory gets `index.html`; one whose answer is not HTML (a feed, a PDF, a WARC) gets a file
name with the right extension, and links name that file, so any server sends the right type.

Caveat: links are found with a regular expression over quoted `href`, `src`, `action`,
`srcset` and `poster` attributes, which is what Django templates write; markup written
otherwise (unquoted attributes) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

# Query parameters that become part of the baked path, in this order.
PATH_PARAMS = ("type", "page")
# Never baked: the admin, the API, the health check and the live search.
DYNAMIC_PREFIXES = ("/admin/", "/api/", "/healthz", "/cms/", "/django-admin/")
SEARCH_PATH = "/search/"

_ATTR = re.compile(
    r"""(?P<lead>\s(?P<name>href|src|action|poster|srcset)=)(?P<q>["'])(?P<value>.*?)(?P=q)""",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Address:
    """A URL the bake renders: the request (path and the query kept) and the link to it."""

    request: str  # "/briefs/?page=2": what the test client asks for
    link: str  # "/briefs/page/2/": where a reader finds it in the baked site


@dataclass
class LinkPlan:
    """How links are written: `site_base` is the base URL the pages are rendered with (their
    absolute links start with it); `out_base` the --base-url ("" for root-relative links).
    `filename` names the file of a URL whose answer is not HTML (None: an HTML page)."""

    site_base: str
    out_base: str = ""
    filename: Callable[[str], str | None] = field(default=lambda path: None)

    def __post_init__(self) -> None:
        self.site_base = self.site_base.rstrip("/")
        self.out_base = self.out_base.rstrip("/")
        self.prefix = urlsplit(self.out_base).path.rstrip("/") if self.out_base else ""
        split = urlsplit(self.site_base)
        self._site_origins = {f"{split.scheme}://{split.netloc}"}
        if split.scheme in ("http", "https"):
            other = "https" if split.scheme == "http" else "http"
            self._site_origins.add(f"{other}://{split.netloc}")
        # Every page links to the same navigation, footer and listings: each URL's address
        # (a URL resolve, for some a query) is worked out once per bake.
        self._addresses: dict[str, Address | None] = {}

    def local_path(self, url: str, page_url: str = "/") -> str | None:
        """The site-relative URL ("/x/?q") a link points to, or None for another site,
        a fragment alone, mailto: and the like."""
        url = url.strip()
        if not url or url.startswith(("#", "mailto:", "tel:", "data:", "javascript:")):
            return None
        if url.startswith("//"):
            url = urlsplit(self.site_base).scheme + ":" + url
        split = urlsplit(url)
        if split.scheme:
            if f"{split.scheme}://{split.netloc}" not in self._site_origins:
                return None
            url = url[len(f"{split.scheme}://{split.netloc}") :] or "/"
        elif not url.startswith("/"):
            url = urljoin(page_url, url)
        return url

    def address(self, url: str) -> Address | None:
        """The baked address of a site-relative URL; None for what is never baked (the
        admin, the API). The live search becomes the static search page."""
        try:
            return self._addresses[url]
        except KeyError:
            address = self._addresses[url] = self._address(url)
            return address

    def _address(self, url: str) -> Address | None:
        split = urlsplit(url)
        path = split.path or "/"
        if path.startswith(DYNAMIC_PREFIXES) or path in {p.rstrip("/") for p in DYNAMIC_PREFIXES}:
            return None
        if path == SEARCH_PATH:
            return Address(SEARCH_PATH, SEARCH_PATH)
        params = dict(parse_qsl(split.query))
        kept = {k: params[k] for k in PATH_PARAMS if params.get(k)}
        if kept.get("page") in ("1", None) or not str(kept.get("page", "")).isdigit():
            kept.pop("page", None)
        with_sources = params.get("with") == "sources" and "/cite." in path
        if path.endswith("/") and kept:
            query = "&".join(f"{k}={v}" for k, v in kept.items())
            segments = "".join(f"{k}/{_segment(v)}/" for k, v in kept.items())
            return Address(f"{path}?{query}", f"{path}{segments}")
        if with_sources:
            head, _, ext = path.rpartition(".")
            return Address(f"{path}?with=sources", f"{head}-with-sources.{ext}")
        name = self.filename(path) if path.endswith("/") else None
        return Address(path, f"{path}{name}" if name else path)

    def file_for(self, link: str) -> str:
        """The file (relative to OUTDIR) that serves a baked address's link."""
        relative = link.lstrip("/")
        if not relative or relative.endswith("/"):
            return f"{relative}index.html"
        return relative

    def public(self, link: str, fragment: str = "", absolute: bool = False) -> str:
        """A baked link as the pages show it: root-relative under --base-url's path, or
        absolute (canonical links, feeds, the sitemap) under --base-url or the site's base."""
        tail = f"{link}#{fragment}" if fragment else link
        if absolute:
            return f"{self.out_base or self.site_base}{tail}"
        return f"{self.prefix}{tail}"


def _segment(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-") or "-"


@dataclass
class Rewritten:
    text: str
    found: set[str]  # request URLs of the pages it links to ("/briefs/?page=2")


def _rewrite_one(
    value: str, page_url: str, plan: LinkPlan, found: set[str], keep_absolute: bool
) -> str | None:
    """One attribute value rewritten; None to drop the attribute (a link to the admin)."""
    local = plan.local_path(value.replace("&amp;", "&"), page_url)
    if local is None:
        return value
    split = urlsplit(local)
    address = plan.address(local.split("#", 1)[0])
    if address is None:
        return None
    if address.request != SEARCH_PATH or not split.query:
        found.add(address.request)
    absolute = keep_absolute and bool(urlsplit(value).scheme)
    return plan.public(address.link, split.fragment, absolute=absolute)


def rewrite_html(html: str, page_url: str, plan: LinkPlan) -> Rewritten:
    """Every link in `html` (rendered at `page_url`) made to point into the baked site: the
    quoted link attributes, and the site's absolute URLs elsewhere (meta tags, JSON-LD)."""
    found: set[str] = set()
    absolute = _absolute_pattern(plan)

    def attribute(match: re.Match[str]) -> str:
        name = match["name"].lower()
        value = match["value"]
        if name == "srcset":
            parts = []
            for candidate in value.split(","):
                bits = candidate.strip().split(None, 1)
                if not bits:
                    continue
                new = _rewrite_one(bits[0], page_url, plan, found, keep_absolute=True)
                parts.append(" ".join([new or bits[0], *bits[1:]]))
            return f'{match["lead"]}"{", ".join(parts)}"'
        new = _rewrite_one(value, page_url, plan, found, keep_absolute=True)
        if new is None:
            return ""
        return f'{match["lead"]}"{new.replace("&", "&amp;")}"'

    def replace(match: re.Match[str]) -> str:
        if match["lead"] is not None:
            return attribute(match)
        return _absolute(match, plan, found)

    # One pass, so a rewritten link is never rewritten again (--base-url on the same host).
    combined = re.compile(f"{_ATTR.pattern}|{absolute.pattern}", re.IGNORECASE | re.DOTALL)
    return Rewritten(combined.sub(replace, html), found)


def _absolute_pattern(plan: LinkPlan) -> re.Pattern[str]:
    origins = "|".join(re.escape(origin) for origin in sorted(plan._site_origins, reverse=True))
    return re.compile(rf"""(?:{origins})(?P<path>/[^\s"'<>\\{{}}]*)?""")


def _absolute(match: re.Match[str], plan: LinkPlan, found: set[str]) -> str:
    """An absolute URL of the site outside attributes (meta content, feeds, the sitemap,
    citations) moved to --base-url, naming the baked file."""
    raw = match["path"] or "/"
    # Sentence punctuation after a URL in text ("… at https://x/a/.") is not part of it.
    trimmed = raw.rstrip(".,;:!?)]")
    tail = raw[len(trimmed) :]
    path = (trimmed or "/").replace("&amp;", "&")
    path, _, fragment = path.partition("#")
    address = plan.address(path)
    if address is None:
        return match[0]
    found.add(address.request)
    new = plan.public(address.link, fragment, absolute=True)
    return (new.replace("&", "&amp;") if "&amp;" in match[0] else new) + tail


def rewrite_text(text: str, plan: LinkPlan) -> Rewritten:
    """A feed, the sitemap, robots.txt or a citation file: its absolute URLs moved."""
    found: set[str] = set()
    pattern = _absolute_pattern(plan)
    return Rewritten(pattern.sub(lambda match: _absolute(match, plan, found), text), found)


def remove_elements(html: str, patterns: Iterable[re.Pattern[str]]) -> str:
    """`html` without the elements the patterns match (controls that need a server)."""
    for pattern in patterns:
        html = pattern.sub("", html)
    return html

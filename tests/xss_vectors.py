"""A generated XSS corpus for the browser tests (plain data, no Django).

Every vector has a unique number N. Run as script, it calls ``__xss(N)``; parsed as markup,
it makes an element carrying ``data-xss="N"`` and/or ``class="xssmark"`` (a few also an id
``xss-N``), so a page is clean when the browser records no ``__xss`` call, opens no dialog
and finds nothing matching ``MARKER_SELECTOR``. Escaped text showing the vector is fine.

    vectors = generate_vectors()          # >= 300, deterministic, ids 1..len
    pack(vectors, 255, tag="zzsrctitlezz")      # strings of whole vectors that fit a field
    feed = Feed("citeproc", vectors)           # deals the corpus out over many fields
    feed.take(255, tag="zzsrcgenrezz"); feed.missing  # -> ids no field has received yet

The corpus is combinatorial: base payloads per context (HTML elements, attribute breaking,
URL schemes, CSS, script data / JSON-LD, citeproc-js micro-HTML, template syntax and
polyglots) x context-breaking prefixes x encodings (case, slash separators, entities,
percent-encoding, full-width brackets). Duplicates after encoding are dropped.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MARKER_SELECTOR = "[data-xss], .xssmark, [id^=xss-]"
# Server-side template evaluation would turn `xss-eval-N:{{7*7}}` into `xss-eval-N:49`.
EVALUATED_TEMPLATE = re.compile(r"xss-eval-\d+:49")


@dataclass(frozen=True)
class Vector:
    """One injection attempt: `context` names the syntax it attacks, `recipe` how it was made
    (payload, prefix and encoding), `text` what goes into a field."""

    id: int
    context: str
    recipe: str
    text: str


# --- base payloads -------------------------------------------------------------------------
# Templates use {J} for the script call, {M} for the marker attributes and {n} for the number.

HTML_ELEMENTS = [
    '<script data-xss="{n}">{J}</script>',
    '<img src="x" onerror="{J}" {M}>',
    "<img src=x onerror={J} data-xss={n}>",
    '<svg onload="{J}" {M}>',
    '<svg><animate onbegin="{J}" attributeName="x" dur="1s" {M}/></svg>',
    '<svg><script data-xss="{n}">{J}</script></svg>',
    '<iframe srcdoc="&lt;script&gt;parent.{J}&lt;/script&gt;" {M}></iframe>',
    '<iframe src="javascript:parent.{J}" {M}></iframe>',
    '<math><mtext><table><mglyph><style><img src="x" onerror="{J}" {M}>',
    '<svg></p><style><a title="</style><img src=x onerror={J} data-xss={n}>">',
    '<noscript><p title="</noscript><img src=x onerror={J} data-xss={n}>">',
    '<details open ontoggle="{J}" {M}>',
    '<body onload="{J}" {M}>',
    '<object data="javascript:{J}" {M}></object>',
    '<embed src="javascript:{J}" {M}>',
    '<base href="javascript:{J}//" {M}>',
    '<meta http-equiv="refresh" content="0;url=javascript:{J}" {M}>',
    '<form action="javascript:{J}" {M}><button class="xssmark">go</button></form>',
    '<a href="javascript:{J}" {M}>link</a>',
    '<a id="xss-{n}" href="javascript:{J}">link</a>',
    '<input autofocus onfocus="{J}" {M}>',
    '<video><source onerror="{J}" {M}></video>',
    '<audio src="x" onerror="{J}" {M}>',
    '<marquee onstart="{J}" {M}>m</marquee>',
    '<select autofocus onfocus="{J}" {M}></select>',
    '<textarea autofocus onfocus="{J}" {M}></textarea>',
    '<link rel="stylesheet" href="javascript:{J}" {M}>',
    '<div onpointerover="{J}" {M}>hover</div>',
    "<xmp><img src=x onerror={J} data-xss={n}></xmp>",
    '<img src="x" onerror="&#95;&#95;xss({n})" {M}>',
]

ATTRIBUTE_BREAKS = [
    "{q} autofocus onfocus={J} onmouseover={J} data-xss={n} class=xssmark x={q}",
    '{q}><img src=x onerror={J} data-xss="{n}">',
    '{q}/><svg onload={J} data-xss="{n}">',
]
QUOTES = ['"', "'", "`"]

JS_SCHEMES: list[tuple[str, Callable[[int], str]]] = [
    ("plain", lambda n: f"javascript:__xss({n})"),
    ("mixed-case", lambda n: f"JaVaScRiPt:__xss({n})"),
    ("tab", lambda n: f"java\tscript:__xss({n})"),
    ("newline", lambda n: f"java\nscript:__xss({n})"),
    ("carriage-return", lambda n: f"java\rscript:__xss({n})"),
    ("leading-space", lambda n: f"  javascript:__xss({n})"),
    ("decimal-entity", lambda n: f"&#106;avascript:__xss({n})"),
    ("hex-entity", lambda n: f"&#x6A;&#x61;vascript&#58;__xss({n})"),
    ("named-colon", lambda n: f"javascript&colon;__xss({n})"),
    ("tab-entity", lambda n: f"jav&#x09;ascript:__xss({n})"),
    ("percent-scheme", lambda n: f"%6A%61vascript:__xss({n})"),
    ("percent-body", lambda n: f"javascript:%5F%5Fxss({n})"),
    ("comment-newline", lambda n: f"javascript://%0A__xss({n})"),
    ("vbscript", lambda n: f"vbscript:__xss({n})"),
    ("data-html", lambda n: f"data:text/html,<script>parent.__xss({n})</script>"),
    (
        "data-base64",
        lambda n: (
            "data:text/html;base64,"
            + base64.b64encode(f"<script>parent.__xss({n})</script>".encode()).decode()
        ),
    ),
]
URL_WRAPPERS = [
    ("bare", "{u}"),
    ("a-href", '<a href="{u}" {M}>u</a>'),
    ("iframe-src", '<iframe src="{u}" {M}></iframe>'),
]

CSS = [
    '<div style="background:url(javascript:{J})" {M}>c</div>',
    '<div style="width:expression({J})" {M}>c</div>',
    '<style>@import "javascript:{J}";</style><b {M}>c</b>',
    '<style>*{{background:url("javascript:{J}")}}</style><i {M}>c</i>',
    "</style><img src=x onerror={J} data-xss={n}>",
    '}}</style><svg onload={J} data-xss="{n}">',
    '<span style="font-variant:small-caps;" onmouseover="{J}" {M}>c</span>',
    '<div style="behavior:url(#default#time2)" onbegin="{J}" {M}>c</div>',
    '<link rel="stylesheet" href="data:text/css,*{{x:expression({J})}}" {M}>',
    '<div style="background-image:url(&#106;avascript:{J})" {M}>c</div>',
    "x:expression({J})",
    "@import url(javascript:{J});",
]

SCRIPT_DATA = [
    '</script><script data-xss="{n}">{J}</script>',
    "</script><img src=x onerror={J} data-xss={n}>",
    "<!--<script></script><img src=x onerror={J} data-xss={n}>",
    '"}}]</script><svg onload={J} data-xss="{n}">',
    '</SCRIPT ><svg onload={J} data-xss="{n}">',
    "\u2028</script>\u2029<img src=x onerror={J} data-xss={n}>",
    '"}};{J};//\u2028\u2029',
    "]]></script><img src=x onerror={J} data-xss={n}>",
]

CITEPROC = [
    '<i onmouseover="{J}" {M}>t</i>',
    '<b onclick="{J}" {M}>t</b>',
    "<sc><img src=x onerror={J} data-xss={n}></sc>",
    '<sup><script data-xss="{n}">{J}</script></sup>',
    '<sub onmouseover="{J}" {M}>2</sub>',
    '<span class="nocase" onmouseover="{J}" {M}>x</span>',
    '<span class="nocase"><img src=x onerror={J} data-xss={n}></span>',
    '<span style="font-variant:small-caps;"><svg onload={J} data-xss="{n}"></span>',
    '<span class="nodecor" onclick="{J}" {M}>x</span>',
    '<i>"><img src=x onerror={J} data-xss={n}></i>',
    '<b><i><sc><span class="nocase"><img src=x onerror={J} data-xss={n}></span></sc></i></b>',
    "<i></i><img src=x onerror={J} data-xss={n}><i>",
    '<span class="nocase" style="x" onmouseover="{J}" {M}>x</span>',
    '<sup><a href="javascript:{J}" {M}>1</a></sup>',
]

TEMPLATES = [
    "{{{{ '<img src=x onerror={J} data-xss={n}>'|safe }}}}",
    "{{% autoescape off %}}<img src=x onerror={J} data-xss={n}>{{% endautoescape %}}",
    "${{'<svg onload={J} data-xss=\"{n}\">'}}",
    "xss-eval-{n}:{{{{7*7}}}}",
    "xss-eval-{n}:${{7*7}}",
    "xss-eval-{n}:<%= 7*7 %>",
    "xss-eval-{n}:#{{7*7}}",
    "{{{{constructor.constructor('{J}')()}}}}",
    "{{% debug %}}xss-eval-{n}:{{{{ settings.SECRET_KEY }}}}",
    "[[${{'<img src=x onerror={J} data-xss={n}>'}}]]",
]

POLYGLOTS = [
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk={J} )//%0D%0A%0d%0a//</stYle/</titLe/"
    "</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd={J} data-xss={n}//>\\x3e",
    '"\'--></style></script></textarea></title></noscript><svg onload={J} data-xss="{n}">',
    "'\"><img src=x onerror={J} data-xss={n}>{{{{7*7}}}}${{7*7}}",
    '--></script><script data-xss="{n}">{J}</script><!--',
    '</title><svg/onload={J} data-xss="{n}">',
    "javascript:\"/*'/*`/*--></noscript></title></textarea></style></template></noembed>"
    '</script><html " onmouseover=/*&lt;svg/*/onload={J}// data-xss="{n}">',
]

# Context breakers put before an element payload.
PREFIXES = ['">', "'>", "</textarea>", "</title>", "</script>", "-->", "</noscript>", "</p>"]
# The element payloads each prefix is combined with.
PREFIXED = [
    "<img src=x onerror={J} data-xss={n}>",
    '<svg onload="{J}" {M}>',
    '<script data-xss="{n}">{J}</script>',
    '<details open ontoggle="{J}" {M}>',
    '<iframe srcdoc="&lt;script&gt;parent.{J}&lt;/script&gt;" {M}></iframe>',
]

# --- encodings -----------------------------------------------------------------------------

_TAG_NAME = re.compile(r"<(/?)([a-zA-Z]+)")
_ATTR_NAME = re.compile(r"(\s)([a-z]+)=")


def _upper(text: str) -> str:
    """Tag and attribute names in capitals (HTML is case-insensitive; JavaScript is not)."""
    text = _TAG_NAME.sub(lambda m: f"<{m.group(1)}{m.group(2).upper()}", text)
    return _ATTR_NAME.sub(lambda m: f"{m.group(1)}{m.group(2).upper()}=", text)


def _slashes(text: str) -> str:
    """Spaces inside tags replaced by `/` (a valid attribute separator): no whitespace, so the
    vector also fits a URL path."""
    return re.sub(r"<[^>]*>", lambda m: m.group(0).replace(" ", "/"), text)


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _percent(text: str) -> str:
    return text.replace("<", "%3C").replace(">", "%3E").replace('"', "%22").replace(" ", "%20")


def _fullwidth(text: str) -> str:
    """Full-width brackets: NFKC normalisation would turn them back into markup."""
    return text.replace("<", "\uff1c").replace(">", "\uff1e")


ENCODINGS: list[tuple[str, Callable[[str], str]]] = [
    ("upper", _upper),
    ("slashes", _slashes),
    ("entities", _entities),
    ("percent", _percent),
    ("fullwidth", _fullwidth),
]


def _fill(template: str, n: int, **extra: str) -> str:
    return template.format(n=n, J=f"__xss({n})", M=f'data-xss="{n}" class="xssmark"', **extra)


def generate_vectors() -> list[Vector]:
    """The corpus, numbered from 1, in a fixed order. Each text is unique."""
    recipes: list[tuple[str, str, Callable[[int], str]]] = []

    def add(context: str, recipe: str, make: Callable[[int], str]) -> None:
        recipes.append((context, recipe, make))

    def templated(context: str, name: str, templates: Iterable[str]) -> None:
        for i, template in enumerate(templates):
            add(context, f"{name}[{i}]", lambda n, t=template: _fill(t, n))

    templated("html", "element", HTML_ELEMENTS)
    for q in QUOTES:
        for i, template in enumerate(ATTRIBUTE_BREAKS):
            add("attribute", f"break[{i}]{q}", lambda n, t=template, q=q: _fill(t, n, q=q))
    for scheme, make_url in JS_SCHEMES:
        for wrapper, template in URL_WRAPPERS:
            add(
                "url",
                f"{scheme}/{wrapper}",
                lambda n, t=template, u=make_url: _fill(t, n, u=u(n)),
            )
    templated("css", "css", CSS)
    templated("script-data", "script", SCRIPT_DATA)
    templated("citeproc", "micro-html", CITEPROC)
    templated("template", "template", TEMPLATES)
    templated("polyglot", "polyglot", POLYGLOTS)
    for prefix in PREFIXES:
        for i, template in enumerate(PREFIXED):
            add("html", f"prefix{prefix}+{i}", lambda n, t=template, p=prefix: p + _fill(t, n))
    markup = [
        (f"element[{i}]", t) for i, t in enumerate(HTML_ELEMENTS) if not t.startswith("<a id")
    ] + [(f"micro-html[{i}]", t) for i, t in enumerate(CITEPROC)]
    for encoding, encode in ENCODINGS:
        for name, template in markup:
            add(
                "encoded",
                f"{name}/{encoding}",
                lambda n, t=template, e=encode: e(_fill(t, n)),
            )

    vectors: list[Vector] = []
    seen: set[str] = set()
    for context, recipe, make in recipes:
        n = len(vectors) + 1
        text = make(n)
        if text in seen:
            continue
        seen.add(text)
        vectors.append(Vector(id=n, context=context, recipe=recipe, text=text))
    return vectors


def without_whitespace(vectors: Iterable[Vector]) -> list[Vector]:
    """Vectors with no whitespace at all (they fit a URL, which the validator requires)."""
    return [v for v in vectors if not re.search(r"\s", v.text)]


def pack(vectors: Iterable[Vector], limit: int, *, tag: str = "", sep: str = " ") -> list[str]:
    """Whole vectors joined into strings of at most `limit` characters, in order, each string
    starting with `tag` (so a test can tell which field it sees). A vector longer than the
    room left after the tag is skipped."""
    room = limit - len(tag) - len(sep) if tag else limit
    chunks: list[list[str]] = [[]]
    for vector in vectors:
        if len(vector.text) > room:
            continue
        current = chunks[-1]
        if len(sep.join([*current, vector.text])) > room:
            chunks.append(current := [])
        current.append(vector.text)
    return [sep.join([tag, *chunk]) if tag else sep.join(chunk) for chunk in chunks if chunk]


def rotate(vectors: list[Vector], start: int) -> list[Vector]:
    """The same vectors starting at another point, so short fields of different records get
    different vectors."""
    start %= max(len(vectors), 1)
    return vectors[start:] + vectors[:start]


class Feed:
    """Deals the corpus out over the fields of one kind (say, every source field citeproc-js
    formats), continuing where the previous field stopped and wrapping round, so a few
    records carry every vector once between them. `missing` says which never went in."""

    def __init__(self, kind: str, vectors: Iterable[Vector]) -> None:
        self.kind = kind
        self.vectors = list(vectors)
        self.given: set[int] = set()
        self._next = 0

    def take(self, limit: int | None = None, *, tag: str = "", sep: str = " ") -> str:
        """Vectors that fit `limit` characters (all of them if None) after `tag`: first those
        no field has had yet, in order, then the corpus again from where it last stopped. A
        vector too long for this field waits for a longer one."""
        room = (limit if limit is not None else 10**9) - len(tag) - len(sep)
        parts: list[str] = []
        size = 0
        count = len(self.vectors)

        def add(vector: Vector) -> bool:
            nonlocal size
            extra = len(vector.text) + (len(sep) if parts else 0)
            if vector.text in parts or size + extra > room:
                return False
            parts.append(vector.text)
            size += extra
            self.given.add(vector.id)
            return True

        for vector in [v for v in self.vectors if v.id not in self.given]:
            add(vector)
        start = self._next
        for step in range(count):
            if size >= room:
                break
            if add(self.vectors[(start + step) % count]):
                self._next = (start + step + 1) % count
        return sep.join([tag, *parts]) if tag else sep.join(parts)

    @property
    def missing(self) -> set[int]:
        return {v.id for v in self.vectors} - self.given

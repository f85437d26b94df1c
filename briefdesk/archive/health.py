"""Link health: what one check of a source's URL found, as one word and its evidence. No ORM.

    outcome = fetch(url, purpose="check")          # a Fetched, or the FetchError it raised
    probe = fetch(random_path_on_the_same_origin)   # optional, for soft-404s (see probe_url)
    health = classify(url, outcome, probe=probe, previous_text=snapshot.text)

`classify` is a pure function of what the fetcher returned: it never fetches. The runner
(linkcheck.py) does the fetching, the retries and the probe.

The states, in the order they are decided (the first that applies wins):

    blocked       the fetcher refused or robots.txt disallows (FetchError "blocked",
                  "robots", "invalid-url", "scheme"); HTTP 401, 403, 407, 451 and other
                  4xx but 404/410/429 (the site refuses us, not the page gone)
    unreachable   no HTTP answer: "dns", "connect", "timeout", "tls", "protocol",
                  "redirect-loop", "too-many-redirects"
    server-error  HTTP 5xx or 429; a body the fetcher could not decode ("decoding")
    gone          HTTP 404 or 410 (after any redirects)
    soft-404      a 200 that is a not-found page: a part of its title or first heading is
                  mostly "page not found"/"404"/"no longer available" wording, or its whole
                  visible text is short (<= 60 words) and says so; a deep URL redirected to
                  a site's home page; or the page the origin also serves for a random path
                  that cannot exist (the probe: same final URL, same bytes, or main texts
                  with a 3-shingle Jaccard >= 0.9)
    drifted       the main text holds less than DRIFT_THRESHOLD of the last snapshot's
                  main text (see `similarity`)
    redirected    the answer came through redirects to another URL; `permanent` only if
                  every hop was 301 or 308; `target` is the final URL. A redirect that only
                  changes the scheme or adds/removes a trailing slash is "ok"
    ok            anything else that answered 2xx (or a body over the size limit:
                  "too-large" means the page is there; it is not compared)

How drift is measured: the old text is the last snapshot's main text (as text.py read it
at capture: trafilatura); the new text is the page's whole visible text (a PDF's text) — see
`page_text` for why that gives the same verdict. Both are casefolded (NFKC) and split into
words (\\w+); each becomes a set of word 3-shingles (runs of three consecutive words). The
similarity is the share of the old text's shingles found in the new one (containment,
0..1): "how much of what we archived is still there". Added material (a
correction, a comment count, a new paragraph) leaves it near 1; a different article drops it
near 0 (only stock phrases survive). A changed word breaks the 3 shingles that hold it, so
changing one word in ten keeps about 70%, one in five about 40%, one in three almost none.
The threshold, 0.5, sits between "edited" and "replaced": a page that lost half of what it
said is no longer the page that was cited. Texts under 3 words compare word sets instead.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .fetch import Fetched, FetchError

OK = "ok"
REDIRECTED = "redirected"
GONE = "gone"
SERVER_ERROR = "server-error"
UNREACHABLE = "unreachable"
SOFT_404 = "soft-404"
DRIFTED = "drifted"
BLOCKED = "blocked"
STATES = (OK, REDIRECTED, GONE, SERVER_ERROR, UNREACHABLE, SOFT_404, DRIFTED, BLOCKED)

# Below this share of the old text's 3-shingles still present, a page has drifted.
DRIFT_THRESHOLD = 0.5
# A probe page whose main text shares this much (Jaccard of 3-shingles) with the page asked
# for is the same page: the site answers anything with it.
PROBE_SAME_THRESHOLD = 0.9
# A page's text read whole for "not found" wording only when it is this short (words): a
# long article that mentions "page not found" is an article.
SHORT_TEXT_WORDS = 60

PERMANENT_STATUSES = frozenset({301, 308})
# Transient answers worth another try (linkcheck retries these).
RETRY_STATES = frozenset({UNREACHABLE, SERVER_ERROR})

_UNREACHABLE_KINDS = {
    "dns": "DNS lookup failed",
    "connect": "connection refused or failed",
    "timeout": "timed out",
    "tls": "TLS handshake failed",
    "protocol": "broken HTTP answer",
    "redirect-loop": "redirect loop",
    "too-many-redirects": "too many redirects",
}
_BLOCKED_KINDS = {
    "blocked": "address not allowed",
    "robots": "disallowed by robots.txt",
    "invalid-url": "not a valid URL",
    "scheme": "not an http(s) URL",
}
_BLOCKED_STATUSES = {401, 403, 407, 451}


@dataclass(frozen=True)
class Health:
    """One check's verdict. `status` is the final HTTP status (None without an answer);
    `target` the final URL when redirected; `permanent` whether every hop was 301/308
    (None without redirects); `similarity` the share of the last snapshot's text still
    there (None when not compared); `detail` one line for people."""

    state: str
    status: int | None = None
    target: str = ""
    permanent: bool | None = None
    similarity: float | None = None
    detail: str = ""


def classify(
    url: str,
    outcome: Fetched | FetchError,
    *,
    probe: Fetched | FetchError | None = None,
    previous_text: str = "",
) -> Health:
    """The health of `url` from the outcome of fetching it.

    Args:
        url: the URL asked for (the source's URL).
        outcome: what `fetch(url)` returned, or the FetchError it raised.
        probe: optionally, the outcome of fetching a path on the same origin that cannot
            exist (`probe_url(url)`); a 200 whose main text is near-identical to the page's
            makes the page a soft-404. Ignored unless the page itself answered 200.
        previous_text: the main text of the last snapshot, for drift; "" skips the check.

    Never raises on any Fetched or FetchError.
    """
    if not hasattr(outcome, "status"):  # a FetchError
        return _from_error(outcome)
    fetched: Fetched = outcome  # type: ignore[assignment]
    status = fetched.status
    hops = tuple(fetched.redirects)
    redirected = bool(hops) and not _same_resource(url, fetched.final_url)
    permanent = all(h.status in PERMANENT_STATUSES for h in hops) if hops else None
    target = fetched.final_url if redirected else ""
    base: dict[str, Any] = {"status": status, "target": target, "permanent": permanent}
    via = f" (via {len(hops)} redirect{'s' if len(hops) != 1 else ''})" if hops else ""

    if status in (404, 410):
        return Health(GONE, detail=f"HTTP {status} {fetched.reason}".strip() + via, **base)
    if status >= 500 or status == 429:
        return Health(SERVER_ERROR, detail=f"HTTP {status} {fetched.reason}".strip(), **base)
    if status in _BLOCKED_STATUSES or 400 <= status < 500:
        return Health(BLOCKED, detail=f"HTTP {status} {fetched.reason}".strip(), **base)
    if 300 <= status < 400:
        # A redirect the fetcher did not follow (no Location): no page behind it.
        return Health(UNREACHABLE, detail=f"HTTP {status} without a usable Location", **base)

    if hops and _is_home(fetched.final_url) and not _is_home(url):
        return Health(SOFT_404, detail="a deep URL redirects to the site's home page", **base)
    page_html = _page_html(fetched)
    # The visible text, read once: for drift, and for a short page's wording.
    wanted = page_html is not None and (previous_text.strip() or len(page_html) <= 100_000)
    visible = visible_text(page_html) if page_html is not None and wanted else None
    if page_html is not None:
        if reason := not_found_wording(page_html, visible):
            return Health(SOFT_404, detail=reason, **base)
        probed = status == 200 and probe is not None and hasattr(probe, "status")
        if probed and (same := _same_as_probe(fetched, probe)):
            return Health(SOFT_404, detail=same, **base)

    similarity = None
    if previous_text.strip():
        similarity = round(containment(previous_text, page_text(fetched, visible)), 3)
        if similarity < DRIFT_THRESHOLD:
            return Health(
                DRIFTED,
                similarity=similarity,
                detail=f"{similarity:.0%} of the archived text is still there",
                **base,
            )
    if redirected:
        kind = "permanent" if permanent else "temporary"
        return Health(REDIRECTED, similarity=similarity, detail=f"{kind} redirect", **base)
    return Health(OK, similarity=similarity, detail=f"HTTP {status}{via}", **base)


def _from_error(error: Any) -> Health:
    kind = getattr(error, "kind", "")
    message = getattr(error, "message", "") or str(error)
    if kind in _BLOCKED_KINDS:
        return Health(BLOCKED, detail=f"{_BLOCKED_KINDS[kind]}: {message}"[:500])
    if kind == "too-large":
        return Health(OK, detail=f"answered, body over the size limit: {message}"[:500])
    if kind == "decoding":
        return Health(SERVER_ERROR, detail=f"undecodable body: {message}"[:500])
    label = _UNREACHABLE_KINDS.get(kind, kind or "fetch failed")
    return Health(UNREACHABLE, detail=f"{label}: {message}"[:500])


# --- URLs ----------------------------------------------------------------------------------


def _same_resource(asked: str, final: str) -> bool:
    """Whether a redirect only changed the scheme (http<->https), a default port or a
    trailing slash: the same page at a canonical address."""
    a, b = urlsplit(asked), urlsplit(final)
    return (
        _host_port(a) == _host_port(b)
        and a.path.rstrip("/") == b.path.rstrip("/")
        and a.query == b.query
    )


def _host_port(parts: Any) -> tuple[str, int | None]:
    try:
        port = parts.port
    except ValueError:
        port = None
    if port in (80, 443):
        port = None
    return ((parts.hostname or "").lower(), port)


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    path = parts.path.lower()
    return not parts.query and path in ("", "/", "/index.html", "/index.htm", "/index.php")


def probe_url(url: str, token: str) -> str:
    """A URL on `url`'s origin that no site has: /<token>-never-existed (token: random hex)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/{token}-never-existed"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# --- page text -----------------------------------------------------------------------------

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_SKIP = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.S | re.I)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
NOT_FOUND = re.compile(
    r"\b(?:(?:error|http|status|code)\s*404|404\s*(?:error|page)|not\s+found"
    r"|page\s+(?:was\s+)?not\s+found|no\s+longer\s+(?:available|exists?)"
    r"|(?:does\s+not|doesn'?t|did\s+not)\s+exist|(?:could|can)\s*(?:not|n'?t)\s+be\s+found"
    r"|page\s+(?:is\s+)?(?:missing|unavailable)|nothing\s+(?:was\s+)?found"
    r"|seite\s+nicht\s+gefunden|page\s+introuvable|p[aá]gina\s+no\s+encontrada)\b",
    re.I,
)


def _page_html(fetched: Any) -> str | None:
    """The body as text when it is a web page; None for PDFs, images and the like."""
    content_type = (fetched.content_type or "").lower()
    if content_type and "html" not in content_type and not content_type.startswith("text/"):
        return None
    return fetched.text()


def _plain(fragment: str) -> str:
    return _SPACE.sub(" ", html_lib.unescape(_TAG.sub(" ", fragment))).strip()


def not_found_wording(page_html: str, visible: str | None = None) -> str:
    """Why the page reads as a not-found page ("" if it does not): its title or first
    heading says so, or its whole visible text is short and does. `visible`: the page's
    visible_text, when the caller has it already."""
    head = page_html[:200_000]
    for name, pattern in (("title", _TITLE), ("heading", _H1)):
        match = pattern.search(head)
        if match and _says_not_found(text := _plain(match.group(1))):
            return f'the page\'s {name} reads "{text[:80]}"'
    # Only a short page is read whole; a long one is not even stripped of its tags.
    if len(head) > 100_000:
        return ""
    if visible is None:
        visible = visible_text(head)
    # More than 30 characters a word is no text of 60 words: skip counting them.
    if len(visible) > SHORT_TEXT_WORDS * 30:
        return ""
    if len(_WORD.findall(visible)) <= SHORT_TEXT_WORDS and NOT_FOUND.search(visible):
        return f'the page reads "{visible[:80]}"'
    return ""


def visible_text(page_html: str) -> str:
    """The text a reader sees: tags, scripts, styles and templates dropped, entities
    decoded, whitespace collapsed."""
    return _plain(_SKIP.sub(" ", page_html))


_BARE_404 = re.compile(r"^\W*404\W*$")
_SEPARATOR = re.compile(r"\s[-|–—:·•»]\s|[|–—·•»]")


def _says_not_found(title: str) -> bool:
    """Whether a title or heading is a not-found message: one of its parts (split at " | ",
    " - ", ":" ... where the site's name is added) is mostly the wording ("Page not found",
    "Error 404"), not a headline that mentions it ("How 404 pages got friendlier")."""
    for part in _SEPARATOR.split(title):
        if _BARE_404.match(part):  # "404", but not "Story 404" or "Flight 404"
            return True
        words = len(_WORD.findall(part))
        said = sum(len(_WORD.findall(m.group(0))) for m in NOT_FOUND.finditer(part))
        if words and said * 5 >= words * 2:  # at least 40% of the part's words
            return True
    return False


def page_text(fetched: Any, visible: str | None) -> str:
    """What drift looks for the archived text in: a web page's whole visible text (tags,
    scripts and styles dropped), else the document's text (text.extract_text: a PDF).

    Why not the page's main text: containment only asks whether the old words are still
    there, and the main text is part of the visible text, so the visible text gives the
    same verdict in all but a rare case (the old text survives only outside the article,
    e.g. as a teaser) at a fraction of the cost (a regex, not trafilatura: ~0.1 ms, not
    ~5 ms, per page; it is the difference between 10,000 links a minute and not)."""
    return visible if visible is not None else main_text(fetched)


def main_text(fetched: Any) -> str:
    """The answer's main text, read as a capture reads it (text.extract_text: trafilatura
    for HTML, pypdf for PDFs), so that drift compares like with like."""
    from .text import extract_text

    found = extract_text(
        fetched.content, fetched.content_type, charset=fetched.charset, url=fetched.final_url
    )
    return found.text


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    """Word `size`-shingles of casefolded, NFKC-normalised text (the words themselves when
    the text is shorter than `size` words)."""
    return _shingles(_words(text), size)


def _shingles(words: list[str], size: int) -> set[tuple[str, ...]]:
    if len(words) < size:
        return {(w,) for w in words}
    return set(zip(*(words[i:] for i in range(size)), strict=False))


def containment(old: str, new: str) -> float:
    """Share of `old`'s word 3-shingles present in `new` (1.0 when `old` has no words).

    The common case, an unchanged page, is answered without building either set: when the
    old words occur in the new text as one run, every shingle of them is there (1.0)."""
    before_words, after_words = _words(old), _words(new)
    if not before_words:
        return 1.0
    if f" {' '.join(before_words)} " in f" {' '.join(after_words)} ":
        return 1.0
    size = 3 if len(before_words) >= 3 else 1
    before = _shingles(before_words, size)
    return len(before & _shingles(after_words, size)) / len(before)


def jaccard(a: str, b: str) -> float:
    """Jaccard similarity of two texts' word 3-shingle sets (1.0 for two empty texts)."""
    left, right = shingles(a), shingles(b)
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def _same_as_probe(fetched: Any, probe: Any) -> str:
    if probe.status != 200:
        return ""
    if probe.final_url == fetched.final_url:
        return "a path that cannot exist leads to the same URL"
    if _page_html(probe) is None:
        return ""
    if probe.content == fetched.content:
        return "a path that cannot exist answers with the same page"
    score = jaccard(main_text(fetched), main_text(probe))
    if score >= PROBE_SAME_THRESHOLD:
        return f"a path that cannot exist answers with the same page ({score:.0%} alike)"
    return ""

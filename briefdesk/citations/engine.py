"""Formatting with citeproc-js, the reference CSL processor, embedded through mini-racer (V8).

The engine is created lazily in each process (a V8 context made before a fork hangs in the
child) and each style is loaded on first use (an engine costs tens of MB). Calls are serialised
with a lock: one V8 isolate must not be entered from two threads at once.

Output is plain data: each item is rendered on its own, with no disambiguation between items,
which is what a stored, per-record citation needs. An item a style leaves out of its
bibliography (Chicago: social-media posts and personal communications; APA: personal
communications) comes back with an empty bibliography entry and `notes_only` set, never as an
error; an item with nothing a style can print (no title and no name) raises NothingToPrint.

The HTML carries no `style` attributes (public pages forbid them in their
Content-Security-Policy): citeproc-js's styled spans become `csl-*` classes, styled in
site.css and print.css.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .styles import get_style, locale_xml, style_xml

_ENGINE_JS = r"""
var LOCALES = {};
var ITEMS = {};
var ENGINES = {};
var sys = {
  retrieveLocale: function (lang) { return LOCALES[lang] || LOCALES["en-US"]; },
  retrieveItem: function (id) { return ITEMS[id]; }
};
function bdAddLocale(lang, xml) { LOCALES[lang] = xml; return true; }
function bdAddStyle(key, xml) {
  ENGINES[key] = new CSL.Engine(sys, xml, "en-US", true);
  return true;
}
function bdFormat(key, items, wantSubsequent) {
  // HTML output only: the text forms are derived from it in Python (tags dropped, entities
  // decoded), which equals citeproc-js's own text output and halves the work.
  var engine = ENGINES[key];
  engine.setOutputFormat("html");
  var out = [];
  for (var i = 0; i < items.length; i++) {
    var item = items[i];
    ITEMS[item.id] = item;
    engine.updateItems([item.id], true);  // one item: nothing to sort
    // A style may give an item no bibliography entry at all (Chicago cites social-media posts
    // and personal communications in notes only; APA cites personal communications in the
    // text only): makeBibliography then returns no entries, or false.
    var bib = engine.makeBibliography();
    var row = {bib: (bib && bib[1] && bib[1].length) ? bib[1][0] : ""};
    // makeCitationCluster renders without registering a citation; `position` asks for the
    // first (0) or subsequent (1) form, as a note style's first and short notes.
    row.cite = engine.makeCitationCluster([{id: item.id, position: 0}]);
    if (wantSubsequent) {
      row.subsequent = engine.makeCitationCluster([{id: item.id, position: 1}]);
    }
    delete ITEMS[item.id];
    out.push(row);
  }
  engine.updateItems([]);
  return JSON.stringify(out);
}
"""

_ENTRY_DIV = re.compile(r'^\s*<div class="csl-entry">(.*)</div>\s*$', re.S)


class CiteprocUnavailable(RuntimeError):
    """citeproc-js is not installed where the settings say (run `npm ci --omit=dev`)."""


class FormattingFailed(ValueError):
    """citeproc-js threw while formatting an item. The message is one readable line (the
    JavaScript error without its stack); the style's engine is rebuilt on the next call,
    because a citeproc-js engine that threw mid-item fails every later item too."""


class NothingToPrint(FormattingFailed):
    """The style has nothing to cite the item by (citeproc-js writes "[CSL STYLE ERROR:
    reference with no printed form.]"): typically no title and no author. The message says
    what to add."""


# What citeproc-js prints instead of a citation when an item gives the style nothing to print.
_NO_PRINTED_FORM = "[CSL STYLE ERROR: reference with no printed form.]"


@dataclass(frozen=True)
class Formatted:
    """One item in one style.

    `bibliography` is the reference-list entry; `citation` the in-text citation, or for a note
    style the first (full) note; `subsequent` the short note (note styles only). Text variants
    are raw text (escape before putting them in HTML); HTML variants are already escaped by
    citeproc-js and safe to mark safe.

    `notes_only` is True when the style gives the item no bibliography entry (`bibliography`
    is then empty) and cites it only in a note, or for an author-date style in the text: what
    a reference list shows instead is "cited in notes only" with the note.
    """

    bibliography: str
    bibliography_html: str
    citation: str
    citation_html: str
    subsequent: str = ""
    subsequent_html: str = ""
    notes_only: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "bibliography": self.bibliography,
            "bibliography_html": self.bibliography_html,
            "citation": self.citation,
            "citation_html": self.citation_html,
            "subsequent": self.subsequent,
            "subsequent_html": self.subsequent_html,
            "notes_only": self.notes_only,
        }


class _Engine:
    def __init__(self, citeproc_js: Path) -> None:
        from py_mini_racer import MiniRacer

        try:
            source = citeproc_js.read_text(encoding="utf-8")
        except OSError as exc:
            raise CiteprocUnavailable(
                f"citeproc-js not found at {citeproc_js}: run `npm ci --omit=dev` in the "
                "checkout, or set BRIEFDESK_CITEPROC_JS to its citeproc_commonjs.js"
            ) from exc
        self.pid = os.getpid()
        self.ctx = MiniRacer()
        # citeproc_commonjs.js assigns to module.exports; give it a CommonJS shim.
        self.ctx.eval("var module = {exports: {}}; var exports = module.exports;")
        self.ctx.eval(source)
        self.ctx.eval("var CSL = module.exports;")
        self.ctx.eval(_ENGINE_JS)
        self.ctx.call("bdAddLocale", "en-US", locale_xml("en-US"))
        self.styles: set[str] = set()

    def ensure_style(self, key: str) -> None:
        if key not in self.styles:
            self.ctx.call("bdAddStyle", key, style_xml(key))
            self.styles.add(key)

    def format(self, key: str, items: list[dict[str, Any]]) -> list[Formatted]:
        self.ensure_style(key)
        try:
            raw = json.loads(self.ctx.call("bdFormat", key, items, get_style(key).is_note))
        except Exception as exc:  # mini-racer's JS errors share no useful base class
            self.styles.discard(key)
            reason = _js_reason(exc)
            raise FormattingFailed(f"The citation engine could not format this: {reason}") from None
        result = []
        for row in raw:
            bib = _clean(_ENTRY_DIV.sub(r"\1", row.get("bib") or ""))
            cite = _clean(row.get("cite") or "")
            subsequent = _clean(row.get("subsequent", ""))
            if _NO_PRINTED_FORM in cite or _NO_PRINTED_FORM in bib:
                raise NothingToPrint(
                    f"{get_style(key).label} has nothing to cite this by: "
                    "give it a title or an author."
                )
            result.append(
                Formatted(
                    bibliography=_text(bib),
                    bibliography_html=bib,
                    citation=_text(cite),
                    citation_html=cite,
                    subsequent=_text(subsequent),
                    subsequent_html=subsequent,
                    notes_only=not bib and bool(cite),
                )
            )
        return result


_JS_LOCATION = re.compile(r"^(?:<anonymous>|[\w./-]+\.js):\d+(?::\d+)?:\s*")


def _js_reason(exc: BaseException) -> str:
    """The first line of a JavaScript error without its location (V8 adds the offending
    source line, a caret and a stack below it), at most 300 characters."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = _JS_LOCATION.sub("", lines[0]) if lines else type(exc).__name__
    reason = reason.removeprefix("citeproc-js error: ").removeprefix("Error: ")
    return (reason or type(exc).__name__)[:300]


_lock = threading.Lock()
_engine: _Engine | None = None


# citeproc-js's HTML format writes these decorations as inline styles; the same look as classes.
STYLE_CLASSES = {
    "font-variant:small-caps": "csl-sc",
    "font-variant:normal": "csl-no-sc",
    "font-style:normal": "csl-no-italic",
    "font-weight:normal": "csl-no-bold",
    "text-decoration:underline": "csl-u",
    "text-decoration:none": "csl-no-decoration",
    "white-space:nowrap": "csl-nowrap",
    # citeproc-js writes style="baseline" for vertical-align="baseline".
    "baseline": "csl-baseline",
    "vertical-align:baseline": "csl-baseline",
}
# Only tags can carry the attribute: citeproc-js escapes "<" in item text, so text never matches.
_STYLED_SPAN = re.compile(r'<span style="([^"]*)">')


def _span_with_classes(match: re.Match[str]) -> str:
    declarations = [d.replace(" ", "") for d in match.group(1).split(";") if d.strip()]
    classes = [STYLE_CLASSES[d] for d in declarations if d in STYLE_CLASSES]
    # An unknown declaration is dropped rather than kept: the span stays, unstyled.
    return f'<span class="{" ".join(classes)}">' if classes else "<span>"


def _clean(text: str) -> str:
    return _STYLED_SPAN.sub(_span_with_classes, re.sub(r"\s+", " ", text).strip())


_TAG = re.compile(r"<[^>]+>")


def _text(citeproc_html: str) -> str:
    """citeproc-js's text output from its HTML output: the same string without markup."""
    return html.unescape(_TAG.sub("", citeproc_html))


def _get_engine() -> _Engine:
    global _engine
    if _engine is None or _engine.pid != os.getpid():
        from django.conf import settings

        _engine = _Engine(Path(settings.BRIEFDESK_CITEPROC_JS))
    return _engine


_UNESCAPED_HYPHEN = re.compile(r"(?<!\\)-")


def _literal_number(item: dict[str, Any]) -> dict[str, Any]:
    """A report or brief number such as "2010-37" or "114-11" is an identifier, but citeproc-js
    reads a hyphen between numerals as a range and prints "Nos. 2010–37" (citeproc-js#239);
    a backslash before the hyphen makes it literal ("No. 2010-37")."""
    number = item.get("number")
    if isinstance(number, str) and "-" in number:
        item["number"] = _UNESCAPED_HYPHEN.sub(r"\\-", number)
    return item


def format_items(items: Iterable[Mapping[str, Any]], style: str) -> list[Formatted]:
    """Format CSL-JSON items in one style, each rendered on its own.

    Items need an `id` and a `type`; ids only have to be unique within the call.
    Raises UnknownStyle for a key not in STYLES.
    """
    get_style(style)
    batch = [_literal_number(dict(item)) for item in items]
    if not batch:
        return []
    with _lock:
        return _get_engine().format(style, batch)


def loaded_styles() -> set[str]:
    """Styles loaded in this process so far (for benchmarks and diagnostics)."""
    return set(_engine.styles) if _engine is not None and _engine.pid == os.getpid() else set()

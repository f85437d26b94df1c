"""The demo content's small markup, turned into Wagtail's stored rich-text HTML. No ORM here.

    {src:KEY}                    a source citation (rendered as "(LABEL)" linked to the source)
    {src:KEY "quoted passage"}   the same, carrying the passage it supports (quote checks)
    [text](https://…)            an ordinary link
Everything else is text and is escaped. Inside a quote, \\" is a double quote and \\\\ a
backslash; the quote is stored escaped in the citation's `data-quote` attribute:
`<a id="12" linktype="source" data-quote="the quoted passage">Reuters</a>`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_TOKEN = re.compile(
    r'\{src:(?P<key>[\w.-]+)(?:\s+"(?P<quote>(?:[^"\\]|\\.)*)")?\}'
    r"|\[(?P<text>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)"
)
_ESCAPE = re.compile(r"\\(.)")


class UnknownSourceKey(KeyError):
    pass


def to_db_html(text: str, source_ids: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """One paragraph of markup as `<p>…</p>` in Wagtail's database HTML."""
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(html.escape(text[pos : match.start()], quote=False))
        pos = match.end()
        if match.group("key"):
            key = match.group("key")
            if key not in source_ids:
                raise UnknownSourceKey(key)
            label = html.escape(labels[key], quote=False)
            quote = match.group("quote")
            extra = ""
            if quote is not None and quote.strip():
                passage = _ESCAPE.sub(r"\1", quote).strip()
                extra = f' data-quote="{html.escape(passage, quote=True)}"'
            out.append(f'<a id="{source_ids[key]}" linktype="source"{extra}>{label}</a>')
        else:
            url = html.escape(match.group("url"), quote=True)
            out.append(f'<a href="{url}">{html.escape(match.group("text"), quote=False)}</a>')
    out.append(html.escape(text[pos:], quote=False))
    return f"<p>{''.join(out)}</p>"


def quotes_in(text: str) -> list[tuple[str, str]]:
    """(source key, quoted passage) of each citation in `text` that carries a quote."""
    return [
        (m.group("key"), _ESCAPE.sub(r"\1", m.group("quote")).strip())
        for m in _TOKEN.finditer(text)
        if m.group("key") and m.group("quote") and m.group("quote").strip()
    ]

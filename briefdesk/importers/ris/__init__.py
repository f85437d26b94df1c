"""RIS input: what Zotero, Mendeley and EndNote export as .ris."""

from .parser import parse

__all__ = ["parse"]

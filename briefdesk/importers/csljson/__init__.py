"""CSL-JSON input: what Zotero ("Export... > CSL JSON"), Better BibTeX and briefdesk export."""

from .parser import parse

__all__ = ["parse"]

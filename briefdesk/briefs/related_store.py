"""SKELETON (issue 12, related): the ORM side of More on This Topic. Reads briefs into the
engine's plain data (briefdesk.related), stores its results as RelatedBrief rows."""

from __future__ import annotations


def rebuild_related() -> int:
    """Score every published brief; return how many were scored."""
    return 0

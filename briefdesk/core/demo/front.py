"""SKELETON (issue 12, site chrome): the demo's front page: lead brief, featured experts,
About and Contact pages."""

from __future__ import annotations

from typing import Any


def load_front(home: Any, report: Any) -> None:
    """Arrange the demo's front page (idempotent)."""

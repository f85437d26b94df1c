"""Curly quotes, apostrophes and dashes in what authors type, converted once on save.

SKELETON: filled in by the site-chrome work (issue 12). `SmartTypography` is a page mixin:
`typography_fields` names the fields (plain text, rich text or StreamField) whose text is
converted when the page (or a revision of it) is saved.
"""

from __future__ import annotations

from typing import Any


class SmartTypography:
    typography_fields: tuple[str, ...] = ("title",)

    def smarten_typography(self) -> None:
        """Convert the text of `typography_fields` in place (idempotent)."""

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        self.smarten_typography()
        super().full_clean(*args, **kwargs)  # type: ignore[misc]

    def save(self, *args: Any, **kwargs: Any) -> Any:
        self.smarten_typography()
        return super().save(*args, **kwargs)  # type: ignore[misc]

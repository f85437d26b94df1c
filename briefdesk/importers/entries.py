"""What every reference parser returns: one Entry per reference, as a CSL-JSON item or an error.
No ORM here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT_LABELS: dict[str, str] = {"csl-json": "CSL-JSON", "bibtex": "BibTeX", "ris": "RIS"}


class ImportFailed(ValueError):
    """The input as a whole cannot be imported (too big, unknown format, broken JSON, empty).
    The message is for the editor and names the place when there is one."""


@dataclass
class Entry:
    """One reference of the input.

    `key` is the reference manager's citation key or id when the input has one, else
    "entry N" (its position). `item` is the CSL-JSON item, or None when `error` says why the
    entry cannot be imported. `notes` tell the editor what was not taken over (ignored
    fields, a type read as another)."""

    key: str
    line: int | None
    item: dict[str, Any] | None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How messages name the entry: its key, and its line when known."""
        return f"{self.key} (line {self.line})" if self.line else self.key

    @property
    def citation_key(self) -> str:
        """The key the input gave the entry (its CSL id), or "" when it gave none."""
        if not self.item or self.item.get("id") in (None, ""):
            return ""
        return str(self.item["id"])

    @property
    def title(self) -> str:
        return str((self.item or {}).get("title") or "")


@dataclass
class ParseResult:
    format: str
    entries: list[Entry]

    @property
    def errors(self) -> list[Entry]:
        return [e for e in self.entries if e.error]

    @property
    def ok(self) -> bool:
        return not self.errors

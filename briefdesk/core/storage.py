"""Storage for generated files that only a view may hand out (cached brief PDFs).

Files live under settings.BRIEFDESK_PRIVATE_ROOT, outside MEDIA_ROOT, and have no URL: a web
server or proxy that serves /media/ cannot reach them, and code that asks for a file's
`.url` gets an error instead of a link that would bypass the view's access check.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage under BRIEFDESK_PRIVATE_ROOT whose files have no public URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    # Read on every use, not once: Django makes a FileField's storage when the model loads,
    # so a location fixed then would ignore BRIEFDESK_PRIVATE_ROOT as changed later (tests).
    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.BRIEFDESK_PRIVATE_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError(
            f"{name!r} is in private storage and has no public URL; serve it through a view"
        )


def private_storage() -> PrivateStorage:
    """The private storage (a callable for FileField(storage=...), read at run time, so
    settings overridden in tests apply and migrations do not record a path)."""
    return PrivateStorage()

"""Storage for generated files that only a view may hand out (cached brief PDFs).

Files live under settings.BRIEFDESK_PRIVATE_ROOT, outside MEDIA_ROOT, and have no URL: a web
server or proxy that serves /media/ cannot reach them, and code that asks for a file's
`.url` gets an error instead of a link that would bypass the view's access check. With
S3_BUCKET set, STORAGES["private"] is the bucket's private/ prefix instead
(core/object_storage.py), which has no URL either.

    response = stored_file_response(record.file, content_type="application/pdf", filename=...)

hands a stored file out from whichever storage holds it: by path (so BRIEFDESK_SENDFILE=nginx
still works) from the file system, streamed through Django from any other storage.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http.response import HttpResponseBase
from django.utils.deconstruct import deconstructible

from .sendfile import _StreamedFile, file_response


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage under BRIEFDESK_PRIVATE_ROOT whose files have no public URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    # Read on every use, not once: Django makes a FileField's storage when the model loads,
    # so a location fixed then would ignore BRIEFDESK_PRIVATE_ROOT as changed later (tests).
    @property
    def base_location(self) -> str:
        return str(settings.BRIEFDESK_PRIVATE_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError(
            f"{name!r} is in private storage and has no public URL; serve it through a view"
        )


def private_storage() -> Storage:
    """The private storage (a callable for FileField(storage=...), so migrations record no
    path): STORAGES["private"], or a PrivateStorage where settings name none (dev, tests)."""
    if "private" in settings.STORAGES:
        return storages["private"]
    return PrivateStorage()


def stored_file_response(
    field_file: Any, *, content_type: str, filename: str | None = None
) -> HttpResponseBase:
    """The stored file shown inline (named `filename` when saved), for a view that has
    checked access: core.sendfile.file_response for a file on disk, streamed from the
    storage (an S3 bucket) otherwise. No redirect to the storage: the file's only way out
    stays the view, with the view's own headers."""
    try:
        path = field_file.path
    except NotImplementedError:  # no local path: a remote storage
        return _StreamedFile(
            field_file.open("rb"), content_type=content_type, filename=filename or ""
        )
    return file_response(path, content_type=content_type, filename=filename)

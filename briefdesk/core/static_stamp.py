"""Whether STATIC_ROOT holds what collectstatic would write now, so a restart can skip it.

    if not static_is_current():            # briefdesk serve / init, before serving
        run collectstatic, then write_static_stamp()

The fingerprint covers the versions of briefdesk, Django and Wagtail, the static files storage
backend, and the name, size and modification time of every file the staticfiles finders list
(collectstatic's own default ignore patterns). It is stored as one opaque hash in STATIC_ROOT,
so a proxy serving /static/ reveals no versions. Deleting STATIC_ROOT deletes the stamp too.

Caveats: an edit that keeps a file's size and modification time is not seen (editors of
static files change mtimes); computing the fingerprint stats every static file (a few
thousand, tens of milliseconds) and needs the apps loaded.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings

STAMP_NAME = ".briefdesk-collected"
# collectstatic's default --ignore patterns.
IGNORE_PATTERNS = ["CVS", ".*", "*~"]


def static_fingerprint() -> str:
    """A hash of what collectstatic would copy, and of the code that decides how."""
    import django
    import wagtail
    from django.contrib.staticfiles.finders import get_finders

    import briefdesk

    entries = []
    for finder in get_finders():
        for path, storage in finder.list(IGNORE_PATTERNS):
            stat = os.stat(storage.path(path))
            prefix = getattr(storage, "prefix", None) or ""
            entries.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256()
    for part in (
        briefdesk.__version__,
        django.get_version(),
        wagtail.__version__,
        settings.STORAGES["staticfiles"]["BACKEND"],
        *sorted(entries),
    ):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def stamp_path() -> Path:
    return Path(settings.STATIC_ROOT) / STAMP_NAME


def static_is_current(fingerprint: str | None = None) -> bool:
    """True when the stamp in STATIC_ROOT matches the fingerprint (computed when not given)."""
    try:
        stamp = stamp_path().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return stamp == (fingerprint or static_fingerprint())


def write_static_stamp(fingerprint: str | None = None) -> None:
    """Record that STATIC_ROOT now matches the fingerprint (after collectstatic succeeded)."""
    stamp_path().write_text((fingerprint or static_fingerprint()) + "\n", encoding="utf-8")

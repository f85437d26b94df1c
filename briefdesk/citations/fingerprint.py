"""What the stored citations depend on besides the records themselves, as one digest.

    engine_fingerprint()   # "3f2a…" (64 hex digits)

Stored citations are formatted when a record is saved. A new citeproc-js (package-lock.json),
a new release of the CSL styles or locale (requirements lock), a changed BRIEFDESK_PUBLISHER
or a change to how briefdesk prepares items for citeproc-js (FORMAT_REVISION, bumped by hand
with such a change) makes them stale without any record changing. briefdesk.core.origin
compares this digest with the one recorded when they were last formatted, after every
`migrate` (so `briefdesk init` on upgrade re-formats when, and only when, it is needed).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from .styles import STYLES, locale_xml, style_xml

# Bump when a change to briefdesk's own code changes what stored citations say (the CSL items
# it builds, the post-processing of citeproc-js's output).
FORMAT_REVISION = 1


def engine_fingerprint() -> str | None:
    """A digest of the citation engine, the styles and locale, the publisher named in brief
    citations and FORMAT_REVISION; None when citeproc-js is not installed (nothing can be
    formatted then, and `briefdesk check` says so)."""
    digest = hashlib.sha256(f"revision {FORMAT_REVISION}\n".encode())
    try:
        digest.update(Path(settings.BRIEFDESK_CITEPROC_JS).read_bytes())
    except OSError:
        return None
    for key in sorted(STYLES):
        digest.update(style_xml(key).encode())
    digest.update(locale_xml().encode())
    digest.update(f"publisher {settings.BRIEFDESK_PUBLISHER}\n".encode())
    return digest.hexdigest()

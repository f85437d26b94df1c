"""A DOI as an editor pastes it -> the DOI itself. No ORM here.

    doi("https://doi.org/10.1016/j.jfineco.2011.04.005")  # -> "10.1016/j.jfineco.2011.04.005"

A DOI is "10.", a registrant code of four or more digits (dotted parts allowed), "/" and a
suffix without spaces. The doi.org and dx.doi.org links, a "doi:" prefix and percent-encoding
in a pasted link are removed; the case is kept as typed (DOIs compare case-insensitively,
see importers.matching.normalise_doi).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_PREFIX = re.compile(r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")

MAX_LENGTH = 300


class InvalidDoi(ValueError):
    pass


def doi(text: str) -> str:
    """The DOI in `text` (a bare DOI, a doi.org link or "doi:…"); "" for blank text.

    Raises:
        InvalidDoi: with a one-line message when what remains is not a DOI.
    """
    text = text.strip()
    if not text:
        return ""
    linked = _PREFIX.match(text)
    value = _PREFIX.sub("", text).strip()
    if linked and value.lower().startswith("10."):
        value = unquote(value)
    if len(value) > MAX_LENGTH or not _DOI.match(value):
        shown = text if len(text) <= 60 else text[:59] + "…"
        raise InvalidDoi(f"{shown!r} is not a DOI (10.xxxx/…, e.g. 10.1016/j.jfineco.2011.04.005)")
    return value

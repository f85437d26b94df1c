"""The permission matrix as plain data: who (role) sees or may do what (surface) with a brief
in each editorial state, as one expected answer per cell.

    for cell in cells():          # Cell(role, state, surface, expected)
        ...                       # briefdesk/core/tests/test_permission_matrix.py checks it

The table is generated from a few rules below rather than written out, so a new role, state
or surface is one line here and every combination follows. No Django imports: this module is
the specification the request tests are held to, readable on its own.

The rules, in the issue's words ("nothing unreviewed or private reaches readers"):

- Readers see a brief only when it is live and public. Signing in changes nothing on the
  public site, for editors and superusers too (the admin, not the site, is where staff read
  drafts), with one exception that is Wagtail's, not ours: a *login* view restriction lets
  any signed-in user open the page itself (and its /cite/ route, which Wagtail serves behind
  the same check). A *password* restriction asks everyone for the password. Everything
  derived from a brief -- files, downloads, listings, search, sitemap, boxes, source pages --
  is for public briefs only, whoever asks: they are cached or shown to everybody alike.
- A live brief with a newer draft shows its live version everywhere; no word of the draft
  appears on any public surface.
- In the admin, authors create briefs and edit their own only (Wagtail's "add" permission
  on the owner); they cannot publish, unpublish, move or set privacy. Wagtail lets an owner
  with "add" delete -- and so move -- their own page while it is not live (a draft, a
  scheduled page, an unpublished page): `PagePermissionTester.can_delete`. That is
  Wagtail's documented behaviour and deliberately kept. Editors edit, publish, unpublish,
  delete and move everything ("change" + "publish"); superusers everything.
- Sources are shared records readers see: an author's change to one is a draft until an
  editor publishes it, whether made in the source form or by an import that updates it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

ROLES = ["anonymous", "author", "other-author", "editor", "admin"]
"""`author` owns every brief in the matrix; `other-author` is in the Authors group too."""

STATES = [
    "draft",  # never published
    "live",
    "live-draft",  # live, with a newer unpublished revision
    "scheduled",  # approved with go_live_at in the future: not live yet
    "private-password",  # live, with a password view restriction
    "private-login",  # live, with a "signed-in users" view restriction
    "unpublished",  # was live
    "deleted",
]

LIVE_STATES = {"live", "live-draft", "private-password", "private-login"}
PUBLIC_STATES = {"live", "live-draft"}  # live and without a view restriction

# --- public surfaces -----------------------------------------------------------------------

PAGE_SURFACES = ["page", "cite-page"]
"""Served by Wagtail, so behind its view restrictions."""

DOWNLOAD_SURFACES = [
    "cite.txt",
    "cite.json",
    "cite.bib",
    "cite.ris",
    "cite.json-with-sources",
    "cite.bib-with-sources",
    "cite.ris-with-sources",
    "pdf",
]
"""Plain Django views of a published brief: /briefs/<slug>/cite.* and /briefs/<slug>/pdf/."""

SOURCE_SURFACES = [
    "source-page",
    "source-cite.txt",
    "source-cite.json",
    "source-cite.bib",
    "source-cite.ris",
]
"""/sources/<id>/ and its downloads, for a source cited only by this brief."""

LISTING_SURFACES = [
    "search",
    "sitemap",
    "briefs-listing",
    "author-listing",
    "topic-listing",
    "home",
    "boxes-on-another-brief",  # More on This Topic (pinned), header menu, topic boxes
]

PENDING_SURFACES = ["search-draft-word", "draft-only-source-page"]
"""Only for "live-draft": a word and a source that only the unpublished revision has."""

FILE_SURFACES = ["pdf-media-file"]
"""The stored PDF file: never under MEDIA_ROOT, never at a /media/ URL (for any state: every
PDF goes through the view that checks)."""

PUBLIC_SURFACES = [
    *PAGE_SURFACES,
    *DOWNLOAD_SURFACES,
    *FILE_SURFACES,
    *SOURCE_SURFACES,
    *LISTING_SURFACES,
]

# --- admin surfaces ------------------------------------------------------------------------

PAGE_ACTIONS = [
    "edit-view",
    "save-draft",
    "submit",
    "publish",
    "unpublish",
    "delete",
    "move",
    "set-privacy",
]
SOURCE_ACTIONS = ["source-save-draft", "source-publish", "import-update"]
"""On the source the brief cites: the snippet form (save / publish) and an import that
matches it by URL and would change its title."""

ADMIN_SURFACES = [*PAGE_ACTIONS, *SOURCE_ACTIONS]

# --- expected answers ----------------------------------------------------------------------

SHOWN = "shown"  # 200, the live version
NOT_FOUND = "404"
PASSWORD_FORM = "password-form"  # 200 with Wagtail's password form, none of the content
LOGIN = "login"  # redirect to the (front-end or admin) login page, nothing written
LISTED = "listed"
UNLISTED = "unlisted"
UNREACHABLE = "unreachable"
ALLOWED = "allowed"  # the view opens, or the action happens
DENIED = "denied"  # Wagtail's permission denied (403, or back to the dashboard); nothing written
DRAFT_ONLY = "draft-only"  # publish asked, a draft saved, nothing goes live
LOCKED = "locked"  # Wagtail's "could not be saved as it is locked"; nothing written
NOT_PUBLIC = "not-public"  # whatever the answer, readers still see the published source


@dataclass(frozen=True)
class Cell:
    role: str
    state: str
    surface: str
    expected: str

    @property
    def id(self) -> str:
        """e.g. "anonymous-private-password-pdf-404" (pytest's id for the cell)."""
        return f"{self.role}-{self.state}-{self.surface}-{self.expected}"


def public_answer(role: str, state: str, surface: str) -> str:
    """What a reader signed in as `role` gets from a public surface of a brief in `state`."""
    public = state in PUBLIC_STATES
    if surface in PENDING_SURFACES:
        return UNLISTED if surface == "search-draft-word" else NOT_FOUND
    if surface in FILE_SURFACES:
        return UNREACHABLE
    if surface in LISTING_SURFACES:
        return LISTED if public else UNLISTED
    if surface in PAGE_SURFACES:
        if state == "private-password":
            return PASSWORD_FORM
        if state == "private-login":
            # Wagtail's rule: a login restriction admits any signed-in user, whatever role.
            return LOGIN if role == "anonymous" else SHOWN
    return SHOWN if public else NOT_FOUND


def admin_answer(role: str, state: str, surface: str) -> str:
    """What `role` gets from an admin view or action on a brief (or its source) in `state`."""
    if role == "anonymous":
        return LOGIN
    if surface in SOURCE_ACTIONS:
        if role in ("editor", "admin"):
            return ALLOWED
        return NOT_PUBLIC
    if state == "deleted":
        return NOT_FOUND
    staff = role in ("editor", "admin")
    owner = role == "author"
    live = state in LIVE_STATES
    if not (staff or owner) and surface in ("edit-view", "save-draft", "submit", "publish"):
        return DENIED
    if state == "scheduled" and surface in ("save-draft", "submit", "publish"):
        # Wagtail locks a page scheduled for publishing (ScheduledForPublishLock): it must
        # be unscheduled before anyone, superusers included, saves a change.
        return LOCKED
    if surface in ("edit-view", "save-draft", "submit"):
        return ALLOWED
    if surface == "publish":
        return ALLOWED if staff else DRAFT_ONLY  # Wagtail saves the owner's post as a draft
    if surface == "unpublish":
        return ALLOWED if staff and live else DENIED  # nothing to unpublish when not live
    if surface in ("delete", "move"):
        # Moving is deleting and re-adding (Wagtail: can_move == can_delete); an owner with
        # "add" may do both to their own page while it is not live.
        return ALLOWED if staff or (owner and not live) else DENIED
    if surface == "set-privacy":
        return ALLOWED if staff else DENIED  # can_set_view_restrictions == can_publish
    raise ValueError(f"unknown admin surface {surface!r}")


def cells() -> Iterator[Cell]:
    """Every cell of the matrix, roles outermost, then states, then surfaces."""
    for role in ROLES:
        for state in STATES:
            surfaces = [*PUBLIC_SURFACES, *(PENDING_SURFACES if state == "live-draft" else [])]
            for surface in surfaces:
                yield Cell(role, state, surface, public_answer(role, state, surface))
            for surface in ADMIN_SURFACES:
                yield Cell(role, state, surface, admin_answer(role, state, surface))


if __name__ == "__main__":
    table = list(cells())
    public = sum(c.surface not in ADMIN_SURFACES for c in table)
    print(f"{len(table)} cells: {public} public, {len(table) - public} admin")

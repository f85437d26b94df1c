"""`briefdesk export` then `briefdesk import-jsonl` reproduce the demo site exactly.

The demo is loaded once into the test database (rolled back after the module), every public
URL it links to is found by following links from the home page, the sitemap and the feeds,
each is rendered with Django's test client, and the site is exported with its files. The
export is imported by the console script, in a subprocess, into a new database (SQLite: a
file in a new data directory; PostgreSQL: a new database on the same server) that only
`migrate` has touched, and another subprocess renders the same URLs there: every status,
content type, redirect and body must be the same, byte for byte. The new database is
migrated in the background while the demo loads.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings

from briefdesk.core import backup
from briefdesk.core.portable import jsonl
from briefdesk.core.tests.site_fingerprint import fingerprint
from briefdesk.core.tests.test_backup import BRIEFDESK, REPO, Target, new_target, run
from briefdesk.search.sync import forget_stores

pytestmark = pytest.mark.django_db

# Not followed: the admin and login, the PDFs (made by a browser engine, with their own
# creation time), a search per query, and the static files (the same files on both sides).
SKIP = re.compile(r"^/(admin|static|documents)/|/pdf/|^/search/.+|^/api/")
LINK = re.compile(r"""(?:href|src)="([^"]+)"|<(?:loc|link)>([^<]+)</(?:loc|link)>""")
MAX_URLS = 1500
# Sixty sources each have the same dozen views: four of each kind are enough to compare.
PER_SHAPE = 4
NUMBER = re.compile(r"/\d+(?=/|\.|$)")
# A WACZ is stamped with the time it is made (archive/wacz.py), so two downloads differ even
# on one site: its status and type are compared, and its WARCs through their own URLs.
MADE_NOW = re.compile(r"\.wacz$")
USERS_CODE = (
    "import json; from briefdesk.core.tests.test_export_round_trip import users_and_roles; "
    "print(json.dumps(users_and_roles()))"
)


@dataclass
class RoundTrip:
    paths: list[str]
    before: dict[str, Any]
    users: dict[str, Any]
    export: Path
    files: Path
    exported: str
    imported: subprocess.CompletedProcess[str]
    target: Target
    after: dict[str, Any] | None
    users_after: dict[str, Any] | None


def crawl(client: Client) -> tuple[list[str], dict[str, Any]]:
    """Every same-site path reachable from the home page, the sitemap and the feeds, with
    what each shows (site_fingerprint's record: status, content type, location, body)."""
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc
    queue = ["/", "/sitemap.xml", "/feeds/", "/robots.txt", "/sources/"]
    seen = set(queue)
    shapes: Counter[str] = Counter()
    pages: dict[str, Any] = {}
    while queue and len(pages) < MAX_URLS:
        path = queue.pop(0)
        shown = pages[path] = fingerprint([path], [], "")["pages"][path]
        if shown["status"] != 200 or shown["body"].startswith("sha256:"):
            continue
        for match in LINK.finditer(shown["body"]):
            url = urldefrag(unescape(match.group(1) or match.group(2)).strip())[0]
            parts = urlsplit(url)
            if parts.scheme and (parts.scheme not in ("http", "https") or parts.netloc != host):
                continue
            if not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            found = parts.path + (f"?{parts.query}" if parts.query else "")
            if found in seen:
                continue
            seen.add(found)
            shape = NUMBER.sub("/#", found)
            shapes[shape] += 1
            if shapes[shape] <= PER_SHAPE:
                queue.append(found)
    return list(pages), {"pages": pages}


def _tree(root: Path) -> set[str]:
    return {rel for _, rel in backup.walk_files(root)}


@pytest.fixture(scope="module")
def round_trip(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[RoundTrip]:
    from tests.db import rolled_back  # here: the target process imports this module

    work = tmp_path_factory.mktemp("export")
    export, files = work / "site.jsonl", work / "files.tar"
    roots = backup.site_roots()
    files_before = {name: _tree(root) for name, root in roots.items()}
    search_dir = settings.BRIEFDESK_SEARCH_DIR
    with new_target(tmp_path_factory.mktemp("imported")) as target:
        migrate = subprocess.Popen(
            [str(BRIEFDESK), "manage", "migrate", "--noinput", "-v0"],
            env=target.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        settings.BRIEFDESK_SEARCH_DIR = tmp_path_factory.mktemp("search")
        forget_stores()
        try:
            # A media directory of its own: earlier tests' copies of the demo's images (and
            # their renditions) would give this site's files other names than the import's.
            media = tmp_path_factory.mktemp("media")
            with (
                rolled_back(django_db_blocker),
                override_settings(BRIEFDESK_FETCH_ALLOW=[], MEDIA_ROOT=str(media)),
            ):
                cache.clear()  # fragments of earlier tests' pages with the same ids
                call_command("load_demo", stdout=io.StringIO())
                paths, before = crawl(Client())
                users = users_and_roles()
                out = io.StringIO()
                call_command("export_site", str(export), "--with-files", str(files), stdout=out)
        finally:
            settings.BRIEFDESK_SEARCH_DIR = search_dir
            forget_stores()
            for name, root in roots.items():
                for path, rel in list(backup.walk_files(root)):
                    if rel not in files_before[name]:
                        path.unlink()
        _, errors = migrate.communicate(timeout=300)
        assert migrate.returncode == 0, errors
        imported = run(target, "import-jsonl", str(export), "--files", str(files))
        after = users_after = None
        if imported.returncode == 0:
            code = (
                "import json; from briefdesk.core.tests.site_fingerprint import fingerprint; "
                f"print(json.dumps(fingerprint({paths!r}, [], ''))); {USERS_CODE}"
            )
            shown = run(target, "manage", "shell", "-c", code)
            assert shown.returncode == 0, shown.stderr
            lines = shown.stdout.strip().splitlines()
            after, users_after = json.loads(lines[-2]), json.loads(lines[-1])
        yield RoundTrip(
            paths,
            before,
            users,
            export,
            files,
            out.getvalue(),
            imported,
            target,
            after,
            users_after,
        )


def users_and_roles() -> dict[str, list[Any]]:
    """Each user's groups, staff and superuser flags, email and whether a password works."""
    from django.contrib.auth import get_user_model

    return {
        user.username: [
            sorted(group.name for group in user.groups.all()),
            user.is_staff,
            user.is_superuser,
            user.email,
            user.has_usable_password(),
        ]
        for user in get_user_model().objects.order_by("username")
    }


def test_the_export_says_what_it_wrote(round_trip: RoundTrip) -> None:
    assert round_trip.exported.startswith("Exported ")
    assert "with 69 files" in round_trip.exported or " files." in round_trip.exported


def test_the_import_into_a_new_database_says_what_it_imported(round_trip: RoundTrip) -> None:
    result = round_trip.imported

    assert result.returncode == 0, result.stderr
    assert "every line's checksum matches" in result.stdout
    assert "Imported " in result.stdout
    assert "Search index rebuilt" in result.stdout
    assert result.stderr == ""


def test_every_public_page_renders_byte_identical_after_export_and_import(
    round_trip: RoundTrip,
) -> None:
    assert round_trip.after is not None, round_trip.imported.stderr
    before, after = round_trip.before["pages"], round_trip.after["pages"]

    different = [
        path
        for path in round_trip.paths
        if compared(path, after[path]) != compared(path, before[path])
    ]

    assert different == [], different[:10]
    statuses = [before[p]["status"] for p in round_trip.paths]
    assert len(round_trip.paths) > 200  # briefs, guides, experts, sources, archives, feeds
    assert statuses.count(200) > 200
    kinds = {p.split("/")[1] for p in round_trip.paths}
    assert {"briefs", "topics", "authors", "sources", "feeds", "sitemap.xml"} <= kinds
    assert any("/archive/" in p for p in round_trip.paths)
    assert any("/cite." in p for p in round_trip.paths)


def compared(path: str, page: dict[str, Any]) -> dict[str, Any]:
    if MADE_NOW.search(path):
        return {key: value for key, value in page.items() if key != "body"}
    return page


def test_users_come_back_with_their_roles_and_no_usable_password(round_trip: RoundTrip) -> None:
    assert round_trip.users_after is not None
    expected = {name: [*values[:4], False] for name, values in round_trip.users.items()}

    assert round_trip.users_after == expected
    assert any(groups for groups, *_ in expected.values())


def test_the_export_holds_no_password_hashes(round_trip: RoundTrip) -> None:
    text = round_trip.export.read_text(encoding="utf-8")

    assert "pbkdf2_sha256$" not in text and "argon2" not in text
    users = [json.loads(line) for line in text.splitlines() if '"model":"auth.user"' in line[:40]]
    assert users and all("password" not in u["fields"] for u in users)


def test_snapshot_files_and_images_come_back_byte_for_byte(round_trip: RoundTrip) -> None:
    contents = jsonl.verify_export(round_trip.export)
    roots = [round_trip.target.data_dir / name for name in backup.ROOT_NAMES]
    snapshots = [f for f in contents.files if f["file"].startswith("sources.snapshot.")]
    assert snapshots and any(f["file"].startswith("wagtailimages.") for f in contents.files)

    for record in contents.files:
        stored = [root / record["name"] for root in roots if (root / record["name"]).is_file()]
        assert len(stored) == 1, record["name"]
        assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == record["sha256"]

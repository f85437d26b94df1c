"""`briefdesk serve` killed with SIGKILL (its whole process group: the server and its granian
workers) while editors save sources through the admin and readers load pages: after a
restart the SQLite database passes `PRAGMA integrity_check`, every save the admin confirmed
is there once and whole, nothing is there twice, and the site serves again.

Also here: the served site's SQLite runs in WAL mode with a busy timeout, shown on the live
server by what they promise (a write commits while a reader holds a transaction open; a
write waits for another writer's lock instead of failing).
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from contextlib import closing

import requests

from .admin import SOURCE_TABLE, save_source
from .site import Site, wait_for

PREFIX = "Crash test report"


class Traffic:
    """Editors saving new sources and a reader loading the home page, in threads, until
    stopped; every save the admin confirmed is kept with the id it answered."""

    def __init__(self, url: str, sessions: list[requests.Session]) -> None:
        self.url = url
        self.confirmed: dict[str, int] = {}
        self.attempted: list[str] = []
        self.stop = threading.Event()
        self.numbers = itertools.count()
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._edit, args=(s,), daemon=True) for s in sessions
        ]
        self.threads.append(threading.Thread(target=self._read, daemon=True))

    def _edit(self, session: requests.Session) -> None:
        while not self.stop.is_set():
            with self.lock:
                title = f"{PREFIX} {next(self.numbers)}"
                self.attempted.append(title)
            try:
                source_id = save_source(session, self.url, title, timeout=10)
            except (requests.RequestException, AssertionError):
                continue  # cut off by the kill: its outcome is unknown, either is fine
            with self.lock:
                self.confirmed[title] = source_id

    def _read(self) -> None:
        while not self.stop.is_set():
            try:
                requests.get(self.url + "/", timeout=10)
            except requests.RequestException:
                time.sleep(0.05)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(15)
            assert not thread.is_alive(), "a client thread hung"


def test_a_server_killed_mid_save_restarts_on_a_whole_database_with_every_confirmed_save(
    site: Site,
) -> None:
    server = site.serve()
    editors = [server.login() for _ in range(2)]
    traffic = Traffic(server.url, editors)
    traffic.start()
    try:
        # Saves are going on (six confirmed) when the whole process group is killed.
        wait_for(lambda: len(traffic.confirmed) >= 6, 60, "six confirmed saves")
        server.kill()
    finally:
        traffic.finish()
    assert len(traffic.attempted) > len(traffic.confirmed), "no save was cut off"

    assert site.integrity() == "ok"
    rows = site.query(
        f"SELECT id, title, latest_revision_id, formatted, authors FROM {SOURCE_TABLE} "
        "WHERE title LIKE ?",
        PREFIX + "%",
    )
    titles = [title for _, title, *_ in rows]
    assert len(titles) == len(set(titles)), "a save was written twice"
    stored = {title: source_id for source_id, title, *_ in rows}
    for title, source_id in traffic.confirmed.items():
        assert stored.get(title) == source_id, f"confirmed save lost: {title}"
    assert set(stored) <= set(traffic.attempted)
    # Whole: each row has its revision, its formatted citations and its search change.
    for source_id, title, revision_id, formatted, authors in rows:
        revision = site.query(
            "SELECT object_id FROM wagtailcore_revision WHERE id = ?", revision_id
        )
        assert revision == [(str(source_id),)], f"{title}: no revision"
        assert "Bajoria" in authors and "Bajoria" in formatted, f"{title}: half written"
        assert site.query(
            "SELECT count(*) FROM briefdesk_search_searchchange WHERE key = ?",
            f"source:{source_id}",
        ) != [(0,)], f"{title}: its search change is missing"

    again = site.serve()
    assert requests.get(again.url + "/", timeout=30).status_code == 200
    editor = again.login()
    new_id = save_source(editor, again.url, f"{PREFIX} after the restart")
    assert (
        editor.get(
            f"{again.url}/admin/snippets/sources/source/edit/{new_id}/", timeout=30
        ).status_code
        == 200
    )


def test_the_served_sites_sqlite_runs_in_wal_mode_with_a_busy_timeout(site: Site) -> None:
    server = site.serve(workers=1)
    editor = server.login()
    assert site.query("PRAGMA journal_mode") == [("wal",)]

    # WAL: a reader's open transaction does not stop the site's write from committing (with
    # a rollback journal the commit would wait for the reader, which waits for the save, and
    # fail "database is locked" after the busy timeout).
    with closing(sqlite3.connect(site.database, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute(f"SELECT count(*) FROM {SOURCE_TABLE}").fetchone()
        save_source(editor, server.url, "Saved while a reader reads")
        reader.execute("COMMIT")

    # Busy timeout: a write that meets another writer's lock waits for it and succeeds.
    held = 1.5
    with closing(
        sqlite3.connect(site.database, isolation_level=None, check_same_thread=False)
    ) as writer:
        writer.execute("BEGIN IMMEDIATE")
        release = threading.Timer(held, lambda: writer.execute("COMMIT"))
        release.start()
        started = time.monotonic()
        try:
            save_source(editor, server.url, "Saved after another writer")
        finally:
            release.join(5)
        waited = time.monotonic() - started
    assert waited >= held - 0.1, f"the save did not wait for the lock ({waited:.2f} s)"

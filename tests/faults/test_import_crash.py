"""`briefdesk import-references` killed with SIGKILL halfway through writing a large BibTeX
file: the import is one transaction (briefdesk.importers.apply, all or nothing), so the
database holds none of it, passes `PRAGMA integrity_check`, and running the same import
again creates every reference once; a third run finds them all unchanged.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from .site import Site, run, wait_for

REFERENCES = 200


def write_bibtex(path: Path, count: int) -> Path:
    with path.open("w") as out:
        for i in range(count):
            out.write(
                f"@article{{fault_{i:05d},\n"
                f"  title = {{Border closures and supply lines, part {i}}},\n"
                "  journal = {Asia Policy},\n"
                "  author = {Fair, C. Christine and Bajoria, Jayshree},\n"
                f"  doi = {{10.5555/fault.{i}}},\n"
                "  year = {2011},\n"
                "}\n\n"
            )
    return path


def write_locked(database: Path) -> bool:
    """True while another connection holds the database's write lock (an open write
    transaction: Django's atomic blocks begin IMMEDIATE on SQLite)."""
    with closing(sqlite3.connect(database, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc), exc
            return True
        probe.execute("ROLLBACK")
        return False


def imported(site: Site) -> list[str]:
    rows = site.query("SELECT citation_key FROM sources_source WHERE citation_key LIKE 'fault_%'")
    return [key for (key,) in rows]


def test_an_import_killed_while_writing_leaves_nothing_and_a_rerun_imports_each_reference_once(
    site: Site, tmp_path: Path
) -> None:
    bibtex = write_bibtex(tmp_path / "export.bib", REFERENCES)
    wal = site.database.with_name(site.database.name + "-wal")
    # A small page cache (kept in the file's header, so the import's connection has it too)
    # makes SQLite spill the import's uncommitted rows into the write-ahead log as they are
    # written: the log grows while the transaction is open, which shows the test when the
    # import is halfway through writing. Nothing in briefdesk is changed for the test.
    with closing(sqlite3.connect(site.database)) as db:
        db.execute("PRAGMA default_cache_size = 100")
    before = wal.stat().st_size if wal.exists() else 0

    first = site.start(["import-references", str(bibtex)], "import")
    try:
        # Every reference is checked (formatted) first, then written: the log grows only
        # once rows are being written.
        wait_for(
            lambda: not first.alive() or (wal.exists() and wal.stat().st_size > before + 131072),
            120,
            "the import to start writing",
        )
        assert first.alive(), f"the import ended before it was killed:\n{first.output()}"
        assert write_locked(site.database), "the import's transaction is not open"
        first.kill()
    finally:
        site.stop_all()

    assert site.integrity() == "ok"
    assert imported(site) == [], "a killed import left part of itself"
    assert site.query("SELECT count(*) FROM wagtailcore_revision")  # readable after recovery

    output = run(["import-references", str(bibtex)], site.env, timeout=180)
    assert f"Imported {REFERENCES} references: {REFERENCES} created, 0 updated." in output
    keys = imported(site)
    assert sorted(keys) == [f"fault_{i:05d}" for i in range(REFERENCES)]

    output = run(["import-references", str(bibtex)], site.env, timeout=180)
    assert f"{REFERENCES} unchanged" in output
    assert len(imported(site)) == REFERENCES
    assert site.integrity() == "ok"

"""Lossless backup and restore of a site's content as one portable JSONL file.

    summary = dump.export_site(Path("site.jsonl"), files_to=Path("files.tar"))   # export
    plan = load.plan_import(Path("site.jsonl"), files_from=Path("files.tar"))    # checks only
    summary = load.run_import(plan)                                             # all or nothing

Unlike `briefdesk backup` (core/backup.py: a copy of the database and files for the same
engine), the file is independent of the database engine: it moves a site between SQLite and
PostgreSQL. jsonl.py (the line format and its checks), bundle.py (the files beside it) and
contents.py (what is exported, what is rebuilt) know nothing of models; dump.py and load.py
are the ORM half. See docs/export.md.
"""

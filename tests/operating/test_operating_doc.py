"""docs/operating.md cannot drift: its included files are the files in deploy/, and each of its
commands is either run by the walkthrough (test_walkthrough.RUN) or listed with the reason it
cannot run (test_walkthrough.NOT_RUN). Fast; part of the ordinary suite."""

from __future__ import annotations

import re
from pathlib import Path

from .doc import OperatingDoc, split_commands
from .test_walkthrough import (
    DOC,
    NOT_RUN,
    NOT_RUN_IN_SECTION,
    REPO,
    RUN,
    is_run,
    not_run_entry,
)


def test_every_file_the_doc_shows_is_the_file_in_deploy_as_it_is() -> None:
    included = OperatingDoc.read(DOC).included_files()
    assert {name for name, _ in included} >= {
        "deploy/briefdesk.env.example",
        "deploy/systemd/briefdesk.service",
        "deploy/systemd/briefdesk-scheduler.service",
        "deploy/systemd/briefdesk-backup.service",
        "deploy/systemd/briefdesk-backup.timer",
        "deploy/nginx/briefdesk.conf",
    }
    for name, text in included:
        path = REPO / name
        assert path.is_file(), f"docs/operating.md includes {name}, which does not exist"
        assert text == path.read_text(), f"docs/operating.md's copy of {name} differs from the file"


def test_every_command_in_the_doc_is_run_by_the_walkthrough_or_listed_with_a_reason() -> None:
    blocks = OperatingDoc.read(DOC).command_blocks()
    commands = [(b.section, c) for b in blocks for c in b.commands()]
    assert len(commands) > 30
    for section, command in commands:
        listed, run = not_run_entry(command, section) is not None, is_run(command)
        assert listed or run, (
            f"docs/operating.md has a command the walkthrough neither runs nor lists: {command!r}"
        )
        if any(section == where for where, _, _ in NOT_RUN_IN_SECTION):
            continue  # listed there on purpose: the same command runs in an earlier step
        assert not (listed and run), f"{command!r} is both run and listed as not run"


def test_no_listed_command_or_run_pattern_is_stale() -> None:
    commands = OperatingDoc.read(DOC).commands()
    blocks = OperatingDoc.read(DOC).command_blocks()
    for pattern, reason, _ in NOT_RUN:
        assert reason
        assert any(re.search(pattern, c) for c in commands), f"NOT_RUN {pattern!r} matches nothing"
    for section, pattern, reason in NOT_RUN_IN_SECTION:
        assert reason
        matched = [c for b in blocks if b.section == section for c in b.commands()]
        assert any(re.search(pattern, c) for c in matched), f"{section}: {pattern!r} is stale"
    for pattern in RUN:
        assert any(re.search(pattern, c) for c in commands), f"RUN {pattern!r} matches nothing"


def test_a_command_block_splits_into_commands_with_here_documents_and_continuations() -> None:
    text = "# a comment\nls \\\n  -l /\npsql <<SQL\nSELECT 1;\nSQL\nunset X\n"
    assert split_commands(text) == ["ls -l /", "psql <<SQL\nSELECT 1;\nSQL", "unset X"]


def test_the_units_run_briefdesk_as_its_own_user_with_the_env_file_and_a_read_only_system() -> None:
    for name in ("briefdesk.service", "briefdesk-scheduler.service", "briefdesk-backup.service"):
        text = (REPO / "deploy/systemd" / name).read_text()
        for line in (
            "User=briefdesk",
            "EnvironmentFile=/etc/briefdesk/briefdesk.env",
            "ProtectSystem=strict",
            "NoNewPrivileges=yes",
        ):
            assert f"\n{line}\n" in text, f"{name} lacks {line}"
        assert re.search(r"^ReadWritePaths=/var/lib/briefdesk\b", text, re.M), name
        # V8 (mini-racer) writes machine code at run time.
        assert "\nMemoryDenyWriteExecute=yes" not in text, name
    assert Path(REPO / "deploy/systemd/briefdesk-backup.timer").is_file()

"""docs/operating.md read as a script: its command blocks, in order, and the files it includes.

    doc = OperatingDoc.read(path)
    for block in doc.command_blocks(): ...        # ```sh blocks, with their section
    for marker, text in doc.included_files(): ... # <!-- file: deploy/… --> + the next block

A command is one line of a ```sh block, with backslash continuations joined and a here-document
(`<<SQL … SQL`) kept with the line that opens it. Comment lines are not commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
FILE_MARKER = re.compile(r"^<!-- file: (\S+) -->\s*$")
HEREDOC = re.compile(r"<<-?\s*'?(\w+)'?")


@dataclass(frozen=True)
class Block:
    section: str
    lang: str
    text: str
    included_file: str | None

    def commands(self) -> list[str]:
        """The block's commands (sh blocks only)."""
        return split_commands(self.text)


@dataclass
class OperatingDoc:
    blocks: list[Block] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> OperatingDoc:
        doc = cls()
        section = ""
        marker: str | None = None
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("#") and not line.startswith("#!"):
                section = line.lstrip("#").strip()
            found = FILE_MARKER.match(line)
            if found:
                marker = found.group(1)
            fence = FENCE.match(line)
            if fence:
                end = i + 1
                while end < len(lines) and lines[end] != "```":
                    end += 1
                text = "\n".join(lines[i + 1 : end]) + "\n"
                doc.blocks.append(Block(section, fence.group(1), text, marker))
                marker = None
                i = end
            i += 1
        return doc

    def command_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.lang == "sh"]

    def commands(self) -> list[str]:
        return [c for b in self.command_blocks() for c in b.commands()]

    def included_files(self) -> list[tuple[str, str]]:
        return [(b.included_file, b.text) for b in self.blocks if b.included_file]

    def cron_commands(self) -> list[str]:
        """The command part of every line of ```cron blocks (after the user field)."""
        commands = []
        for block in self.blocks:
            if block.lang != "cron":
                continue
            for line in block.text.splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    commands.append(line.split(None, 6)[6])
        return commands


def split_commands(text: str) -> list[str]:
    commands: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + lines[i].lstrip()
            i += 1
        heredoc = HEREDOC.search(line)
        if heredoc:
            body = []
            while i < len(lines) and lines[i].strip() != heredoc.group(1):
                body.append(lines[i])
                i += 1
            line = "\n".join([line, *body, lines[i] if i < len(lines) else ""])
            i += 1
        commands.append(line)
    return commands


def sync_included_files(doc_path: Path, repo: Path) -> list[str]:
    """Rewrite every block marked `<!-- file: NAME -->` with the file's current text; returns
    the names that changed. (`python -m tests.operating.doc` after editing a file in deploy/.)"""
    lines = doc_path.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    changed: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        found = FILE_MARKER.match(lines[i].rstrip("\n"))
        if found and i + 1 < len(lines) and FENCE.match(lines[i + 1].rstrip("\n")):
            end = i + 2
            while end < len(lines) and lines[end].rstrip("\n") != "```":
                end += 1
            old = "".join(lines[i + 2 : end])
            new = (repo / found.group(1)).read_text(encoding="utf-8")
            if old != new:
                changed.append(found.group(1))
            out += [lines[i + 1], new, lines[end]]
            i = end + 1
            continue
        i += 1
    doc_path.write_text("".join(out), encoding="utf-8")
    return changed


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    for name in sync_included_files(root / "docs" / "operating.md", root):
        print(f"docs/operating.md: {name} updated")

"""Auto-fill figures: per-field accuracy of pagemeta.read_page over the saved pages in
briefdesk/archive/tests/files/pages (against expected.json, an editor's record of each page),
per layout, and how many pages per second it reads (no network: the fetch is not timed).

    .venv/bin/python benchmarks/autofill.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from briefdesk.archive.pagemeta import FIELDS, read_page
    from briefdesk.archive.tests.test_pagemeta import PAGES, PAGES_DIR, accuracy, accuracy_table

    print(f"{len(PAGES)} pages\n")
    print(accuracy_table())
    right = sum(r for r, _ in accuracy().values())
    total = sum(t for _, t in accuracy().values())
    print(f"{'all fields':<12} {right:>5} {total:>3} {right / total:>9.0%}\n")

    layouts = sorted({p["layout"] for p in PAGES})
    print(f"{'layout':<12} " + " ".join(f"{f[:8]:>8}" for f in FIELDS))
    for layout in layouts:
        pages = [p for p in PAGES if p["layout"] == layout]
        row = accuracy(pages)
        print(f"{layout:<12} " + " ".join(f"{row[f][0]:>5}/{row[f][1]:<2}" for f in FIELDS))

    bodies = [(p["url"], p["content_type"], (PAGES_DIR / p["file"]).read_bytes()) for p in PAGES]
    for label, chosen in (
        ("HTML", [b for b in bodies if "pdf" not in b[1]]),
        ("PDF", [b for b in bodies if "pdf" in b[1]]),
    ):
        read_page(*chosen[0])  # imports and first-use set-up out of the timing
        start = time.perf_counter()
        for _ in range(args.rounds):
            for body in chosen:
                read_page(*body)
        elapsed = time.perf_counter() - start
        count = args.rounds * len(chosen)
        print(
            f"\n{label}: {count / elapsed:.1f} pages/s ({elapsed / count * 1000:.1f} ms a page)",
            end="",
        )
    print()


if __name__ == "__main__":
    main()

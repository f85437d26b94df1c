"""Where briefdesk's code and data are."""

from __future__ import annotations

from pathlib import Path

from .env import envstr

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The checkout root when running from source; node_modules lives here.
PROJECT_DIR = PACKAGE_DIR.parent

DATA_DIR = Path(envstr("BRIEFDESK_DATA_DIR", str(Path.cwd() / "var"))).resolve()

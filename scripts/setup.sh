#!/usr/bin/env bash
# Set up everything briefdesk needs to run from this checkout, idempotently:
#   a virtualenv in .venv from the hash-pinned lock file, the package itself (editable),
#   and the npm packages from package-lock.json (citeproc-js; axe-core for tests).
# Usage: scripts/setup.sh            (runtime + test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  if command -v python3.11 >/dev/null; then PYTHON=python3.11; else
    echo "setup: briefdesk needs Python 3.11 (found: $("$PYTHON" --version 2>&1))" >&2; exit 1
  fi
fi

source scripts/apt.sh

if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
# PDFs (WeasyPrint): Pango for text layout; fonts for Latin, Greek and Cyrillic (DejaVu), Arabic
# script including Urdu (Scheherazade) and Chinese, Japanese and Korean (WenQuanYi Micro Hei).
# Nothing is fetched at render time.
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-sil-scheherazade \
  fonts-wqy-microhei

lock=requirements/dev.lock
stamp=.venv/.briefdesk-$(sha256sum "$lock" pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  echo "setup: installing Python packages from $lock"
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  rm -f .venv/.briefdesk-*
  touch "$stamp"
fi

if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
  echo "setup: installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  # npm writes its own copy of the lock; compare against ours next time.
  cp package-lock.json node_modules/.package-lock.json
fi

#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (virtualenv, npm packages,
# Debian's chromium, PostgreSQL and nginx), runs the static checks, then pytest on SQLite
# (everything, browser tests in real headless Chromium included), the operating walkthrough
# (docs/operating.md followed on loopback), and pytest on a throwaway PostgreSQL server
# (everything but the browser tests and the walkthrough).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
source scripts/apt.sh
# The PDF tests read PDFs with poppler (pdftotext, pdfinfo, pdftoppm).
# The operating walkthrough: nginx with a self-signed certificate (openssl), curl as in the docs.
# The page cache and scaling tests (issue 14): Redis, Varnish in front, wrk for load.
apt_install chromium postgresql poppler-utils nginx openssl curl redis-server varnish wrk

export DJANGO_SETTINGS_MODULE=briefdesk.settings.test
export BRIEFDESK_DATA_DIR="${BRIEFDESK_DATA_DIR:-$(mktemp -d /tmp/briefdesk-test-data.XXXXXX)}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# Nothing of this machine's own configuration reaches the tests: no env file, no error reports.
export BRIEFDESK_ENV_FILE=
unset SENTRY_DSN
PY=.venv/bin

echo "== ruff"
$PY/ruff check .
$PY/ruff format --check .
echo "== mypy (django-stubs, the whole package)"
$PY/mypy

echo "== django checks"
$PY/briefdesk manage check --fail-level WARNING
$PY/briefdesk manage makemigrations --check --dry-run

# nginx in front of briefdesk (deploy/nginx/briefdesk.conf) runs in a session of its own: after
# the browser tests' flushes in the same session, its serialized rollback came back without the
# root collection, pages and groups (not understood yet; see the test module).
NGINX_TESTS=briefdesk/core/tests/test_nginx.py
# The backup tests build a site in the test database and put the database back with flush and
# deserialize; tests after them in the same session then met stale rows and ids. They too run
# in a session of their own, on each engine.
BACKUP_TESTS=briefdesk/core/tests/test_backup.py
# The baked site's search in Chromium (no live server; its data in a rolled-back transaction):
# run among the transactional browser tests it left the tests after that group without the
# migrated data (the same unexplained serialized-rollback loss as above). A session of its own.
BAKE_BROWSER_TESTS=briefdesk/bake/tests/test_browser_search.py

echo "== pytest (SQLite, with Chromium)"
$PY/pytest -q -p no:randomly -m "not walkthrough and not load" --ignore="$NGINX_TESTS" \
  --ignore="$BACKUP_TESTS" --ignore="$BAKE_BROWSER_TESTS" "$@"

echo "== the baked site's search in Chromium (SQLite)"
$PY/pytest -q -p no:randomly "$BAKE_BROWSER_TESTS"

echo "== nginx in front of briefdesk (SQLite)"
$PY/pytest -q -p no:randomly "$NGINX_TESTS"

echo "== backup and restore (SQLite)"
$PY/pytest -q -p no:randomly "$BACKUP_TESTS"

echo "== load (wrk on loopback: the cached brief, search)"
$PY/pytest -q -p no:randomly -s -m load briefdesk/core/pagecache/tests

echo "== walkthrough (docs/operating.md on loopback: PostgreSQL, nginx, TLS)"
$PY/pytest -q -p no:randomly -s -m walkthrough tests/operating

echo "== pytest (PostgreSQL)"
source scripts/pg.sh
pg_start
DATABASE_URL="$PG_URL" $PY/pytest -q -m "not browser and not walkthrough and not load" \
  --ignore="$NGINX_TESTS" \
  --ignore="$BACKUP_TESTS" "$@"

echo "== backup and restore (PostgreSQL)"
DATABASE_URL="$PG_URL" $PY/pytest -q -p no:randomly "$BACKUP_TESTS"

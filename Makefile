# The two commands of the README's quick start, and a few helpers.
.PHONY: demo test setup lock lint format

PORT ?= 8000

demo: setup  ## set up and serve the demo site on http://127.0.0.1:$(PORT)
	@echo "Background jobs run inside each request here; to queue them for a worker instead:" \
	  "TASKS_BACKEND=database make demo, and in a second terminal" \
	  "TASKS_BACKEND=database .venv/bin/briefdesk worker"
	.venv/bin/briefdesk demo --port $(PORT)

test:  ## set up and run the whole test suite (SQLite, PostgreSQL, Chromium)
	scripts/test.sh

setup:
	scripts/setup.sh

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

lock:  ## re-resolve the pinned lock files (needs uv: pip install uv)
	cd requirements && uv pip compile base.in -p 3.11 --generate-hashes -o base.lock -q \
	  && uv pip compile dev.in -p 3.11 --generate-hashes -o dev.lock -q

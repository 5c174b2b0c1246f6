#!/usr/bin/env bash
# Set up, then run every check: lint, types on the core, and the whole test suite
# (unit, Docker, Redis, SQLite and PostgreSQL). Extra arguments go to pytest.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/setup.sh"
cd "$here"
.venv/bin/ruff check grader specs sandboxes service worker web store autograde tests records credentials exam_bank integrations integrity bench
.venv/bin/ruff format --check grader specs sandboxes service worker web store autograde tests records credentials exam_bank integrations integrity bench
.venv/bin/mypy  # strict, see pyproject.toml
exec .venv/bin/python -m pytest "$@"

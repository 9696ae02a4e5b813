#!/usr/bin/env bash
# Set-up command 2: install if needed, then the project's checks (format, lint, types, layering) and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
echo "== ruff format" && .venv/bin/ruff format --check --quiet src tests bench examples
echo "== ruff check" && .venv/bin/ruff check --quiet src tests bench examples
echo "== mypy" && .venv/bin/mypy
echo "== import-linter" && .venv/bin/lint-imports --no-cache
echo "== pytest"
exec .venv/bin/pytest -n 2 --durations=15 "$@"

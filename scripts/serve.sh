#!/usr/bin/env bash
# Set-up command 1: install if needed, then run usher on http://127.0.0.1:8000 (SQLite ./usher.db, mail to the outbox).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/usher serve "$@"

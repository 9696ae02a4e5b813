"""Storage contract tests: one suite, run on SQLite and PostgreSQL."""

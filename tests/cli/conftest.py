"""CLI fixtures: `cli` runs `usher ...` in-process (click's CliRunner) against the test database.

cli          Cli on the migrated test database (sqlite and postgresql)
fresh_cli    Cli on a new, unmigrated SQLite file
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from usher.cli.main import main

PASSWORD = "correct horse battery"


def cli_env(database_url: str) -> dict[str, str | None]:
    """The environment a command sees: the test database, cheap argon2, no config file."""
    return {
        "USHER_DATABASE_URL": database_url,
        "USHER_ENV": "test",
        "USHER_ARGON2_TIME_COST": "1",
        "USHER_ARGON2_MEMORY_KIB": "64",
        "USHER_HASH_WORKERS": "1",
        "USHER_DB_POOL_SIZE": "2",
        "USHER_CONFIG": None,
    }


@dataclass
class Cli:
    env: dict[str, str | None]

    def __call__(self, *args: str, stdin: str | None = None, **env: str | None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, list(args), input=stdin, env={**self.env, **env}, catch_exceptions=False)

    def json(self, *args: str, stdin: str | None = None) -> Any:
        """Runs the command with --json; it must succeed and print exactly one JSON document."""
        result = self(*args, "--json", stdin=stdin)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(cli_env(database_url))


@pytest.fixture
def fresh_cli(tmp_path: Path) -> Cli:
    return Cli(cli_env(f"sqlite:///{tmp_path / 'fresh.db'}"))

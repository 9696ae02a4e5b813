"""`usher db upgrade` / `usher db current`, and the errors every command shares (bad configuration, no database)."""

from __future__ import annotations

from tests.cli.conftest import Cli
from usher.storage import migrate


def test_current_on_empty_database_reports_no_revision(fresh_cli: Cli) -> None:
    result = fresh_cli("db", "current")
    assert result.exit_code == 0
    assert "no revision" in result.stdout
    assert fresh_cli.json("db", "current") == {"revision": None, "head": migrate.head(), "is_head": False}


def test_upgrade_on_empty_database_reaches_head(fresh_cli: Cli) -> None:
    status = fresh_cli.json("db", "upgrade")
    assert status == {"revision": migrate.head(), "head": migrate.head(), "is_head": True}
    result = fresh_cli("db", "current")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{migrate.head()} (head)"


def test_upgrade_twice_is_harmless(fresh_cli: Cli) -> None:
    assert fresh_cli("db", "upgrade").exit_code == 0
    result = fresh_cli("db", "upgrade")
    assert result.exit_code == 0
    assert "(head)" in result.stdout


def test_upgrade_on_empty_database_creates_default_app_without_secret(fresh_cli: Cli) -> None:
    fresh_cli("db", "upgrade")
    app = fresh_cli.json("apps", "show", "default")
    assert app["id"] == "default"
    assert app["has_secret_key"] is False


def test_current_on_migrated_database_is_head(cli: Cli) -> None:
    assert cli.json("db", "current")["is_head"] is True


def test_command_with_unreachable_database_exits_1(fresh_cli: Cli) -> None:
    result = fresh_cli("apps", "list", USHER_DATABASE_URL="postgresql://nobody@127.0.0.1:1/usher", USHER_DB_TIMEOUT="3")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_command_with_unsupported_database_url_exits_2(fresh_cli: Cli) -> None:
    result = fresh_cli("db", "current", USHER_DATABASE_URL="mysql://root@localhost/usher")
    assert result.exit_code == 2
    assert "USHER_DATABASE_URL" in result.stderr


def test_command_with_invalid_setting_exits_2_without_echoing_it(fresh_cli: Cli) -> None:
    result = fresh_cli("apps", "list", USHER_ARGON2_TIME_COST="many-times-secret")
    assert result.exit_code == 2
    assert "USHER_ARGON2_TIME_COST" in result.stderr
    assert "many-times-secret" not in result.stderr


def test_unknown_command_exits_2(fresh_cli: Cli) -> None:
    assert fresh_cli("frobnicate").exit_code == 2

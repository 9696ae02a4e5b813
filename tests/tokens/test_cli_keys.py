"""`usher keys rotate|list`, and the signing keys that `db upgrade` and `apps create` make."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli, cli_env

KEY_FIELDS = {"kid", "alg", "created_at", "retired_at", "drop_at"}


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(cli_env(database_url))


@pytest.fixture
def fresh_cli(tmp_path: Path) -> Cli:
    return Cli(cli_env(f"sqlite:///{tmp_path / 'fresh.db'}"))


def test_rotate_with_json_prints_app_kid_alg(cli: Cli) -> None:
    [before] = cli.json("keys", "list", "--app", "default")
    rotated = cli.json("keys", "rotate", "--app", "default")
    assert rotated == {"app": "default", "kid": rotated["kid"], "alg": "RS256"}
    assert rotated["kid"] != before["kid"]
    listed = cli.json("keys", "list", "--app", "default")
    assert [key["kid"] for key in listed] == [rotated["kid"], before["kid"]]
    assert all(set(key) == KEY_FIELDS for key in listed)
    assert listed[0]["retired_at"] is None and listed[1]["retired_at"] is not None
    assert listed[1]["drop_at"] > listed[1]["retired_at"]


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_rotate_with_alg_makes_key_of_that_algorithm(cli: Cli, alg: str) -> None:
    assert cli.json("keys", "rotate", "--app", "default", "--alg", alg)["alg"] == alg
    assert cli.json("keys", "list", "--app", "default")[0]["alg"] == alg


def test_rotate_and_list_never_print_private_material(cli: Cli) -> None:
    outputs = [cli("keys", "rotate", "--app", "default"), cli("keys", "list", "--app", "default")]
    outputs += [cli("keys", "rotate", "--app", "default", "--json"), cli("keys", "list", "--app", "default", "--json")]
    for result in outputs:
        assert result.exit_code == 0, result.stderr
        assert "PRIVATE" not in result.stdout and "private" not in result.stdout
        assert '"d"' not in result.stdout


def test_list_without_json_prints_one_line_per_key(cli: Cli) -> None:
    result = cli("keys", "list", "--app", "default")
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    kid, alg, _created, retired, drop = line.split("\t")
    assert len(kid) == 43 and alg == "RS256" and retired == drop == "-"


def test_rotate_bad_alg_exits_2_and_unknown_app_exits_1(cli: Cli) -> None:
    assert cli("keys", "rotate", "--app", "default", "--alg", "HS256").exit_code == 2
    assert cli("keys", "rotate").exit_code == 2
    unknown = cli("keys", "rotate", "--app", "nope")
    assert unknown.exit_code == 1 and "not found" in unknown.stderr
    assert cli("keys", "list", "--app", "nope").exit_code == 1


def test_apps_create_gives_the_app_a_signing_key(cli: Cli) -> None:
    cli.json("apps", "create", "Shop", "--id", "shop")
    [key] = cli.json("keys", "list", "--app", "shop")
    assert key["alg"] == "RS256" and key["retired_at"] is None


def test_db_upgrade_on_fresh_database_gives_default_app_a_key(fresh_cli: Cli) -> None:
    status = fresh_cli.json("db", "upgrade")
    assert status["is_head"] is True
    [key] = fresh_cli.json("keys", "list", "--app", "default")
    assert key["alg"] == "RS256"
    fresh_cli.json("db", "upgrade")  # idempotent: no second key
    assert len(fresh_cli.json("keys", "list", "--app", "default")) == 1

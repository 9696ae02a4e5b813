"""`usher users create|list|disable|enable|delete`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.cli.conftest import PASSWORD, Cli

USER_FIELDS = {
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "language",
    "profile",
    "permission_level",
    "is_admin",
    "disabled",
    "email_verified",
    "created_at",
    "updated_at",
    "last_signin_at",
}


def _create(cli: Cli, email: str = "ada@example.com", *extra: str) -> dict[str, Any]:
    user: dict[str, Any] = cli.json(
        "users", "create", "--app", "default", "--email", email, "--password", PASSWORD, *extra
    )
    return user


def test_create_with_json_prints_the_user(cli: Cli) -> None:
    user = _create(cli, "ada@example.com", "--username", "ada", "--first-name", "Ada", "--last-name", "Lovelace")
    assert set(user) == USER_FIELDS
    assert (user["email"], user["username"], user["first_name"], user["last_name"]) == (
        "ada@example.com",
        "ada",
        "Ada",
        "Lovelace",
    )
    assert user["is_admin"] is False and user["email_verified"] is False and user["disabled"] is False
    assert user["last_signin_at"] is None
    datetime.fromisoformat(user["created_at"])


def test_create_with_admin_and_verified_sets_flags(cli: Cli) -> None:
    user = _create(cli, "root@example.com", "--admin", "--verified")
    assert user["is_admin"] is True and user["email_verified"] is True


def test_create_when_signup_closed_still_creates(cli: Cli) -> None:
    cli.json("apps", "set", "default", "signup_open=false")
    assert _create(cli)["email"] == "ada@example.com"


def test_create_without_json_prints_readable_lines_and_no_password(cli: Cli) -> None:
    result = cli("users", "create", "--app", "default", "--email", "ada@example.com", "--password", PASSWORD)
    assert result.exit_code == 0
    assert "email: ada@example.com" in result.stdout.splitlines()
    assert PASSWORD not in result.output
    assert "password" not in result.stdout and "hash" not in result.stdout


def test_create_with_password_stdin_reads_password(cli: Cli) -> None:
    args = ("users", "create", "--app", "default", "--email", "ada@example.com", "--password-stdin")
    user = cli.json(*args, stdin=PASSWORD + "\n")
    assert user["email"] == "ada@example.com"
    assert PASSWORD not in str(user)


def test_create_with_weak_password_stdin_exits_2(cli: Cli) -> None:
    args = ("users", "create", "--app", "default", "--email", "ada@example.com", "--password-stdin")
    result = cli(*args, stdin="short\n")
    assert result.exit_code == 2
    assert "short" not in result.output


def test_create_without_password_exits_2(cli: Cli) -> None:
    result = cli("users", "create", "--app", "default", "--email", "ada@example.com")
    assert result.exit_code == 2
    assert "--password" in result.stderr


def test_create_with_both_password_options_exits_2(cli: Cli) -> None:
    args = ("users", "create", "--app", "default", "--email", "ada@example.com", "--password", PASSWORD)
    assert cli(*args, "--password-stdin", stdin=PASSWORD).exit_code == 2


def test_create_without_app_exits_2(cli: Cli) -> None:
    result = cli("users", "create", "--email", "ada@example.com", "--password", PASSWORD)
    assert result.exit_code == 2
    assert "--app" in result.stderr


def test_create_in_unknown_app_exits_1(cli: Cli) -> None:
    result = cli("users", "create", "--app", "nope", "--email", "ada@example.com", "--password", PASSWORD)
    assert result.exit_code == 1
    assert "app not found" in result.stderr


def test_create_duplicate_email_exits_1(cli: Cli) -> None:
    _create(cli)
    result = cli("users", "create", "--app", "default", "--email", "ADA@example.com", "--password", PASSWORD)
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert result.stdout == ""


def test_create_with_invalid_email_exits_2(cli: Cli) -> None:
    result = cli("users", "create", "--app", "default", "--email", "not-an-address", "--password", PASSWORD)
    assert result.exit_code == 2


def test_list_with_json_prints_array_of_users(cli: Cli) -> None:
    for n in range(3):
        _create(cli, f"user{n}@example.com")
    listed = cli.json("users", "list", "--app", "default")
    assert [set(user) for user in listed] == [USER_FIELDS] * 3
    assert {user["email"] for user in listed} == {f"user{n}@example.com" for n in range(3)}


def test_list_with_limit_and_offset_pages(cli: Cli) -> None:
    for n in range(3):
        _create(cli, f"user{n}@example.com")
    first = cli.json("users", "list", "--app", "default", "--limit", "2")
    rest = cli.json("users", "list", "--app", "default", "--limit", "2", "--offset", "2")
    assert len(first) == 2 and len(rest) == 1
    assert {u["id"] for u in first} | {u["id"] for u in rest} == {
        u["id"] for u in cli.json("users", "list", "--app", "default")
    }


def test_list_without_json_prints_lines_and_total(cli: Cli) -> None:
    user = _create(cli)
    result = cli("users", "list", "--app", "default")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == [user["id"], "-", "ada@example.com"]
    assert lines[-1] == "1-1 of 1 users"


def test_list_empty_app_prints_empty_array(cli: Cli) -> None:
    assert cli.json("users", "list", "--app", "default") == []


def test_list_over_limit_exits_2(cli: Cli) -> None:
    assert cli("users", "list", "--app", "default", "--limit", "1001").exit_code == 2


def test_list_unknown_app_exits_1(cli: Cli) -> None:
    assert cli("users", "list", "--app", "nope").exit_code == 1


def test_list_without_app_exits_2(cli: Cli) -> None:
    assert cli("users", "list").exit_code == 2


@pytest.mark.parametrize("who", ["id", "username", "email"])
def test_disable_then_enable_by_any_identifier_toggles_user(cli: Cli, who: str) -> None:
    user = _create(cli, "ada@example.com", "--username", "ada")
    name = {"id": user["id"], "username": "ADA", "email": "Ada@Example.com"}[who]
    disabled = cli.json("users", "disable", "--app", "default", name)
    assert disabled["id"] == user["id"] and disabled["disabled"] is True
    enabled = cli.json("users", "enable", "--app", "default", name)
    assert enabled["disabled"] is False


def test_disable_without_json_prints_readable_lines(cli: Cli) -> None:
    user = _create(cli)
    result = cli("users", "disable", "--app", "default", user["id"])
    assert result.exit_code == 0
    assert "disabled: yes" in result.stdout.splitlines()


def test_disable_unknown_user_exits_1(cli: Cli) -> None:
    result = cli("users", "disable", "--app", "default", "nobody@example.com")
    assert result.exit_code == 1
    assert "user not found" in result.stderr


def test_enable_in_unknown_app_exits_1(cli: Cli) -> None:
    assert cli("users", "enable", "--app", "nope", "someone").exit_code == 1


def test_delete_with_json_removes_user(cli: Cli) -> None:
    user = _create(cli)
    assert cli.json("users", "delete", "--app", "default", "ada@example.com") == {"id": user["id"], "deleted": True}
    assert cli.json("users", "list", "--app", "default") == []
    assert cli("users", "delete", "--app", "default", user["id"]).exit_code == 1


def test_delete_without_json_prints_a_line(cli: Cli) -> None:
    user = _create(cli)
    result = cli("users", "delete", "--app", "default", user["id"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"deleted user {user['id']}"


def test_delete_without_app_exits_2(cli: Cli) -> None:
    assert cli("users", "delete", "someone").exit_code == 2

"""`usher apps create|list|show|set|rotate-secret`, and their effect on a running server's AppService."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from tests.cli.conftest import Cli
from usher.container import Container
from usher.core.app_settings import valid_keys
from usher.core.errors import Unauthenticated

APP_FIELDS = {"id", "name", "has_secret_key", "created_at", "updated_at"}


def test_create_with_json_prints_id_name_and_key_once(cli: Cli) -> None:
    created = cli.json("apps", "create", "Shop", "--id", "shop")
    assert set(created) == {"id", "name", "secret_key"}
    assert created["id"] == "shop" and created["name"] == "Shop"
    assert created["secret_key"].startswith("usk_")
    shown = cli("apps", "show", "shop")
    assert created["secret_key"] not in shown.stdout


def test_create_without_json_prints_readable_lines(cli: Cli) -> None:
    result = cli("apps", "create", "Blog")
    assert result.exit_code == 0
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert lines["name"] == "Blog"
    assert lines["secret_key"].startswith("usk_")
    assert "cannot show it again" in result.stderr


def test_create_with_taken_id_exits_1(cli: Cli) -> None:
    result = cli("apps", "create", "Again", "--id", "default")
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert result.stdout == ""


def test_create_with_invalid_id_exits_2(cli: Cli) -> None:
    assert cli("apps", "create", "Bad", "--id", "Not Valid!").exit_code == 2


def test_list_with_json_prints_array_of_apps(cli: Cli) -> None:
    cli.json("apps", "create", "Shop", "--id", "shop")
    listed = cli.json("apps", "list")
    assert isinstance(listed, list)
    assert {app["id"] for app in listed} >= {"default", "shop"}
    assert all(set(app) == APP_FIELDS for app in listed)


def test_list_without_json_prints_one_line_per_app(cli: Cli) -> None:
    result = cli("apps", "list")
    assert result.exit_code == 0
    assert any(line.split("\t")[0] == "default" for line in result.stdout.splitlines())


def test_show_with_json_prints_settings_and_no_secret(cli: Cli) -> None:
    created = cli.json("apps", "create", "Shop", "--id", "shop")
    shown = cli.json("apps", "show", "shop")
    assert set(shown) == {*APP_FIELDS, "settings"}
    assert shown["has_secret_key"] is True
    assert shown["settings"]["signup_open"] is True
    datetime.fromisoformat(shown["created_at"])
    assert created["secret_key"] not in str(shown)
    assert "digest" not in str(shown)


def test_show_without_json_prints_readable_lines(cli: Cli) -> None:
    result = cli("apps", "show", "default")
    assert result.exit_code == 0
    assert "id: default" in result.stdout.splitlines()
    assert "  signup_open: yes" in result.stdout.splitlines()


def test_show_unknown_app_exits_1(cli: Cli) -> None:
    result = cli("apps", "show", "nope")
    assert result.exit_code == 1
    assert "app not found" in result.stderr
    assert cli("apps", "show", "nope", "--json").stdout == ""


def test_set_with_json_changes_settings(cli: Cli) -> None:
    shown = cli.json(
        "apps",
        "set",
        "default",
        "session_ttl=3600",
        "signup_open=false",
        "redirect_urls=https://a.test, https://b.test",
    )
    assert shown["settings"]["session_ttl"] == 3600
    assert shown["settings"]["signup_open"] is False
    assert shown["settings"]["redirect_urls"] == ["https://a.test", "https://b.test"]
    assert cli.json("apps", "show", "default")["settings"]["session_ttl"] == 3600


def test_set_without_json_prints_readable_lines(cli: Cli) -> None:
    result = cli("apps", "set", "default", "mail_sender_name=Shop Team")
    assert result.exit_code == 0
    assert "  mail_sender_name: Shop Team" in result.stdout.splitlines()


def test_set_unknown_key_exits_2_listing_valid_keys(cli: Cli) -> None:
    result = cli("apps", "set", "default", "session_tll=60")
    assert result.exit_code == 2
    assert "session_tll" in result.stderr
    assert all(key in result.stderr for key in valid_keys())


def test_set_bad_duration_exits_2_and_changes_nothing(cli: Cli) -> None:
    result = cli("apps", "set", "default", "signup_open=false", "session_ttl=forever")
    assert result.exit_code == 2
    assert "session_ttl" in result.stderr
    assert cli.json("apps", "show", "default")["settings"]["signup_open"] is True


def test_set_without_equals_sign_exits_2(cli: Cli) -> None:
    assert cli("apps", "set", "default", "session_ttl").exit_code == 2


def test_set_without_pairs_exits_2(cli: Cli) -> None:
    assert cli("apps", "set", "default").exit_code == 2


def test_set_unknown_app_exits_1(cli: Cli) -> None:
    assert cli("apps", "set", "nope", "session_ttl=60").exit_code == 1


def test_rotate_secret_on_fresh_default_app_prints_first_key(cli: Cli) -> None:
    assert cli.json("apps", "show", "default")["has_secret_key"] is False
    rotated = cli.json("apps", "rotate-secret", "default")
    assert set(rotated) == {"id", "secret_key", "previous_valid_until"}
    assert rotated["id"] == "default"
    assert rotated["secret_key"].startswith("usk_")
    assert rotated["previous_valid_until"] is None
    assert cli.json("apps", "show", "default")["has_secret_key"] is True


def test_rotate_secret_without_json_prints_readable_lines(cli: Cli) -> None:
    result = cli("apps", "rotate-secret", "default")
    assert result.exit_code == 0
    assert result.stdout.startswith("id: default\nsecret_key: usk_")


def test_rotate_secret_with_grace_reports_until_when_old_key_works(cli: Cli) -> None:
    cli.json("apps", "rotate-secret", "default")
    before = datetime.now(UTC)
    rotated = cli.json("apps", "rotate-secret", "default", "--grace", "600")
    until = datetime.fromisoformat(rotated["previous_valid_until"])
    assert before + timedelta(seconds=590) < until < datetime.now(UTC) + timedelta(seconds=610)


@pytest.mark.parametrize("grace", ["-1", "soon"])
def test_rotate_secret_with_bad_grace_exits_2(cli: Cli, grace: str) -> None:
    assert cli("apps", "rotate-secret", "default", "--grace", grace).exit_code == 2


def test_rotate_secret_unknown_app_exits_1(cli: Cli) -> None:
    assert cli("apps", "rotate-secret", "nope").exit_code == 1


async def _within(seconds: float, check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"not seen within {seconds} s"
        await asyncio.sleep(0.05)


async def _rejects(container: Container, key: str) -> bool:
    try:
        await container.services.apps.authenticate_key(key)
    except Unauthenticated:
        return True
    return False


async def test_rotate_secret_with_grace_keeps_old_key_working_until_grace_zero(cli: Cli, container: Container) -> None:
    apps = container.services.apps
    old = (await asyncio.to_thread(cli.json, "apps", "rotate-secret", "default"))["secret_key"]
    new = (await asyncio.to_thread(cli.json, "apps", "rotate-secret", "default", "--grace", "600"))["secret_key"]
    assert (await apps.authenticate_key(old)).id == "default"
    assert (await apps.authenticate_key(new)).id == "default"

    newest = (await asyncio.to_thread(cli.json, "apps", "rotate-secret", "default", "--grace", "0"))["secret_key"]
    assert (await apps.authenticate_key(newest)).id == "default"
    await _within(2.0, lambda: _rejects(container, new))
    assert await _rejects(container, old)


async def test_set_reaches_running_service_within_two_seconds(cli: Cli, container: Container) -> None:
    apps = container.services.apps
    assert (await apps.get("default")).settings.session_ttl is None  # now cached in the "server"
    result = await asyncio.to_thread(cli, "apps", "set", "default", "session_ttl=120")
    assert result.exit_code == 0

    async def changed() -> bool:
        return (await apps.get("default")).settings.session_ttl == 120

    await _within(2.0, changed)


async def test_create_reaches_running_service_within_two_seconds(cli: Cli, container: Container) -> None:
    created = await asyncio.to_thread(cli.json, "apps", "create", "Shop", "--id", "shop")

    async def known() -> bool:
        app = await container.services.apps.authenticate_key(created["secret_key"])
        return app.id == "shop" and (await container.services.apps.get("shop")).name == "Shop"

    await _within(2.0, known)

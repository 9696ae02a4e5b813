"""How commands print (one JSON document with `--json`, readable lines without) and how apps and users look."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import click

from usher.core.app_settings import settings_to_dict
from usher.core.models import App, User

F = TypeVar("F", bound=Callable[..., Any])


class Output:
    """Every command prints exactly once through one of these methods."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def object(self, data: dict[str, Any]) -> None:
        """One object: a JSON object, or `key: value` lines."""
        if self.as_json:
            click.echo(_dumps(data))
            return
        for key, value in data.items():
            if isinstance(value, dict) and value:
                click.echo(f"{key}:")
                for inner, item in value.items():
                    click.echo(f"  {inner}: {_readable(item)}")
            else:
                click.echo(f"{key}: {_readable(value)}")

    def rows(self, items: Sequence[dict[str, Any]], columns: Sequence[str], footer: str | None = None) -> None:
        """A list: a JSON array, or one tab-separated line per item (plus an optional footer line)."""
        if self.as_json:
            click.echo(_dumps(list(items)))
            return
        for item in items:
            click.echo("\t".join(_readable(item.get(column)) for column in columns))
        if footer:
            click.echo(footer)

    def note(self, message: str) -> None:
        """A remark for the person at the terminal; stderr, so that stdout stays one document."""
        click.echo(message, err=True)


def json_option(command: F) -> F:
    """`--json` on a command; the command receives an `out: Output`."""
    option = click.option(
        "--json",
        "out",
        is_flag=True,
        help="Print one JSON document on stdout.",
        callback=lambda _ctx, _param, value: Output(bool(value)),
    )
    return option(command)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _dumps(data: Any) -> str:
    return json.dumps(_plain(data), indent=2, ensure_ascii=False)


def _readable(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def app_summary(app: App) -> dict[str, Any]:
    """What `apps list` shows of an app."""
    return {
        "id": app.id,
        "name": app.name,
        "has_secret_key": app.has_secret,
        "created_at": app.created_at,
        "updated_at": app.updated_at,
    }


def app_details(app: App) -> dict[str, Any]:
    """What `apps show` and `apps set` show: never a key or digest, only whether a key exists."""
    return {**app_summary(app), "settings": settings_to_dict(app.settings)}


USER_COLUMNS = ("id", "username", "email", "is_admin", "disabled", "email_verified", "created_at")


def user_json(user: User) -> dict[str, Any]:
    """A user as the CLI shows it; a user carries no password hash, so none can leak here."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "profile": dict(user.profile),
        "permission_level": user.permission_level,
        "is_admin": user.is_admin,
        "disabled": user.disabled,
        "email_verified": user.email_verified,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_signin_at": user.last_signin_at,
    }

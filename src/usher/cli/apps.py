"""`usher apps`: create, inspect and configure applications, and rotate their secret keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import click

from usher.cli.output import Output, app_details, app_summary, json_option
from usher.cli.runtime import run
from usher.container import Container
from usher.core.app_settings import valid_keys
from usher.core.models import App


@click.group()
def apps() -> None:
    """Applications: each has its own users, settings and secret key."""


@apps.command()
@click.argument("name")
@click.option("--id", "app_id", help="Choose the id (a-z 0-9 _ -); generated when omitted.")
@json_option
def create(name: str, app_id: str | None, out: Output) -> None:
    """Create an application and print its secret key (shown only this once)."""

    async def work(container: Container) -> tuple[App, str]:
        app, key = await container.services.apps.create(name, app_id)
        await container.services.keys.ensure(app.id)  # signs its tokens from the first request on
        return app, key

    app, key = run(work)
    out.object({"id": app.id, "name": app.name, "secret_key": key})
    out.note("Store the secret key now: usher keeps only a digest and cannot show it again.")


@apps.command("list")
@json_option
def list_(out: Output) -> None:
    """List the applications."""

    async def work(container: Container) -> list[App]:
        return await container.services.apps.list()

    found = run(work)
    out.rows([app_summary(app) for app in found], ("id", "name", "has_secret_key", "created_at"))


@apps.command()
@click.argument("app_id", metavar="ID")
@json_option
def show(app_id: str, out: Output) -> None:
    """Show an application and its settings."""

    async def work(container: Container) -> App:
        return await container.services.apps.get(app_id)

    out.object(app_details(run(work)))


def _pairs(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE; valid keys: {', '.join(valid_keys())}")
        settings[key.strip()] = value
    return settings


@apps.command("set")
@click.argument("app_id", metavar="ID")
@click.argument("settings", metavar="KEY=VALUE...", nargs=-1, required=True, callback=_pairs)
@json_option
def set_(app_id: str, settings: dict[str, str], out: Output) -> None:
    """Change settings (durations in seconds, lists comma-separated, an empty value unsets).

    Running servers pick the change up within two seconds. Keys: session_ttl, access_token_ttl,
    refresh_token_ttl, password_min_length, password_regex, require_verified_email, signup_open,
    mail_sender_name, mail_<purpose>_subject|text|html, redirect_urls, cors_origins.
    """

    async def work(container: Container) -> App:
        return await container.services.apps.configure(app_id, settings)

    out.object(app_details(run(work)))


@apps.command("rotate-secret")
@click.argument("app_id", metavar="ID")
@click.option("--grace", default=0, show_default=True, help="Seconds during which the old key keeps working.")
@json_option
def rotate_secret(app_id: str, grace: int, out: Output) -> None:
    """Issue a new secret key; print it (shown only this once)."""

    async def work(container: Container) -> tuple[str, datetime | None]:
        service = container.services.apps
        app = await service.get(app_id)  # a fresh container: nothing cached
        now = container.clock.now()
        key = await service.rotate_secret(app_id, grace)
        keeps_old = app.has_secret and grace > 0
        return key, now + timedelta(seconds=grace) if keeps_old else None

    key, previous_valid_until = run(work)
    result: dict[str, Any] = {"id": app_id, "secret_key": key, "previous_valid_until": previous_valid_until}
    out.object(result)
    out.note("Store the secret key now: usher keeps only a digest and cannot show it again.")

"""`usher db`: schema migrations (Alembic, shipped inside the package) and what a new database needs besides."""

from __future__ import annotations

import asyncio

import click

from usher.cli.output import Output, json_option
from usher.cli.runtime import current_settings
from usher.container import Container
from usher.settings import Settings
from usher.storage import migrate


@click.group()
def db() -> None:
    """Schema migrations."""


async def bootstrap(settings: Settings) -> int:
    """After migrating: every app gets a signing key (the `default` app included, SPEC §6.7); returns how many."""
    container = Container(settings)
    try:
        return await container.services.keys.ensure_all()
    finally:
        await container.close()


async def upgrade_and_bootstrap(settings: Settings) -> int:
    """Applies pending migrations, then bootstraps (`db upgrade`, and `serve` unless told not to migrate)."""
    await migrate.upgrade(settings.database_url)
    return await bootstrap(settings)


def _status(revision: str | None) -> dict[str, object]:
    head = migrate.head()
    return {"revision": revision, "head": head, "is_head": revision == head}


def _show(out: Output, status: dict[str, object]) -> None:
    if out.as_json:
        out.object(status)
    elif status["revision"] is None:
        click.echo("no revision: the database is empty (run `usher db upgrade`)")
    elif status["is_head"]:
        click.echo(f"{status['revision']} (head)")
    else:
        click.echo(f"{status['revision']} (behind head {status['head']}: run `usher db upgrade`)")


@db.command()
@json_option
def upgrade(out: Output) -> None:
    """Apply pending migrations (creates the `default` app, with a signing key, on a new database)."""
    settings = current_settings()

    async def work() -> tuple[str | None, int]:
        made = await upgrade_and_bootstrap(settings)
        return await migrate.current(settings.database_url), made

    revision, made = asyncio.run(work())
    _show(out, _status(revision))
    if made:
        out.note(f"made a signing key for {made} application{'s' if made > 1 else ''}")


@db.command()
@json_option
def current(out: Output) -> None:
    """Print the database's revision and whether it is the newest (head)."""
    url = current_settings().database_url
    _show(out, _status(asyncio.run(migrate.current(url))))

"""`usher db`: schema migrations (Alembic, shipped inside the package)."""

from __future__ import annotations

import asyncio

import click

from usher.cli.output import Output, json_option
from usher.cli.runtime import current_settings
from usher.storage import migrate


@click.group()
def db() -> None:
    """Schema migrations."""


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
    """Apply pending migrations (creates the `default` app on a new database)."""
    url = current_settings().database_url

    async def work() -> str | None:
        await migrate.upgrade(url)
        return await migrate.current(url)

    _show(out, _status(asyncio.run(work())))


@db.command()
@json_option
def current(out: Output) -> None:
    """Print the database's revision and whether it is the newest (head)."""
    url = current_settings().database_url
    _show(out, _status(asyncio.run(migrate.current(url))))

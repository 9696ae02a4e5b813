"""`usher keys`: JWT signing keys per app: rotate, list. Never prints private material."""

from __future__ import annotations

from typing import Any

import click

from usher.cli.output import Output, json_option
from usher.cli.runtime import run
from usher.container import Container
from usher.core.keys import ALGORITHMS
from usher.core.models import SigningKey

KEY_COLUMNS = ("kid", "alg", "created_at", "retired_at", "drop_at")


@click.group()
def keys() -> None:
    """JWT signing keys: one signs; retired ones stay in JWKS until their tokens have expired."""


def key_json(key: SigningKey) -> dict[str, Any]:
    """What the CLI shows of a key: names and times, nothing private."""
    return {
        "kid": key.kid,
        "alg": key.alg,
        "created_at": key.created_at,
        "retired_at": key.retired_at,
        "drop_at": key.drop_at,
    }


@keys.command()
@click.option("--app", "app_id", required=True, help="The application's id.")
@click.option("--alg", type=click.Choice(ALGORITHMS), help="Algorithm of the new key; default: the current one's.")
@json_option
def rotate(app_id: str, alg: str | None, out: Output) -> None:
    """Make a new signing key; older keys stop signing and leave JWKS once their tokens have expired."""

    async def work(container: Container) -> SigningKey:
        return await container.services.keys.rotate(app_id, alg)

    key = run(work)
    out.object({"app": app_id, "kid": key.kid, "alg": key.alg})


@keys.command("list")
@click.option("--app", "app_id", required=True, help="The application's id.")
@json_option
def list_(app_id: str, out: Output) -> None:
    """List the application's signing keys, newest first (the first without retired_at signs)."""

    async def work(container: Container) -> list[SigningKey]:
        return await container.services.keys.for_app(app_id)

    out.rows([key_json(key) for key in run(work)], KEY_COLUMNS)

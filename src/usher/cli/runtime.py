"""What every command shares: the settings (built once), one container per command run, and failures."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError

from usher.container import Container
from usher.core.models import RequestContext
from usher.settings import Settings
from usher.storage.engine import make_engine

T = TypeVar("T")

# What audit rows written by the CLI carry as the caller.
CLI_CONTEXT = RequestContext(client_address=None, user_agent="usher-cli")


class Failure(click.ClickException):
    """Something went wrong: click prints the message on stderr and exits with 1."""

    exit_code = 1


class BadValue(Failure):
    """A usage error or a bad value (an option, a setting, the configuration): exit 2."""

    exit_code = 2


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_input=False, include_url=False):  # never echo a value: it may be a secret
        name = "USHER_" + "_".join(str(part) for part in item["loc"][:1]).upper()
        lines.append(f"  {name}: {item['msg']}")
    return "invalid configuration:\n" + "\n".join(lines)


def load_settings() -> Settings:
    """Settings from the environment (and USHER_CONFIG); a bad value is a usage error."""
    try:
        return Settings()
    except ValidationError as exc:
        raise BadValue(_describe(exc)) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadValue(f"cannot read the USHER_CONFIG file: {exc}") from None


def current_settings() -> Settings:
    """The settings of this invocation, built on first use and kept on the root click context."""
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Settings):
        settings = load_settings()
        _check_database_url(settings.database_url)
        root.obj = settings
    return root.obj


def _check_database_url(url: str) -> None:
    """Builds (and drops) an engine, which connects to nothing but refuses a malformed URL."""
    try:
        make_engine(url, pool_size=1, timeout=1.0, pre_ping=False).sync_engine.dispose()
    except (ArgumentError, ValueError) as exc:
        raise BadValue(f"invalid USHER_DATABASE_URL: {exc}") from None


def run(work: Callable[[Container], Awaitable[T]]) -> T:
    """Runs `work` in one event loop with a fresh container, which is always closed."""
    settings = current_settings()

    async def main() -> T:
        container = Container(settings)
        try:
            return await work(container)
        finally:
            await container.close()

    return asyncio.run(main())

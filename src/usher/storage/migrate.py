"""Schema migrations (Alembic, shipped in storage/migrations) driven from code: upgrade, current, head.

Alembic is imported by the functions that use it: it costs about 11 MiB, which a serving worker never needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection

from usher.storage.engine import BEGIN_OPTION, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
# Session-level PostgreSQL advisory lock held around an upgrade, so that processes starting together
# migrate one after the other (the second finds nothing left to do).
ADVISORY_LOCK_KEY = 0x75_73_68_65_72  # "usher"
# Seconds to wait for a connection, or for SQLite's write lock while another process migrates.
_TIMEOUT = 60.0


def config(url: str | None = None) -> Config:
    """An Alembic configuration without an ini file.

    A new migration by hand: `alembic.command.revision(config(), message="...", rev_id="0002")`, then write
    its upgrade() explicitly (batch_alter_table for ALTERs, which SQLite does by copying the table).
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head() -> str:
    """The newest revision this code ships."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(config()).get_current_head()
    if revision is None:
        raise RuntimeError(f"no migrations found in {SCRIPT_LOCATION}")
    return revision


async def upgrade(url: str, revision: str = "head") -> None:
    """Applies pending migrations (up to `revision`); safe when several processes do it at once."""
    engine = make_engine(url, pool_size=1, timeout=_TIMEOUT, pre_ping=False, bounded_statements=False)
    try:
        async with engine.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
                await conn.commit()
            try:
                await conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})  # SQLite: one upgrader at a time
                async with conn.begin():
                    await conn.run_sync(_upgrade, revision)
            finally:
                if postgres:
                    await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                    await conn.commit()
    finally:
        await engine.dispose()


async def current(url: str) -> str | None:
    """The revision the database is at; None before the first upgrade."""
    engine = make_engine(url, pool_size=1, timeout=_TIMEOUT, pre_ping=False)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    cfg = config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()

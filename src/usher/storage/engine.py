"""The async engine: database URL to driver, SQLite pragmas and explicit BEGIN, PostgreSQL time-outs."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

# Execution option read by the `begin` event on SQLite: "IMMEDIATE" (write units), "DEFERRED", or None
# (no BEGIN at all: each statement commits by itself, used by read units).
BEGIN_OPTION = "usher_sqlite_begin"

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}


def async_url(url: str) -> URL:
    """`sqlite:///PATH` and `postgresql://...` (or `postgres://`) with the async driver filled in."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    driver = _DRIVERS.get(parsed.drivername, parsed.drivername)
    parsed = parsed.set(drivername=driver)
    if driver == "postgresql+asyncpg" and "sslmode" in parsed.query:
        # libpq's spelling, which asyncpg calls `ssl`
        query = dict(parsed.query)
        query["ssl"] = query.pop("sslmode")
        parsed = parsed.set(query=query)
    return parsed


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


class _WarningsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_DRIVER_LOGGERS = (
    "aiosqlite",
    "asyncpg",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool",
    "sqlalchemy.pool.impl.AsyncAdaptedQueuePool",
    "sqlalchemy.pool.impl.StaticPool",
    "sqlalchemy.pool.impl.NullPool",
    "sqlalchemy.dialects",
)
_WARNINGS_ONLY = _WarningsOnly()


def _quiet_driver_logs() -> None:
    """Drivers log statements with their parameters (password hashes, token digests) at DEBUG, and SQLAlchemy
    logs result rows. These loggers stay at WARNING, and a filter drops anything below it even if an operator
    turns their level down (a level alone would not hold)."""
    for name in _DRIVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if _WARNINGS_ONLY not in logger.filters:
            logger.addFilter(_WARNINGS_ONLY)


def make_engine(
    url: str,
    *,
    pool_size: int,
    timeout: float,
    pre_ping: bool = True,
    bounded_statements: bool = True,
) -> AsyncEngine:
    """An engine for `url` that never shows bound parameters in errors or logs.

    `timeout` (seconds) bounds connecting, waiting for a pooled connection, waiting for SQLite's write lock
    and, unless `bounded_statements` is False (migrations: a long index build is no outage), each
    PostgreSQL statement. `pre_ping` checks each pooled connection before use (costs a round trip or three
    on PostgreSQL; without it a connection the server dropped fails its first request with Unavailable).
    """
    _quiet_driver_logs()
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, pool_size, timeout)
    if parsed.drivername != "postgresql+asyncpg":
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://")
    return create_async_engine(
        parsed,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=timeout,
        pool_pre_ping=pre_ping,
        connect_args={"timeout": timeout, "command_timeout": timeout if bounded_statements else None},
    )


def _sqlite_engine(url: URL, pool_size: int, timeout: float) -> AsyncEngine:
    options: dict[str, Any] = {"hide_parameters": True}
    if url.database in (None, "", ":memory:"):
        options["poolclass"] = StaticPool  # one shared in-memory database
    else:
        options.update(pool_size=pool_size, max_overflow=0, pool_timeout=timeout)
    engine = create_async_engine(url, **options)
    busy_ms = max(1, int(timeout * 1000))

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (SQLAlchemy's recipe for pysqlite/aiosqlite), so that write units
        # can take the lock up front with BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        if mode is not None:
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine

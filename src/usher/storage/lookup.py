"""The session check's read path: one prepared statement straight through the driver, no unit of work.

Through a pooled SQLAlchemy connection a check costs a dozen hand-offs to aiosqlite's thread, a commit and a
pool-reset rollback (or a pre-ping round trip on PostgreSQL). Here it is the one indexed statement of
`storage.sessions`, compiled once for the engine's dialect:

- SQLite: one read connection per process, queried on the event loop. In WAL mode a read never waits for a
  writer, and an indexed point read takes tens of microseconds, less than a single hand-off to a thread. The
  connection has no busy timeout, so the rare busy answer (a checkpoint restarting the log) falls back to a
  unit of work instead of blocking the loop.
- PostgreSQL: a small asyncpg pool of its own, opened on first use: asyncpg prepares each statement once per
  connection; only single reads run on it, so a connection goes back to the pool without a reset round trip.

Nothing is cached: each check reads committed data, so a session revoked on any worker is refused at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.errors import Unavailable
from usher.core.models import AuthenticatedSession
from usher.core.ports import SessionLookup
from usher.core.sessions import UnitOfWorkLookup
from usher.storage import convert
from usher.storage.sessions import FIND_ACTIVE, GET_ACTIVE, authenticated
from usher.storage.uow import SqlUnitOfWorkFactory


class _Statement:
    """A Core statement as the driver's SQL text, with its named parameters in positional order."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names = tuple(compiled.positiontup or ())

    def args(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] for name in self.names]


class SqliteSessionLookup:
    """Reads on the event loop through a connection of its own; a busy database goes to `fallback`."""

    def __init__(self, path: str, dialect: Dialect, fallback: SessionLookup) -> None:
        self._path = path
        self._find = _Statement(FIND_ACTIVE, dialect)
        self._get = _Statement(GET_ACTIVE, dialect)
        self._fallback = fallback
        self._conn: sqlite3.Connection | None = None

    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        try:
            return self._read(self._find, {"digest": token_digest, "now": convert.to_ms(now)})
        except sqlite3.OperationalError:
            self.close()  # reopened by the next check
            return await self._fallback.find_active(token_digest, now)

    async def get_active(self, session_id: str, now: datetime) -> AuthenticatedSession | None:
        try:
            return self._read(self._get, {"session_id": session_id, "now": convert.to_ms(now)})
        except sqlite3.OperationalError:
            self.close()
            return await self._fallback.get_active(session_id, now)

    def _read(self, statement: _Statement, values: dict[str, Any]) -> AuthenticatedSession | None:
        cursor = self._connection().execute(statement.sql, statement.args(values))
        try:
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description]
        finally:
            cursor.close()
        return authenticated(None if row is None else dict(zip(names, row, strict=True)))

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # mode=rw: never create the file (a missing database is an error, not a new empty one).
            conn = sqlite3.connect(
                f"file:{self._path}?mode=rw", uri=True, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout = 0")
            conn.execute("PRAGMA query_only = 1")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def aclose(self) -> None:
        self.close()


class PostgresSessionLookup:
    """Reads through a small asyncpg pool of its own, each bounded by `deadline` seconds like a unit of work."""

    def __init__(
        self, connect_args: dict[str, Any], dialect: Dialect, *, deadline: float, timeout: float, pool_size: int
    ) -> None:
        self._connect_args = connect_args
        self._pool_size = pool_size
        self._find = _Statement(FIND_ACTIVE, dialect)
        self._get = _Statement(GET_ACTIVE, dialect)
        self._deadline = deadline
        self._timeout = timeout
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        return await self._read(self._find, {"digest": token_digest, "now": convert.to_ms(now)})

    async def get_active(self, session_id: str, now: datetime) -> AuthenticatedSession | None:
        return await self._read(self._get, {"session_id": session_id, "now": convert.to_ms(now)})

    async def _read(self, statement: _Statement, values: dict[str, Any]) -> AuthenticatedSession | None:
        pool = self._pool or await self._open()
        try:
            async with asyncio.timeout(self._deadline):
                conn = await pool.acquire()
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise Unavailable("the database is busy or unreachable") from error
        try:
            async with asyncio.timeout(self._deadline):
                row = await conn.fetchrow(statement.sql, *statement.args(values))
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            conn.terminate()  # a partition: do not wait for a cancel to be confirmed
            raise Unavailable("the database is busy or unreachable") from error
        finally:
            await pool.release(conn)
        return authenticated(None if row is None else dict(row))

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:  # the first checks arrive together; one pool
            if self._pool is None:
                pool = asyncpg.create_pool(
                    **self._connect_args,
                    min_size=0,
                    max_size=self._pool_size,
                    timeout=self._timeout,
                    command_timeout=self._timeout,
                    reset=_keep_state,
                )
                self._pool = await pool  # min_size=0: opens no connection yet
            return self._pool

    async def aclose(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.terminate()


async def _keep_state(_conn: asyncpg.Connection) -> None:
    """Nothing to reset: only single read statements outside a transaction run on these connections."""


def session_lookup(
    engine: AsyncEngine, uow: SqlUnitOfWorkFactory, *, timeout: float, pool_size: int = 4
) -> SessionLookup:
    """The fastest read path the engine's database allows, falling back to read units of work.

    `pool_size`: the most PostgreSQL connections it opens (on first use, closed after 5 idle minutes). A check
    holds one for a single round trip, so four keep a worker's loop busy; more only add server backends
    competing for the cores (measured: 2 connections per worker answered 20% more checks than 10).
    """
    fallback = UnitOfWorkLookup(uow)
    dialect = engine.dialect
    if dialect.name == "sqlite":
        path = engine.url.database
        if path in (None, "", ":memory:"):
            return fallback  # one shared in-memory database: only the engine's own connection sees it
        return SqliteSessionLookup(str(path), dialect, fallback)
    _args, params = dialect.create_connect_args(engine.url)
    params.pop("async_fallback", None)
    params.pop("prepared_statement_cache_size", None)
    return PostgresSessionLookup(dict(params), dialect, deadline=uow.deadline, timeout=timeout, pool_size=pool_size)

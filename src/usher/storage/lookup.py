"""The session check's read path: one prepared statement straight through the driver, no unit of work.

Through a pooled SQLAlchemy connection a check costs a dozen hand-offs to aiosqlite's thread, a commit and a
pool-reset rollback (or a pre-ping round trip on PostgreSQL). Here it is the one indexed statement of
`storage.sessions`, compiled once for the engine's dialect:

- SQLite: one read connection per process, queried on the event loop. In WAL mode a read never waits for a
  writer, and an indexed point read takes tens of microseconds, less than a single hand-off to a thread. The
  connection has no busy timeout, so the rare busy answer (a checkpoint restarting the log) falls back to a
  unit of work instead of blocking the loop.
- PostgreSQL: a few asyncpg connections of its own, opened on first use: asyncpg prepares each statement once per
  connection; only single reads run on them, so a connection is reused without a reset round trip.

Nothing is cached: each check reads committed data, so a session revoked on any worker is refused at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
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
        self.columns = tuple(statement.selected_columns.keys())  # the result's column names, in order

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
        finally:
            cursor.close()
        return authenticated(None if row is None else dict(zip(statement.columns, row, strict=True)))

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


class _Connections:
    """The few connections of the PostgreSQL lookup, opened on demand. asyncpg's own pool spends about as much
    CPU per checkout as the query itself (a shielded task per release, an idle timer per connection); a check that
    holds a connection for one round trip needs none of that."""

    def __init__(self, connect_args: dict[str, Any], size: int, timeout: float) -> None:
        self._connect_args = connect_args
        self._size = size
        self._timeout = timeout
        self._idle: list[asyncpg.Connection] = []
        self._open = 0  # open, being opened, or in use
        self._waiters: deque[asyncio.Future[asyncpg.Connection | None]] = deque()

    async def take(self) -> asyncpg.Connection:
        while True:
            while self._idle:
                conn = self._idle.pop()
                if not conn.is_closed():  # the server may have closed it meanwhile
                    return conn
                self._open -= 1
            if self._open < self._size:
                return await self._connect()
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                handed: asyncpg.Connection | None = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self.give(waiter.result())  # handed over just as our deadline struck: pass it on
                raise
            if handed is not None:
                return handed
            # None: a connection was dropped, so there is room to open one

    async def _connect(self) -> asyncpg.Connection:
        self._open += 1
        try:
            conn: asyncpg.Connection = await asyncpg.connect(
                **self._connect_args, timeout=self._timeout, command_timeout=self._timeout
            )
            return conn
        except BaseException:
            self._open -= 1
            self._hand(None)
            raise

    def give(self, conn: asyncpg.Connection) -> None:
        if conn.is_closed():
            self.drop(conn)
        elif not self._hand(conn):
            self._idle.append(conn)

    def drop(self, conn: asyncpg.Connection) -> None:
        """Closes a connection at once (no waiting for a cancel to be confirmed: it may be a partition)."""
        conn.terminate()
        self._open -= 1
        self._hand(None)

    def _hand(self, item: asyncpg.Connection | None) -> bool:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return True
        return False

    def close(self) -> None:
        for conn in self._idle:
            conn.terminate()
        self._idle.clear()


class PostgresSessionLookup:
    """Reads through a few connections of its own, each read bounded by `deadline` seconds like a unit of work."""

    def __init__(
        self, connect_args: dict[str, Any], dialect: Dialect, *, deadline: float, timeout: float, pool_size: int
    ) -> None:
        self._connections = _Connections(connect_args, pool_size, timeout)
        self._find = _Statement(FIND_ACTIVE, dialect)
        self._get = _Statement(GET_ACTIVE, dialect)
        self._deadline = deadline

    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        return await self._read(self._find, {"digest": token_digest, "now": convert.to_ms(now)})

    async def get_active(self, session_id: str, now: datetime) -> AuthenticatedSession | None:
        return await self._read(self._get, {"session_id": session_id, "now": convert.to_ms(now)})

    async def _read(self, statement: _Statement, values: dict[str, Any]) -> AuthenticatedSession | None:
        conn: asyncpg.Connection | None = None
        try:
            async with asyncio.timeout(self._deadline):  # one deadline for the checkout and the round trip
                conn = await self._connections.take()
                row = await conn.fetchrow(statement.sql, *statement.args(values))
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            if conn is not None:
                self._connections.drop(conn)
            raise Unavailable("the database is busy or unreachable") from error
        except BaseException:
            if conn is not None:
                self._connections.drop(conn)  # cancelled mid-query: its state is unknown
            raise
        self._connections.give(conn)
        return authenticated(None if row is None else dict(row))

    async def aclose(self) -> None:
        self._connections.close()


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

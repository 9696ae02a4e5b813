"""Units of work: one pooled connection and one transaction per block; a lost or locked database is Unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from usher.core.errors import InvalidInput, Unavailable, UsherError
from usher.core.ports import (
    AppRepository,
    AttributeRepository,
    AuditRepository,
    CodeRepository,
    OutboxRepository,
    RefreshTokenRepository,
    SessionRepository,
    SigningKeyRepository,
    UserRepository,
)
from usher.security.sealing import Sealer
from usher.storage.apps import SqlAppRepository
from usher.storage.attributes import SqlAttributeRepository
from usher.storage.audit import SqlAuditRepository
from usher.storage.codes import SqlCodeRepository
from usher.storage.engine import BEGIN_OPTION
from usher.storage.keys import SqlSigningKeyRepository
from usher.storage.outbox import SqlOutboxRepository
from usher.storage.refresh_tokens import SqlRefreshTokenRepository
from usher.storage.sessions import SqlSessionRepository
from usher.storage.users import SqlUserRepository

# SQLSTATE classes that say "try again later": connection exception, transaction rollback (serialization,
# deadlock), insufficient resources (too many connections), operator intervention (shutdown, cancel).
_TRANSIENT_SQLSTATES = ("08", "40", "53", "57")
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "unable to open database file", "disk i/o")


class SqlUnitOfWork:
    """The repositories of one transaction; `connection` lets further repositories join it."""

    def __init__(self, connection: AsyncConnection, sealer: Sealer, key_sealer: Sealer | None = None) -> None:
        self.connection = connection
        self.apps: AppRepository = SqlAppRepository(connection)
        self.users: UserRepository = SqlUserRepository(connection)
        self.sessions: SessionRepository = SqlSessionRepository(connection)
        self.audit: AuditRepository = SqlAuditRepository(connection)
        self.codes: CodeRepository = SqlCodeRepository(connection)
        self.outbox: OutboxRepository = SqlOutboxRepository(connection, sealer)
        self.keys: SigningKeyRepository = SqlSigningKeyRepository(connection, key_sealer or sealer)
        self.refresh_tokens: RefreshTokenRepository = SqlRefreshTokenRepository(connection)
        self.attributes: AttributeRepository = SqlAttributeRepository(connection)


class SqlUnitOfWorkFactory:
    """`async with factory(write=True) as uow:` commits when the block ends normally, rolls back otherwise.

    Write units take SQLite's write lock up front (BEGIN IMMEDIATE), so a read never has to upgrade to a
    write half-way; read units run without an explicit transaction (SQLite) or in autocommit (PostgreSQL).
    `sealer` seals the secrets of queued mail; `key_sealer` the private signing keys (the container derives it from
    the server secret under its own label; it defaults to `sealer`, which storage tests rely on).
    """

    def __init__(
        self, engine: AsyncEngine, sealer: Sealer, *, key_sealer: Sealer | None = None, deadline: float = 4.0
    ) -> None:
        self.engine = engine
        self.sealer = sealer
        self.key_sealer = key_sealer or sealer
        self.deadline = deadline
        self._sqlite = engine.dialect.name == "sqlite"

    def __call__(self, *, write: bool = False) -> AbstractAsyncContextManager[SqlUnitOfWork]:
        return self._unit(write)

    @asynccontextmanager
    async def _unit(self, write: bool) -> AsyncIterator[SqlUnitOfWork]:
        try:
            if self._sqlite:  # lock waits are bounded by busy_timeout; a file does not partition
                async with self.engine.connect() as conn:
                    await self._begin(conn, write)
                    yield SqlUnitOfWork(conn, self.sealer, self.key_sealer)
                    await conn.commit()
            else:
                async with self._bounded(write) as unit:
                    yield unit
        except UsherError:
            raise
        except Exception as error:
            if is_unavailable(error):
                raise Unavailable("the database is busy or unreachable") from error
            if _is_bad_data(error):
                # A value the database refuses (NUL in text, out-of-range number) that slipped past the edge's
                # guards is still the client's input: a 400, never a 500.
                raise InvalidInput("a value in the request cannot be stored") from error
            raise

    @asynccontextmanager
    async def _bounded(self, write: bool) -> AsyncIterator[SqlUnitOfWork]:
        """One deadline for checkout, every statement and the commit. A server that stops answering without
        closing the socket (a partition) would otherwise hold the request for several driver time-outs; on
        expiry the connection is dropped at once (no waiting for a cancel to be confirmed) and the caller
        gets Unavailable."""
        conn = self.engine.connect()
        try:
            async with asyncio.timeout(self.deadline):
                await conn.start()
                await self._begin(conn, write)
                yield SqlUnitOfWork(conn, self.sealer, self.key_sealer)
                await conn.commit()
        except TimeoutError:
            if conn.sync_connection is not None:
                await conn.invalidate()
            raise Unavailable("the database did not answer in time") from None
        finally:
            if conn.sync_connection is not None:  # never started: nothing to give back
                await conn.close()

    async def _begin(self, conn: AsyncConnection, write: bool) -> None:
        if self._sqlite:
            await conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE" if write else None})
            if write:
                await conn.begin()
        elif not write:
            await conn.execution_options(isolation_level="AUTOCOMMIT")


def is_unavailable(error: BaseException) -> bool:
    """True for errors that mean "the database is down, busy or too slow", never for programming errors."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient(current):
            return True
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return False


def _is_bad_data(error: BaseException) -> bool:
    """SQLSTATE class 22 (data exception) anywhere in the chain, or SQLite's integer overflow."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        sqlstate = getattr(current, "sqlstate", None) or getattr(getattr(current, "orig", None), "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith("22"):
            return True
        if isinstance(current, OverflowError):
            return True
        current = current.__cause__ or current.__context__
    return False


def _transient(error: BaseException) -> bool:
    if isinstance(error, TimeoutError | OSError | sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate[:2] in _TRANSIENT_SQLSTATES:
        return True
    if type(error).__module__ == "sqlite3" or isinstance(error, sa_exc.OperationalError):
        message = str(error).lower()
        return any(text in message for text in _SQLITE_TRANSIENT)
    return False

"""Rate counter rows: one atomic upsert per hit, each its own transaction (never inside a service's unit of work).

A hit is a single `INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING` that starts a new window when the
stored one has ended and adds one otherwise, so parallel hits on one key, from any number of processes, get
distinct counts. Keys arrive already digested (usher.limiting.keys); times are epoch milliseconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import bindparam, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from usher.storage.engine import BEGIN_OPTION, is_sqlite
from usher.storage.tables import rate_counters

_c = rate_counters.c


def _upsert(dialect: str) -> Any:
    """The hit statement for `dialect`; parameters :key, :now and :end (the new window's end)."""
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    ended = _c.window_end_ms <= bindparam("now")
    return (
        insert(rate_counters)
        .values(key=bindparam("key"), count=1, window_end_ms=bindparam("end"))
        .on_conflict_do_update(
            index_elements=[_c.key],
            set_={
                "count": case((ended, 1), else_=_c.count + 1),
                "window_end_ms": case((ended, bindparam("end")), else_=_c.window_end_ms),
            },
        )
        .returning(_c.count, _c.window_end_ms)
    )


_UNDO = update(rate_counters).where(_c.key == bindparam("k"), _c.count > 0).values(count=_c.count - 1)
_DELETE_ENDED = delete(rate_counters).where(_c.window_end_ms < bindparam("before"))


class SqlCounterStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sqlite = is_sqlite(engine)
        self._hit = _upsert(engine.dialect.name)

    async def hit(self, key: str, now_ms: int, window_ms: int) -> tuple[int, int]:
        """The count after adding one, and the end of the key's window (ms)."""
        async with self._transaction() as conn:
            result = await conn.execute(self._hit, {"key": key, "now": now_ms, "end": now_ms + window_ms})
            count, window_end_ms = result.one()
        return int(count), int(window_end_ms)

    async def undo(self, key: str) -> None:
        async with self._transaction() as conn:
            await conn.execute(_UNDO, {"k": key})

    async def delete_ended(self, before_ms: int) -> int:
        """Deletes counters whose window ended before `before_ms`; how many went."""
        async with self._transaction() as conn:
            result = await conn.execute(_DELETE_ENDED, {"before": before_ms})
        return int(result.rowcount)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection on which each statement is its own transaction: one statement, one round trip.

        SQLite runs a lone INSERT or UPDATE in an implicit transaction that takes the write lock when the
        statement starts (so busy_timeout applies, no read-to-write upgrade); PostgreSQL in autocommit likewise
        makes the single statement atomic.
        """
        async with self._engine.connect() as conn:
            if self._sqlite:
                await conn.execution_options(**{BEGIN_OPTION: None})
            else:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn
            await conn.commit()

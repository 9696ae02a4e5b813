"""Rate counter rows: one atomic statement per call, each its own transaction (never inside a service's unit of work).

A hit is a single `INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING` over one or more keys that starts a new
window where the stored one has ended and adds one otherwise, so parallel hits on one key, from any number of
processes, get distinct counts. Keys arrive already digested (usher.limiting.keys); times are epoch milliseconds.

Every statement that touches several rows takes their locks in key order (the hit's VALUES sorted, the others
through `SELECT ... ORDER BY key FOR UPDATE`), so two of them on PostgreSQL can never wait for each other in a
circle. SQLite locks the whole file and compiles FOR UPDATE to nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from usher.storage.engine import BEGIN_OPTION, is_sqlite
from usher.storage.tables import rate_counters

_c = rate_counters.c


@cache
def _upsert(dialect: str, rows: int) -> Any:
    """The hit statement for `rows` keys on `dialect`; parameters :now, :k<i> (a key) and :e<i> (the end of a new
    window for that key)."""
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement = insert(rate_counters).values(
        [{"key": bindparam(f"k{i}"), "count": 1, "window_end_ms": bindparam(f"e{i}")} for i in range(rows)]
    )
    ended = _c.window_end_ms <= bindparam("now")
    return statement.on_conflict_do_update(
        index_elements=[_c.key],
        set_={
            "count": case((ended, 1), else_=_c.count + 1),
            "window_end_ms": case((ended, statement.excluded.window_end_ms), else_=_c.window_end_ms),
        },
    ).returning(_c.key, _c.count, _c.window_end_ms)


def _locked(*conditions: Any) -> Any:
    """The keys of the rows matching `conditions`, locked in key order (PostgreSQL) before they are changed."""
    return select(_c.key).where(*conditions).order_by(_c.key).with_for_update()


_KEYS: Any = bindparam("keys", expanding=True)
_UNDO = (
    update(rate_counters)
    .where(_c.key.in_(_locked(_c.key.in_(_KEYS), _c.count > 0)), _c.count > 0)
    .values(count=_c.count - 1)
)
_CLEAR = delete(rate_counters).where(_c.key.in_(_locked(_c.key.in_(_KEYS))))
# The sweep skips rows that a hit holds (they are in use, so not stale), and so never waits for one.
_DELETE_ENDED = delete(rate_counters).where(
    _c.key.in_(
        select(_c.key).where(_c.window_end_ms < bindparam("before")).order_by(_c.key).with_for_update(skip_locked=True)
    )
)


class SqlCounterStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sqlite = is_sqlite(engine)

    async def hit(self, windows: Sequence[tuple[str, int]], now_ms: int) -> dict[str, tuple[int, int]]:
        """Adds one to each distinct key (with its window in ms); by key, the count after adding and the end of
        the key's window (ms)."""
        ordered = sorted(windows)
        params: dict[str, int | str] = {"now": now_ms}
        for i, (key, window_ms) in enumerate(ordered):
            params[f"k{i}"], params[f"e{i}"] = key, now_ms + window_ms
        async with self._transaction() as conn:
            result = await conn.execute(_upsert(self._engine.dialect.name, len(ordered)), params)
            rows = result.all()
        return {str(key): (int(count), int(window_end_ms)) for key, count, window_end_ms in rows}

    async def undo(self, keys: Sequence[str]) -> None:
        async with self._transaction() as conn:
            await conn.execute(_UNDO, {"keys": list(keys)})

    async def clear(self, keys: Sequence[str]) -> None:
        async with self._transaction() as conn:
            await conn.execute(_CLEAR, {"keys": list(keys)})

    async def delete_ended(self, before_ms: int) -> int:
        """Deletes counters whose window ended before `before_ms`; how many went."""
        async with self._transaction() as conn:
            result = await conn.execute(_DELETE_ENDED, {"before": before_ms})
        return int(result.rowcount)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection on which each statement is its own transaction: one statement, one round trip.

        SQLite runs a lone INSERT, UPDATE or DELETE in an implicit transaction that takes the write lock when the
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

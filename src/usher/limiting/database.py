"""Rate counters in the main database (SQLite or PostgreSQL): the default, shared by every node on it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from usher.limiting.keys import digest
from usher.limiting.resilient import ResilientCounter, log
from usher.storage.convert import from_ms, to_ms
from usher.storage.counters import SqlCounterStore

CLEANUP_EVERY = 1000  # hit calls between two sweeps of ended windows (per process)
KEEP_ENDED_MS = 3_600_000  # a window that ended less than an hour ago stays (harmless; saves churn)


class DatabaseCounter(ResilientCounter):
    """Each hit (of one key or several) is one atomic upsert in its own short transaction, outside any service's
    unit of work, so a failure is counted even when the request's own work rolls back. A database error falls
    back to memory."""

    backend = "database"

    def __init__(self, engine: AsyncEngine, *, backoff: float = 2.0, cleanup_every: int = CLEANUP_EVERY) -> None:
        super().__init__(backoff=backoff)
        self._store = SqlCounterStore(engine)
        if engine.dialect.name == "sqlite":
            self.deadline = None  # a file does not partition; lock waits are bounded by busy_timeout
        self._cleanup_every = cleanup_every
        self._hits = 0

    async def _close(self) -> None:
        """Nothing to do: the engine is the container's."""

    async def _hit(self, windows: Sequence[tuple[str, int]], now: datetime) -> list[tuple[int, datetime]]:
        now_ms = to_ms(now)
        stored = {digest(key): window * 1000 for key, window in windows}
        counted = await self._store.hit(list(stored.items()), now_ms)
        self._hits += 1
        if self._hits % self._cleanup_every == 0:
            await self._sweep(now_ms)
        return [(count, from_ms(window_end_ms)) for count, window_end_ms in map(counted.__getitem__, stored)]

    async def _sweep(self, now_ms: int) -> None:
        """Deletes windows that ended over an hour ago; a failure here must not undo the hit just counted."""
        try:
            await self._store.delete_ended(now_ms - KEEP_ENDED_MS)
        except Exception as error:
            log.warning("rate counters: sweeping ended windows failed (%s)", type(error).__name__)

    async def _undo(self, keys: Sequence[str]) -> None:
        await self._store.undo([digest(key) for key in keys])

    async def _clear(self, keys: Sequence[str]) -> None:
        await self._store.clear([digest(key) for key in keys])

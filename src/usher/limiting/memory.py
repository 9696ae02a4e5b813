"""Fixed-window counters in process memory: the fallback when Redis is away, and for single-process tests."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

_MAX_KEYS = 100_000
_SAME_WINDOW = 0.5  # seconds


class MemoryCounter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, datetime]] = {}
        self._lock = asyncio.Lock()

    async def hit(self, key: str, window: int, now: datetime) -> tuple[int, datetime]:
        return (await self.hit_many([(key, window)], now))[0]

    async def hit_many(self, windows: Sequence[tuple[str, int]], now: datetime) -> list[tuple[int, datetime]]:
        async with self._lock:
            return [self._hit(key, window, now) for key, window in windows]

    def remember(self, key: str, count: int, ends: datetime, now: datetime) -> None:
        """Keeps what a shared backend answered, so that counting here after an outage goes on from it.

        Answers of one window (ends within half a second: Redis reports it relative to each hit) keep the
        highest count, since parallel hits come back in any order; a different window replaces the old one.
        """
        known = self._windows.get(key)
        if known is not None and abs((known[1] - ends).total_seconds()) < _SAME_WINDOW:
            count = max(count, known[0])
        elif len(self._windows) >= _MAX_KEYS:
            self._forget_expired(now)
        self._windows[key] = (count, ends)

    async def undo(self, *keys: str) -> None:
        async with self._lock:
            for key in keys:
                if key in self._windows:
                    count, ends = self._windows[key]
                    self._windows[key] = (max(0, count - 1), ends)

    async def clear(self, *keys: str) -> None:
        async with self._lock:
            for key in keys:
                self._windows.pop(key, None)

    def _hit(self, key: str, window: int, now: datetime) -> tuple[int, datetime]:
        count, ends = self._windows.get(key, (0, now))
        if ends <= now:
            count, ends = 0, now + timedelta(seconds=window)
        count += 1
        if len(self._windows) >= _MAX_KEYS:
            self._forget_expired(now)
        self._windows[key] = (count, ends)
        return count, ends

    def _forget_expired(self, now: datetime) -> None:
        for key in [k for k, (_, ends) in self._windows.items() if ends <= now]:
            del self._windows[key]
        if len(self._windows) >= _MAX_KEYS:  # still full: a flood of distinct keys; start over rather than grow
            self._windows.clear()

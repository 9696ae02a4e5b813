"""Shared counters that keep limits holding in-process while their backend (database, Redis) is away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import Any, TypeVar

from usher.limiting.keys import loggable
from usher.limiting.memory import MemoryCounter

log = logging.getLogger("usher.limiting")
T = TypeVar("T")

_MESSAGE_MAX = 200


class ResilientCounter(ABC):
    """A RateCounter over a shared backend that never raises for an outage.

    While the backend answers, every hit, undo and clear goes there, and the process keeps a copy of the counts
    it was told in a MemoryCounter. When a call fails, that call and every later one are counted in the
    MemoryCounter, going on from the copy, so limits keep holding on this node. Every `backoff` seconds one hit
    is also sent to the backend in the background as a probe (no request waits for it); once a probe succeeds,
    counting returns to the backend. Only the calls in flight when an outage begins wait for the backend's
    time-out. Counts made in process are not merged back: after an outage a key goes on from what the backend
    kept.
    """

    backend = "shared"
    deadline: float | None = 0.75  # seconds a request waits for the backend before counting in process

    def __init__(self, *, backoff: float) -> None:
        self._fallback = MemoryCounter()
        self._backoff = backoff
        self._down = False
        self._retry_at = 0.0  # time.monotonic() after which a probe may start
        self._probe: asyncio.Task[None] | None = None
        self._overdue: set[asyncio.Future[Any]] = set()  # backend calls that outlived their deadline

    async def hit(self, key: str, window: int, now: datetime) -> tuple[int, datetime]:
        return (await self.hit_many([(key, window)], now))[0]

    async def hit_many(self, windows: Sequence[tuple[str, int]], now: datetime) -> list[tuple[int, datetime]]:
        if not windows:
            return []
        if not self._down:
            try:
                counts = await self._bounded(self._hit(windows, now))
            except Exception as error:  # any failure of the backend: the port promises not to raise
                self._failed("hit", windows[0][0], error)
            else:
                self._remember(windows, counts, now)
                return counts
        elif self._probe_due():
            self._probe = asyncio.create_task(self._run_probe(windows, now))
        return await self._fallback.hit_many(windows, now)

    async def undo(self, *keys: str) -> None:
        if keys and not self._down:
            try:
                await self._bounded(self._undo(keys))
            except Exception as error:
                self._failed("undo", keys[0], error)
        await self._fallback.undo(*keys)  # the copy follows

    async def clear(self, *keys: str) -> None:
        """Clears the keys in the backend and in the copy. During an outage only the copy is cleared: once the
        backend answers again, the keys go on from what it kept until their windows end."""
        if keys and not self._down:
            try:
                await self._bounded(self._clear(keys))
            except Exception as error:
                self._failed("clear", keys[0], error)
        await self._fallback.clear(*keys)

    async def _bounded(self, call: Coroutine[Any, Any, T]) -> T:
        """The backend's answer within `deadline`; past it, TimeoutError while the call finishes in the
        background (it is not cancelled: a cancelled database call can hang in its own clean-up, and no request
        may wait for that)."""
        if self.deadline is None:
            return await call
        task = asyncio.ensure_future(call)
        done, _ = await asyncio.wait({task}, timeout=self.deadline)
        if not done:
            self._overdue.add(task)
            task.add_done_callback(self._overdue.discard)
            task.add_done_callback(_ignore_result)
            raise TimeoutError(f"no answer within {self.deadline} s")
        return task.result()

    @property
    def degraded(self) -> bool:
        """True while counting in process because the backend failed."""
        return self._down

    async def close(self) -> None:
        """Stops a running probe and releases what the counter opened (it must not be used afterwards)."""
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
        if self._overdue:  # let late backend calls finish (bounded) so their connections go back first
            await asyncio.wait(set(self._overdue), timeout=5)
        await self._close()

    @abstractmethod
    async def _hit(self, windows: Sequence[tuple[str, int]], now: datetime) -> list[tuple[int, datetime]]:
        """Counts in the backend, answers in the order of `windows`; raises when the backend fails."""

    @abstractmethod
    async def _undo(self, keys: Sequence[str]) -> None: ...

    @abstractmethod
    async def _clear(self, keys: Sequence[str]) -> None: ...

    @abstractmethod
    async def _close(self) -> None: ...

    def _probe_due(self) -> bool:
        if (self._probe is not None and not self._probe.done()) or time.monotonic() < self._retry_at:
            return False
        self._retry_at = time.monotonic() + self._backoff
        return True

    async def _run_probe(self, windows: Sequence[tuple[str, int]], now: datetime) -> None:
        """Counts the hits in the backend too (a hit counted twice errs on the safe side)."""
        try:
            counts = await self._hit(windows, now)
        except Exception:
            self._retry_at = time.monotonic() + self._backoff
            return
        self._remember(windows, counts, now)
        self._down = False
        log.info("rate counters: %s answers again; counting there", self.backend)

    def _remember(self, windows: Sequence[tuple[str, int]], counts: list[tuple[int, datetime]], now: datetime) -> None:
        for (key, _), (count, ends) in zip(windows, counts, strict=True):
            self._fallback.remember(key, count, ends, now)

    def _failed(self, operation: str, key: str, error: Exception) -> None:
        self._retry_at = time.monotonic() + self._backoff
        if self._down:
            return
        self._down = True
        message = str(error).replace("\n", " ")[:_MESSAGE_MAX]
        log.warning(
            "rate counters: %s %s failed for key %s (%s: %s); counting in process, retrying every %.0f s",
            self.backend,
            operation,
            loggable(key),
            type(error).__name__,
            message,
            self._backoff,
        )


def _ignore_result(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not warn about it

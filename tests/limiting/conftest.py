"""Limiter fixtures: every test here runs once per counter backend (SQLite, PostgreSQL, Redis).

counter_backend   "sqlite" | "postgresql" | "redis" (Redis counters on a SQLite database); test_counters adds
                  "memory" (MemoryBackend below)
database_url      the migrated test database of that backend (SQLite for "redis")
redis_prefix      a key prefix of this test's own (Redis only); its keys are deleted afterwards
make_counter      a new counter of the backend, like a node of its own; closed (and its engine disposed) after
make_container    a Container whose limiter counts in the backend; closed after the test
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack
from datetime import datetime

import pytest

from tests import databases
from tests.limiting import redis_support
from usher.container import Container
from usher.core.ports import Clock
from usher.limiting.database import DatabaseCounter
from usher.limiting.memory import MemoryCounter
from usher.limiting.redis import RedisCounter
from usher.limiting.resilient import ResilientCounter
from usher.settings import Settings
from usher.storage.engine import make_engine

COUNTER_BACKENDS = (
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    pytest.param("redis", id="redis", marks=pytest.mark.redis),
)

PATIENT = 5.0  # seconds: the Redis time-out of the counting tests

MakeCounter = Callable[[], ResilientCounter]
MakeContainer = Callable[..., Container]


class MemoryBackend(ResilientCounter):
    """A node whose shared backend is a MemoryCounter of the test's: the counter contract of MemoryCounter (the
    in-process fallback of every node) through the same wrapper as the real backends."""

    backend = "memory"

    def __init__(self, shared: MemoryCounter) -> None:
        super().__init__(backoff=1.0)
        self._shared = shared

    async def _hit(self, windows: Sequence[tuple[str, int]], now: datetime) -> list[tuple[int, datetime]]:
        return await self._shared.hit_many(windows, now)

    async def _undo(self, keys: Sequence[str]) -> None:
        await self._shared.undo(*keys)

    async def _clear(self, keys: Sequence[str]) -> None:
        await self._shared.clear(*keys)

    async def _close(self) -> None:
        """Nothing to release."""


@pytest.fixture(params=COUNTER_BACKENDS)
def counter_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(counter_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if counter_backend == "redis":
        redis_support.require_redis()
    database = "postgresql" if counter_backend == "postgresql" else "sqlite"
    async with databases.database_for(database, tmp_path_factory) as url:
        yield url


@pytest.fixture
async def redis_prefix(counter_backend: str) -> AsyncIterator[str]:
    prefix = redis_support.unique_prefix()
    yield prefix
    if counter_backend == "redis":
        await redis_support.delete_prefixed(redis_support.shared_url(), prefix)


@pytest.fixture
async def make_counter(counter_backend: str, database_url: str, redis_prefix: str) -> AsyncIterator[MakeCounter]:
    shared_memory = MemoryCounter()
    async with AsyncExitStack() as stack:

        def make() -> ResilientCounter:
            counter: ResilientCounter
            if counter_backend == "memory":
                counter = MemoryBackend(shared_memory)
            elif counter_backend == "redis":
                counter = RedisCounter(redis_support.shared_url(), prefix=redis_prefix, timeout=PATIENT)
            else:
                engine = make_engine(database_url, pool_size=5, timeout=5)
                stack.push_async_callback(engine.dispose)
                counter = DatabaseCounter(engine)
            if counter.deadline is not None:
                # Counting, not the outage fallback, is under test here: a loaded machine can lag the event loop
                # past the production deadline (test_redis_outage and test_database_counter cover what follows).
                counter.deadline = PATIENT
            stack.push_async_callback(counter.close)
            return counter

        yield make


@pytest.fixture
async def make_container(counter_backend: str, redis_prefix: str) -> AsyncIterator[MakeContainer]:
    """`make_container(settings, clock=None)`: the backend's counter, as the container would build it, except
    that Redis keys carry this test's prefix and Redis gets a patient time-out: these tests are about counting,
    and a loaded test machine can lag the event loop past the production time-out (test_redis_outage covers
    what happens then, with the defaults)."""
    async with AsyncExitStack() as stack:

        def make(settings: Settings, clock: Clock | None = None) -> Container:
            counter = None
            if counter_backend == "redis":
                counter = RedisCounter(redis_support.shared_url(), prefix=redis_prefix, timeout=PATIENT)
            container = Container(settings, clock=clock, rate_counter=counter)
            stack.push_async_callback(container.close)
            return container

        yield make

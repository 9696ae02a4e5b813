"""The database counter: digests at rest, sweeping ended windows, and counting in process when the database fails."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import databases
from usher.limiting.database import DatabaseCounter
from usher.limiting.keys import digest, loggable
from usher.storage.engine import make_engine
from usher.storage.tables import rate_counters


@pytest.fixture(params=databases.BACKENDS)
def counter_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_rows_hold_the_key_digest_not_the_key(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, timeout=5)
    try:
        key = "signin:addr:default:198.51.100.4"
        await DatabaseCounter(engine).hit(key, 60, datetime.now(UTC))
        async with engine.connect() as conn:
            stored = list((await conn.execute(select(rate_counters.c.key))).scalars())
        assert stored == [digest(key)]
    finally:
        await engine.dispose()


async def test_every_thousandth_hit_deletes_windows_that_ended_over_an_hour_ago(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, timeout=5)
    try:
        counter = DatabaseCounter(engine, cleanup_every=4)
        start = datetime.now(UTC)
        await counter.hit("old", 60, start)
        await counter.hit("recent", 60, start + timedelta(minutes=30))
        later = start + timedelta(hours=1, minutes=2)  # "old" ended 61 minutes before, "recent" 31
        await counter.hit("now", 60, later)
        assert await _rows(engine) == 3
        await counter.hit("now", 60, later)  # the fourth hit sweeps
        async with engine.connect() as conn:
            kept = set((await conn.execute(select(rate_counters.c.key))).scalars())
        assert kept == {digest("recent"), digest("now")}
    finally:
        await engine.dispose()


async def test_database_failure_counts_in_process_and_logs_no_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = make_engine(f"sqlite:///{tmp_path / 'missing' / 'usher.db'}", pool_size=1, timeout=1)
    key = f"signin:subj:default:{uuid.uuid4().hex}@example.com"
    try:
        counter = DatabaseCounter(broken)
        now = datetime.now(UTC)
        with caplog.at_level(logging.WARNING, logger="usher.limiting"):
            counts = [(await counter.hit(key, 60, now))[0] for _ in range(3)]
            await counter.undo(key)
            assert (await counter.hit(key, 60, now))[0] == 3
        assert counts == [1, 2, 3]
        assert counter.degraded
        assert len(caplog.records) == 1, caplog.text  # once per outage, not per hit
        assert key not in caplog.text and key.split(":")[-1] not in caplog.text
        assert loggable(key) in caplog.text
    finally:
        await broken.dispose()


async def test_database_failure_goes_on_counting_from_the_last_counts_seen(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, timeout=5)
    try:
        counter, now = DatabaseCounter(engine), datetime.now(UTC)
        assert [(await counter.hit("k", 60, now))[0] for _ in range(3)] == [1, 2, 3]
        await counter.undo("k")
        counter._store = _FailingStore()  # type: ignore[assignment]
        assert [(await counter.hit("k", 60, now))[0] for _ in range(2)] == [3, 4]
        assert counter.degraded
    finally:
        await engine.dispose()


async def test_database_back_after_a_failure_is_used_again_after_a_background_probe(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, timeout=5)
    try:
        counter = DatabaseCounter(engine, backoff=0.0)
        store = counter._store
        counter._store = _FailingStore()  # type: ignore[assignment]
        now = datetime.now(UTC)
        assert (await counter.hit("k", 60, now))[0] == 1  # in process
        assert counter.degraded
        counter._store = store
        assert (await counter.hit("k", 60, now))[0] == 2  # still in process; a probe counts it in the database
        await _settled(counter)
        assert not counter.degraded
        assert (await counter.hit("k", 60, now))[0] == 2  # the database had counted only the probe
    finally:
        await engine.dispose()


async def test_clear_while_the_database_fails_clears_the_count_kept_in_process(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, timeout=5)
    try:
        counter, now = DatabaseCounter(engine), datetime.now(UTC)
        assert [(await counter.hit("k", 60, now))[0] for _ in range(2)] == [1, 2]
        counter._store = _FailingStore()  # type: ignore[assignment]
        await counter.clear("k")  # fails in the database: counting moves in process, where "k" is cleared
        assert counter.degraded
        assert (await counter.hit("k", 60, now))[0] == 1
        await counter.clear("k")  # already counting in process
        assert (await counter.hit("k", 60, now))[0] == 1
    finally:
        await engine.dispose()


async def _settled(counter: DatabaseCounter) -> None:
    for _ in range(100):
        if not counter.degraded:
            return
        await asyncio.sleep(0.01)


class _FailingStore:
    async def hit(self, windows: Sequence[tuple[str, int]], now_ms: int) -> dict[str, tuple[int, int]]:
        raise OSError("connection refused")

    async def undo(self, keys: Sequence[str]) -> None:
        raise OSError("connection refused")

    async def clear(self, keys: Sequence[str]) -> None:
        raise OSError("connection refused")


async def _rows(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count: int = (await conn.execute(select(func.count()).select_from(rate_counters))).scalar_one()
        return count

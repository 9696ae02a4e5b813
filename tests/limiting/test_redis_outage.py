"""Redis going away: requests keep answering at full speed, limits keep holding in process, Redis is used again
once it is back. Each test runs a redis-server of its own (or a socket that never answers) and kills it."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import test_settings as settings_for
from tests.limiting.conftest import MakeContainer
from tests.limiting.http import PASSWORD, WRONG, Verifications, client_of, sign_in, sign_up
from tests.limiting.redis_support import PrivateRedis, free_port, private_redis
from usher.limiting.keys import loggable
from usher.limiting.redis import RedisCounter


@pytest.fixture
def counter_backend() -> str:
    return "sqlite"  # the database of these tests; the counters live in a private Redis


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    with private_redis(tmp_path) as server:
        yield server


@pytest.fixture
def silent_socket() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers: a partitioned Redis."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


async def test_redis_killed_mid_test_requests_keep_answering_and_the_lock_out_holds_in_process(
    database_url: str, make_container: MakeContainer, redis_server: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(
        database_url, redis_url=redis_server.url, limit_signin_per_address=1000, limit_signin_per_account=3
    )
    container = make_container(settings)
    assert isinstance(container.rate_counter, RedisCounter)
    checked = Verifications()
    async with client_of(settings, container) as api:
        await sign_up(api)
        checked.watch(container, monkeypatch)
        assert [(await sign_in(api, WRONG)).status_code for _ in range(2)] == [401, 401]
        assert checked.count == 2 and not container.rate_counter.degraded
        redis_server.kill()
        started = time.monotonic()
        statuses = [(await sign_in(api, WRONG)).status_code for _ in range(10)]
        assert time.monotonic() - started < 1.0  # ten sign-ins; Redis is not waited for
        assert statuses == [401] * 10
        assert container.rate_counter.degraded
        assert checked.count == 3  # in process, counting went on from the two that Redis had counted
        assert (await sign_in(api, PASSWORD)).status_code == 401  # still locked
        await sign_up(api, "grace@example.com")  # other limited paths answer too (201)


async def test_redis_killed_mid_test_a_flooding_address_still_gets_429(
    database_url: str, make_container: MakeContainer, redis_server: PrivateRedis
) -> None:
    settings = settings_for(database_url, redis_url=redis_server.url, limit_signin_per_address=3)
    async with client_of(settings, make_container(settings)) as api:
        assert (await sign_in(api, WRONG, "a@example.com")).status_code == 401
        redis_server.kill()
        statuses = [(await sign_in(api, WRONG, f"u{n}@example.com")).status_code for n in range(4)]
        assert statuses == [401, 401, 429, 429]  # in process, going on from the one Redis had counted


async def test_redis_back_after_an_outage_is_used_again(tmp_path: Path) -> None:
    port = free_port()
    now = datetime.now(UTC)
    with private_redis(tmp_path / "first", port) as first:
        counter = RedisCounter(first.url, backoff=0.1)
        try:
            assert (await counter.hit("k", 60, now))[0] == 1
            first.kill()
            assert (await counter.hit("k", 60, now))[0] == 2  # in process, going on from what Redis said
            assert counter.degraded
            with private_redis(tmp_path / "second", port):  # back, empty (no persistence)
                await asyncio.sleep(0.15)
                assert (await counter.hit("k", 60, now))[0] == 3  # in process; a probe counts it in Redis
                for _ in range(100):
                    if not counter.degraded:
                        break
                    await asyncio.sleep(0.01)
                assert not counter.degraded
                assert (await counter.hit("k", 60, now))[0] == 2  # Redis again: the probe, then this hit
        finally:
            await counter.close()


async def test_unanswering_redis_costs_one_time_out_then_counts_in_process_at_once(
    silent_socket: int, caplog: pytest.LogCaptureFixture
) -> None:
    counter = RedisCounter(f"redis://127.0.0.1:{silent_socket}/0", timeout=0.3)
    key = "signin:addr:default:192.0.2.55"
    now = datetime.now(UTC)
    try:
        with caplog.at_level(logging.WARNING, logger="usher.limiting"):
            started = time.monotonic()
            assert (await counter.hit(key, 60, now))[0] == 1
            first = time.monotonic() - started
            started = time.monotonic()
            counts = [(await counter.hit(key, 60, now))[0] for _ in range(50)]
            rest = time.monotonic() - started
        assert 0.25 <= first < 1.0
        assert rest < 0.2  # no request waits for Redis during the back-off
        assert counts == list(range(2, 52))
        assert len(caplog.records) == 1
        assert "192.0.2.55" not in caplog.text and loggable(key) in caplog.text
    finally:
        await counter.close()


async def test_refused_redis_counts_in_process_without_delay() -> None:
    counter = RedisCounter(f"redis://127.0.0.1:{free_port()}/0")
    now = datetime.now(UTC)
    try:
        started = time.monotonic()
        counts = [(await counter.hit("k", 60, now))[0] for _ in range(5)]
        await counter.undo("k")
        assert (await counter.hit("k", 60, now))[0] == 5
        assert time.monotonic() - started < 0.5
        assert counts == [1, 2, 3, 4, 5]
    finally:
        await counter.close()

"""PostgreSQL lost under load: every request answers 503 within 5 s (the native error with Retry-After), none
hangs, none is a 500, and the same `usher serve` process serves again once the database is back.

Two ways to lose it: a private cluster stopped with `pg_ctl stop` (fast: sessions end with an error; immediate:
a crash), and a network partition from the shared server through a TCP proxy that drops every byte.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.faults.pgcluster import Cluster, private_cluster
from tests.faults.support import NATIVE, PASSWORD, Call, servers, shared_postgres, signup_body, timed, usher_env
from tests.faults.tcpproxy import tcp_proxy

DEADLINE = 5.0  # every answer during an outage within this many seconds
OUTAGE = 2.5
PARTITION = 10.0  # long enough for requests that start during it to end (within DEADLINE) in it
RECOVERY = 15.0
CLIENTS = 4
PROBE = "probe@example.com"
_emails = itertools.count()


@dataclass
class Timeline:
    cut_started: float = 0.0
    cut_done: float = 0.0
    restore_started: float = 0.0
    calls: list[Call] = field(default_factory=list)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with private_cluster() as running:
        yield running


async def _drive(base_url: str, stop: asyncio.Event, calls: list[Call]) -> None:
    """CLIENTS loops of sign-up (a write), sign-in (a read and a write) and readiness, until `stop`."""
    async with httpx.AsyncClient(base_url=base_url, timeout=3 * DEADLINE) as client:

        async def loop() -> None:
            while not stop.is_set():
                email = f"load-{next(_emails)}@example.com"
                calls.append(await timed(client, "POST", f"{NATIVE}/signup", json=signup_body(email)))
                login = {"login": PROBE, "password": PASSWORD}
                calls.append(await timed(client, "POST", f"{NATIVE}/signin", json=login))
                calls.append(await timed(client, "GET", "/readyz"))

        await asyncio.gather(*(loop() for _ in range(CLIENTS)))


def _ok(call: Call) -> bool:
    return call.status in (200, 201)


async def _outage(
    base_url: str, cut: Callable[[], Awaitable[None]], restore: Callable[[], Awaitable[None]], outage: float
) -> Timeline:
    """Load, cut, `outage` seconds, restore, load until requests succeed again (then one more second)."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        assert (await client.post(f"{NATIVE}/signup", json=signup_body(PROBE))).status_code == 201
    line, stop = Timeline(), asyncio.Event()
    load = asyncio.create_task(_drive(base_url, stop, line.calls))
    try:
        await asyncio.sleep(0.5)
        line.cut_started = time.monotonic()
        await cut()
        line.cut_done = time.monotonic()
        await asyncio.sleep(outage)
        line.restore_started = time.monotonic()
        await restore()
        deadline = time.monotonic() + RECOVERY
        while not any(_ok(c) and c.started > line.restore_started for c in line.calls):
            assert time.monotonic() < deadline, "usher did not recover after the database came back"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    finally:
        stop.set()
        await load
    return line


def _describe(line: Timeline) -> str:
    """The calls relative to the cut, for failure messages."""
    rows = [
        f"{c.started - line.cut_started:+7.2f}s {c.seconds:6.2f}s {c.status} {c.path}"
        for c in sorted(line.calls, key=lambda c: c.started)
        if c.ended > line.cut_started - 0.5
    ]
    return f"restore at {line.restore_started - line.cut_started:+.2f}s\n" + "\n".join(rows)


def _assert_outage_behaviour(line: Timeline) -> None:
    calls = line.calls
    assert [c for c in calls if c.status is None] == [], "a request got no answer"
    assert [c for c in calls if c.status == 500] == []
    assert [c for c in calls if c.ended < line.cut_started and not _ok(c)] == [], "failures before the cut"
    # Requests in flight when the database went away end within the deadline, as successes or 503s.
    in_flight = [c for c in calls if c.started < line.cut_done < c.ended]
    assert [c for c in in_flight if not (_ok(c) or c.status == 503)] == []
    late = [c for c in in_flight if c.ended - max(c.started, line.cut_started) >= DEADLINE]
    assert late == [], _describe(line)
    # Requests made while it was gone: each a 503 within the deadline.
    during = [c for c in calls if line.cut_done <= c.started and c.ended <= line.restore_started]
    # Which paths fall wholly inside the cut depends on scheduling: demand the readiness check and an API call.
    paths = {c.path for c in during}
    assert "/readyz" in paths and paths & {f"{NATIVE}/signup", f"{NATIVE}/signin"}, _describe(line)
    assert [(c.path, c.status) for c in during if c.status != 503] == []
    slow = sorted(round(c.seconds, 2) for c in during if c.seconds >= DEADLINE)
    assert slow == [], _describe(line)
    for call in during:
        if call.path.startswith(NATIVE):
            assert call.native_error_code() == "unavailable", call.body
            assert call.retry_after is not None and call.retry_after.isdigit(), call
    # Back: once a request succeeds again, every later one does (no restart, no stale pooled connections).
    first = min(c.started for c in calls if _ok(c) and c.started > line.restore_started)
    after = [c for c in calls if c.started > first + 0.5]
    assert after, "too few samples after recovery"
    assert [(c.path, c.status, c.body) for c in after if not _ok(c)] == []


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_postgres_stopped_mid_load_answers_503_within_5s_and_recovers_without_restart(
    cluster: Cluster, tmp_path: Path, mode: str
) -> None:
    with servers(tmp_path) as running:
        server = running.start(usher_env(await cluster.create_database(f"outage_{mode}")))

        async def cut() -> None:
            await asyncio.to_thread(cluster.stop, mode)

        async def restore() -> None:
            await asyncio.to_thread(cluster.start)

        line = await _outage(server.url, cut, restore, OUTAGE)
        assert server.process.poll() is None, "the server died"
    _assert_outage_behaviour(line)


@pytest.mark.postgres
async def test_postgres_partitioned_mid_load_answers_503_within_5s_and_recovers_without_restart(
    tmp_path: Path,
) -> None:
    shared = make_url(await shared_postgres())
    with tcp_proxy(shared.host or "127.0.0.1", shared.port or 5432) as proxy, servers(tmp_path) as running:
        via_proxy = shared.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        server = running.start(usher_env(via_proxy))

        async def cut() -> None:
            proxy.blackhole()

        async def restore() -> None:
            proxy.restore()

        line = await _outage(server.url, cut, restore, PARTITION)
        assert server.process.poll() is None, "the server died"
    _assert_outage_behaviour(line)

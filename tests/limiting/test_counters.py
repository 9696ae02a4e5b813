"""Counter semantics, the same on every backend: fixed windows, several keys at once, undo, clear, and atomic
counts under parallel hits."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.limiting.conftest import COUNTER_BACKENDS, MakeCounter
from usher.limiting.resilient import ResilientCounter

WINDOW = 60


@pytest.fixture(params=(*COUNTER_BACKENDS, pytest.param("memory", id="memory")))
def counter_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def test_first_hit_counts_one_and_starts_the_window(make_counter: MakeCounter) -> None:
    counter, now = make_counter(), datetime.now(UTC)
    count, ends = await counter.hit(_key(), WINDOW, now)
    assert count == 1
    assert now + timedelta(seconds=WINDOW - 1) < ends <= now + timedelta(seconds=WINDOW)
    assert not counter.degraded


async def test_hits_within_the_window_count_up_and_keep_its_end(make_counter: MakeCounter) -> None:
    counter, key, now = make_counter(), _key(), datetime.now(UTC)
    _, first_end = await counter.hit(key, WINDOW, now)
    results = [await counter.hit(key, WINDOW, now) for _ in range(3)]
    assert [count for count, _ in results] == [2, 3, 4]
    for _, ends in results:
        assert abs((ends - first_end).total_seconds()) < 0.5


async def test_keys_count_apart(make_counter: MakeCounter) -> None:
    counter, now = make_counter(), datetime.now(UTC)
    one, other = _key(), _key()
    await counter.hit(one, WINDOW, now)
    await counter.hit(one, WINDOW, now)
    assert (await counter.hit(other, WINDOW, now))[0] == 1
    assert (await counter.hit(one, WINDOW, now))[0] == 3


async def test_hit_after_the_window_ended_starts_a_new_window(make_counter: MakeCounter, counter_backend: str) -> None:
    counter, key = make_counter(), _key()
    if counter_backend == "redis":  # Redis expires keys by its own clock: a one-second window, really waited out
        await counter.hit(key, 1, datetime.now(UTC))
        assert (await counter.hit(key, 1, datetime.now(UTC)))[0] == 2
        await asyncio.sleep(1.05)
        now = datetime.now(UTC)
        count, ends = await counter.hit(key, 1, now)
    else:  # the database follows the injected clock
        start = datetime.now(UTC)
        await counter.hit(key, WINDOW, start)
        assert (await counter.hit(key, WINDOW, start + timedelta(seconds=WINDOW - 1)))[0] == 2
        now = start + timedelta(seconds=WINDOW)
        count, ends = await counter.hit(key, WINDOW, now)
    assert count == 1
    assert ends > now


async def test_undo_takes_one_back_but_not_below_zero(make_counter: MakeCounter) -> None:
    counter, key, now = make_counter(), _key(), datetime.now(UTC)
    for _ in range(3):
        await counter.hit(key, WINDOW, now)
    await counter.undo(key)
    assert (await counter.hit(key, WINDOW, now))[0] == 3
    for _ in range(5):
        await counter.undo(key)
    assert (await counter.hit(key, WINDOW, now))[0] == 1
    await counter.undo(_key())  # an unknown key: nothing to take back, no error
    assert not counter.degraded


async def test_two_hundred_parallel_hits_on_one_key_get_each_count_once(make_counter: MakeCounter) -> None:
    counter, key, now = make_counter(), _key(), datetime.now(UTC)
    results = await asyncio.gather(*(counter.hit(key, WINDOW, now) for _ in range(200)))
    assert sorted(count for count, _ in results) == list(range(1, 201))
    assert not counter.degraded


async def test_counters_are_shared_between_two_nodes(make_counter: MakeCounter) -> None:
    first, second, key, now = make_counter(), make_counter(), _key(), datetime.now(UTC)
    counts = await asyncio.gather(*(node.hit(key, WINDOW, now) for node in [first, second] * 50))
    assert sorted(count for count, _ in counts) == list(range(1, 101))
    await second.undo(key)
    assert (await first.hit(key, WINDOW, now))[0] == 100


async def test_hit_many_counts_each_key_in_its_own_window(make_counter: MakeCounter) -> None:
    counter, short, long, now = make_counter(), _key(), _key(), datetime.now(UTC)
    await counter.hit(short, WINDOW, now)
    (short_count, short_end), (long_count, long_end) = await counter.hit_many(
        [(short, WINDOW), (long, 10 * WINDOW)], now
    )
    assert (short_count, long_count) == (2, 1)
    assert short_end <= now + timedelta(seconds=WINDOW) < now + timedelta(seconds=9 * WINDOW) < long_end
    assert (await counter.hit(long, 10 * WINDOW, now))[0] == 2
    assert await counter.hit_many([], now) == []


async def test_undo_takes_one_back_from_each_key(make_counter: MakeCounter) -> None:
    counter, now = make_counter(), datetime.now(UTC)
    windows = [(_key(), WINDOW), (_key(), 2 * WINDOW)]
    for _ in range(2):
        await counter.hit_many(windows, now)
    await counter.undo(*(key for key, _ in windows))
    assert [count for count, _ in await counter.hit_many(windows, now)] == [2, 2]
    await counter.undo()  # no keys: nothing to do


async def test_clear_forgets_the_keys_and_their_window(make_counter: MakeCounter) -> None:
    counter, gone, kept, now = make_counter(), _key(), _key(), datetime.now(UTC)
    for _ in range(3):
        await counter.hit_many([(gone, WINDOW), (kept, WINDOW)], now)
    await counter.clear(gone, _key())  # an unknown key: nothing to forget, no error
    later = now + timedelta(seconds=WINDOW // 2)
    count, ends = await counter.hit(gone, WINDOW, later)
    assert count == 1
    assert ends > now + timedelta(seconds=WINDOW)  # a new window, from the first hit after the clear
    assert (await counter.hit(kept, WINDOW, later))[0] == 4
    assert not counter.degraded


async def test_clear_is_seen_by_every_node(make_counter: MakeCounter) -> None:
    first, second, key, now = make_counter(), make_counter(), _key(), datetime.now(UTC)
    for _ in range(5):
        await first.hit(key, WINDOW, now)
    await second.clear(key)
    assert (await first.hit(key, WINDOW, now))[0] == 1


async def test_parallel_hits_and_undos_on_several_keys_keep_every_count(make_counter: MakeCounter) -> None:
    """Statements over several rows take their locks in one order (PostgreSQL would otherwise deadlock, and the
    counter would fall back to counting in process)."""
    first, second, now = make_counter(), make_counter(), datetime.now(UTC)
    keys = [_key() for _ in range(4)]
    windows = [(key, WINDOW * (n + 1)) for n, key in enumerate(keys)]

    async def hit_then_undo(node: ResilientCounter, backwards: bool) -> None:
        await node.hit_many(windows[::-1] if backwards else windows, now)
        await node.undo(*(keys[::-1] if backwards else keys))

    nodes = [first, second] * 50
    await asyncio.gather(*(hit_then_undo(node, n % 3 == 0) for n, node in enumerate(nodes)))
    assert [count for count, _ in await first.hit_many(windows, now)] == [1, 1, 1, 1]
    assert not first.degraded and not second.degraded


async def test_clears_in_parallel_with_hits_do_not_fail(make_counter: MakeCounter) -> None:
    first, second, now = make_counter(), make_counter(), datetime.now(UTC)
    keys = [_key() for _ in range(4)]
    windows = [(key, WINDOW) for key in keys]
    hits = (node.hit_many(windows, now) for node in [first, second] * 30)
    clears = (node.clear(*keys[::-1]) for node in [second, first] * 10)
    await asyncio.gather(*hits, *clears)
    assert not first.degraded and not second.degraded

"""Counter semantics, the same on every backend: fixed windows, undo, and atomic counts under parallel hits."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from tests.limiting.conftest import MakeCounter

WINDOW = 60


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

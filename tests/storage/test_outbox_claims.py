"""Races between dispatchers: claims from separate engines never hand one message to two of them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from usher.storage.engine import make_engine
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import SEALER, at, new_mail

DISPATCHERS = 4
ROUNDS = 25
PER_ROUND = 10
LIMIT = 3


@pytest.fixture
async def dispatchers(database_url: str) -> AsyncIterator[list[SqlUnitOfWorkFactory]]:
    engines = [make_engine(database_url, pool_size=1, timeout=30) for _ in range(DISPATCHERS)]
    try:
        yield [SqlUnitOfWorkFactory(engine, SEALER) for engine in engines]
    finally:
        for engine in engines:
            await engine.dispose()


@pytest.mark.parametrize("write", [True, False], ids=["write-unit", "read-unit"])
async def test_claim_from_parallel_dispatchers_never_shares_a_message(
    uow: SqlUnitOfWorkFactory, dispatchers: list[SqlUnitOfWorkFactory], write: bool
) -> None:
    async def claim(factory: SqlUnitOfWorkFactory, now: float) -> list[str]:
        async with factory(write=write) as w:
            return [mail.id for mail in await w.outbox.claim(at(now), at(now + 3600), LIMIT)]

    for round_ in range(ROUNDS):
        now = 10.0 * round_
        queued = {f"r{round_}-m{index}" for index in range(PER_ROUND)}
        async with uow(write=True) as w:
            for index, mail_id in enumerate(sorted(queued)):
                await w.outbox.enqueue(new_mail(mail_id, created=at(now - 1 + index / 100), ttl=86400))
        results = await asyncio.gather(*(claim(factory, now) for factory in dispatchers))
        counts = Counter(mail_id for result in results for mail_id in result)
        assert [mail_id for mail_id, count in counts.items() if count > 1] == [], f"round {round_}"
        assert set(counts) <= queued
        assert all(len(result) <= LIMIT for result in results)
        # whatever was not claimed this round is still there for the next claim, once
        async with uow(write=True) as w:
            rest = [mail.id for mail in await w.outbox.claim(at(now + 1), at(now + 3600), PER_ROUND)]
        assert set(rest) == queued - set(counts)

"""CodeRepository contract: insert and lookups, single use, failure counts, invalidation, cascade on delete."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.errors import NotFound
from usher.storage.engine import make_engine
from usher.storage.tables import one_time_codes
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, SEALER, T0, add_user, at, new_code

PARALLEL = 20


@pytest.fixture
async def alice(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "alice", email="alice@example.com")
        await add_user(w, "bob", email="bob@example.com")


async def test_insert_then_find_by_digest_round_trips_every_field(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    code = new_code("c1", "alice")
    async with uow(write=True) as w:
        await w.codes.insert(code)
    async with uow() as r:
        assert await r.codes.find_by_digest("digest-c1") == code


async def test_insert_unknown_user_raises_not_found(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    with pytest.raises(NotFound):
        async with uow(write=True) as w:
            await w.codes.insert(new_code("c1", "nobody"))


async def test_find_by_digest_unknown_or_short_returns_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("short", "alice", short=True))
    async with uow() as r:
        assert await r.codes.find_by_digest("digest-short") is None
        assert await r.codes.find_by_digest("digest-none") is None


async def test_find_by_digest_used_or_expired_still_returns_code(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice", ttl=60))
        assert await w.codes.consume("c1", at(1))
    async with uow() as r:
        found = await r.codes.find_by_digest("digest-c1")
    assert found is not None and found.used_at == at(1)


async def test_active_for_user_returns_live_codes_of_purpose_newest_first(
    uow: SqlUnitOfWorkFactory, alice: None
) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("old", "alice", created=at(0)))
        await w.codes.insert(new_code("new", "alice", created=at(10)))
        await w.codes.insert(new_code("spent", "alice", created=at(20)))
        await w.codes.insert(new_code("expired", "alice", created=at(-600), ttl=601))
        await w.codes.insert(new_code("other-purpose", "alice", purpose="reset_password"))
        await w.codes.insert(new_code("bobs", "bob"))
        assert await w.codes.consume("spent", at(21))
    async with uow() as r:
        live = await r.codes.active_for_user(APP, "alice", "verify_email", at(30))
    assert [code.id for code in live] == ["new", "old"]
    assert all(code.user_id == "alice" for code in live)


async def test_active_for_user_at_expiry_instant_excludes_code(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice", ttl=60))
    async with uow() as r:
        assert [c.id for c in await r.codes.active_for_user(APP, "alice", "verify_email", at(59.999))] == ["c1"]
        assert await r.codes.active_for_user(APP, "alice", "verify_email", at(60)) == []


async def test_latest_created_returns_newest_of_purpose_or_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice", created=at(0)))
        await w.codes.insert(new_code("c2", "alice", created=at(5)))
        await w.codes.consume("c2", at(6))  # spent codes still count for cooldowns
        await w.codes.insert(new_code("c3", "alice", purpose="reset_password", created=at(9)))
    async with uow() as r:
        assert await r.codes.latest_created(APP, "alice", "verify_email") == at(5)
        assert await r.codes.latest_created(APP, "alice", "magic_link") is None
        assert await r.codes.latest_created(APP, "nobody", "verify_email") is None


async def test_consume_live_code_once_returns_true_then_false(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice"))
    async with uow(write=True) as w:
        assert await w.codes.consume("c1", at(1))
    async with uow(write=True) as w:
        assert not await w.codes.consume("c1", at(2))
        assert not await w.codes.consume("unknown", at(2))


async def test_consume_expired_code_returns_false(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice", ttl=60))
        assert not await w.codes.consume("c1", at(60))
    async with uow() as r:
        found = await r.codes.find_by_digest("digest-c1")
    assert found is not None and found.used_at is None


async def test_consume_in_rolled_back_unit_leaves_code_live(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice"))
    with pytest.raises(RuntimeError):
        async with uow(write=True) as w:
            assert await w.codes.consume("c1", at(1))
            raise RuntimeError("the change that needed the code failed")
    async with uow(write=True) as w:
        assert await w.codes.consume("c1", at(2))


async def test_consume_same_code_from_parallel_units_exactly_one_wins(database_url: str, alice: None) -> None:
    engine = make_engine(database_url, pool_size=PARALLEL, timeout=30)
    factory = SqlUnitOfWorkFactory(engine, SEALER)

    async def attempt() -> bool:
        async with factory(write=True) as w:
            return await w.codes.consume("c1", at(1))

    try:
        async with factory(write=True) as w:
            await w.codes.insert(new_code("c1", "alice"))
        results = await asyncio.gather(*(attempt() for _ in range(PARALLEL)))
    finally:
        await engine.dispose()
    assert sorted(results) == [False] * (PARALLEL - 1) + [True]


async def test_count_failure_adds_one_each_time_and_returns_new_count(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice", short=True))
        assert await w.codes.count_failure("c1") == 1
        assert await w.codes.count_failure("c1") == 2
        assert await w.codes.count_failure("unknown") == 0
    async with uow() as r:
        live = await r.codes.active_for_user(APP, "alice", "verify_email", at(1))
    assert [code.attempts for code in live] == [2]


async def test_count_failure_from_parallel_units_counts_every_one(database_url: str, alice: None) -> None:
    engine = make_engine(database_url, pool_size=10, timeout=30)
    factory = SqlUnitOfWorkFactory(engine, SEALER)

    async def attempt() -> int:
        async with factory(write=True) as w:
            return await w.codes.count_failure("c1")

    try:
        async with factory(write=True) as w:
            await w.codes.insert(new_code("c1", "alice", short=True))
        results = await asyncio.gather(*(attempt() for _ in range(10)))
    finally:
        await engine.dispose()
    assert sorted(results) == list(range(1, 11))


async def test_invalidate_without_purposes_spends_every_live_code_of_user(
    uow: SqlUnitOfWorkFactory, alice: None
) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("verify", "alice"))
        await w.codes.insert(new_code("reset", "alice", purpose="reset_password"))
        await w.codes.insert(new_code("expired", "alice", ttl=1))
        await w.codes.insert(new_code("bobs", "bob"))
        assert await w.codes.invalidate(APP, "alice", at(5)) == 2
    async with uow() as r:
        for purpose in ("verify_email", "reset_password"):
            assert await r.codes.active_for_user(APP, "alice", purpose, at(5)) == []
        assert [c.id for c in await r.codes.active_for_user(APP, "bob", "verify_email", at(5))] == ["bobs"]
        spent = await r.codes.find_by_digest("digest-verify")
        expired = await r.codes.find_by_digest("digest-expired")
    assert spent is not None and spent.used_at == at(5)
    assert expired is not None and expired.used_at is None


async def test_invalidate_with_purposes_spends_only_those(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("verify", "alice"))
        await w.codes.insert(new_code("reset", "alice", purpose="reset_password"))
        await w.codes.insert(new_code("magic", "alice", purpose="magic_link"))
        assert await w.codes.invalidate(APP, "alice", at(1), ("reset_password", "magic_link")) == 2
        assert await w.codes.invalidate(APP, "nobody", at(1)) == 0
    async with uow() as r:
        assert [c.id for c in await r.codes.active_for_user(APP, "alice", "verify_email", at(1))] == ["verify"]


async def test_delete_user_removes_their_codes(uow: SqlUnitOfWorkFactory, engine: AsyncEngine, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("a1", "alice"))
        await w.codes.insert(new_code("a2", "alice", purpose="reset_password"))
        await w.codes.insert(new_code("b1", "bob"))
    async with uow(write=True) as w:
        assert await w.users.delete(APP, "alice")
    async with engine.connect() as conn:
        remaining = (await conn.execute(select(one_time_codes.c.id))).scalars().all()
        count = (await conn.execute(select(func.count()).select_from(one_time_codes))).scalar_one()
    assert (remaining, count) == (["b1"], 1)


async def test_code_of_recreated_user_id_is_not_theirs(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.codes.insert(new_code("c1", "alice"))
        await w.users.delete(APP, "alice")
        await add_user(w, "alice", email="alice@example.com", when=T0)
    async with uow() as r:
        assert await r.codes.active_for_user(APP, "alice", "verify_email", at(1)) == []
        assert await r.codes.find_by_digest("digest-c1") is None

"""RefreshTokenRepository contract: digests, the owner through the session, single spend under a race."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete

from usher.core.models import RefreshToken
from usher.storage.engine import make_engine
from usher.storage.tables import users
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, SEALER, T0, add_user, at, new_session

PARALLEL = 20


def new_token(
    token_id: str, session_id: str = "s1", *, created: datetime = T0, parent: str | None = None
) -> RefreshToken:
    return RefreshToken(
        id=token_id,
        app_id=APP,
        session_id=session_id,
        user_id="alice",
        digest=f"digest-{token_id}",
        created_at=created,
        expires_at=created + timedelta(days=30),
        parent_id=parent,
    )


@pytest.fixture
async def session(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "alice", email="alice@example.com")
        await w.sessions.insert(new_session("s1", "alice"))


async def test_insert_then_find_by_digest_round_trips(uow: SqlUnitOfWorkFactory, session: None) -> None:
    token = new_token("r1", parent="r0")
    async with uow(write=True) as w:
        await w.refresh_tokens.insert(token)
    async with uow() as r:
        assert await r.refresh_tokens.find_by_digest("digest-r1") == token
        assert await r.refresh_tokens.find_by_digest("digest-unknown") is None


async def test_spend_once_then_false(uow: SqlUnitOfWorkFactory, session: None) -> None:
    async with uow(write=True) as w:
        await w.refresh_tokens.insert(new_token("r1"))
        assert await w.refresh_tokens.spend("r1", at(5)) is True
        assert await w.refresh_tokens.spend("r1", at(6)) is False
        assert await w.refresh_tokens.spend("unknown", at(6)) is False
    async with uow() as r:
        found = await r.refresh_tokens.find_by_digest("digest-r1")
    assert found is not None and found.spent_at == at(5)


async def test_spend_in_parallel_exactly_one_wins(database_url: str, uow: SqlUnitOfWorkFactory, session: None) -> None:
    async with uow(write=True) as w:
        await w.refresh_tokens.insert(new_token("r1"))
    engine = make_engine(database_url, pool_size=PARALLEL, timeout=30)
    factory = SqlUnitOfWorkFactory(engine, SEALER)

    async def attempt(index: int) -> bool:
        async with factory(write=True) as w:
            found = await w.refresh_tokens.find_by_digest("digest-r1")
            assert found is not None
            return await w.refresh_tokens.spend(found.id, at(index))

    try:
        results = await asyncio.gather(*(attempt(i) for i in range(PARALLEL)))
    finally:
        await engine.dispose()
    assert results.count(True) == 1
    assert results.count(False) == PARALLEL - 1


async def test_deleting_user_deletes_tokens_through_session(uow: SqlUnitOfWorkFactory, session: None) -> None:
    async with uow(write=True) as w:
        await w.refresh_tokens.insert(new_token("r1"))
        await w.connection.execute(delete(users).where(users.c.id == "alice"))
    async with uow() as r:
        assert await r.refresh_tokens.find_by_digest("digest-r1") is None

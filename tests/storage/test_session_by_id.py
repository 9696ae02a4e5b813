"""SessionRepository.get_active: a live session by its public id (the `sid` of an access token), with its user."""

from __future__ import annotations

import pytest

from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, add_user, at, new_session


@pytest.fixture
async def alice(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "alice", email="alice@example.com")
        await w.sessions.insert(new_session("s1", "alice", ttl=60))


async def test_get_active_returns_session_and_user(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow() as r:
        found = await r.sessions.get_active("s1", at(1))
        by_digest = await r.sessions.find_active("digest-s1", at(1))
        assert await r.sessions.get_active("unknown", at(1)) is None
    assert found is not None and found == by_digest
    assert found.session.id == "s1" and found.user.id == "alice"


async def test_get_active_expired_returns_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow() as r:
        assert await r.sessions.get_active("s1", at(59.999)) is not None
        assert await r.sessions.get_active("s1", at(60)) is None


async def test_get_active_revoked_or_disabled_returns_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.users.set_disabled(APP, "alice", True, at(1))
    async with uow() as r:
        assert await r.sessions.get_active("s1", at(2)) is None
    async with uow(write=True) as w:
        await w.users.set_disabled(APP, "alice", False, at(3))
        assert await w.sessions.revoke(APP, "alice", "s1", at(4))
    async with uow() as r:
        assert await r.sessions.get_active("s1", at(5)) is None

"""SessionRepository contract: live, expired, revoked and disabled-user sessions; touch; revocation; listing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from usher.core.errors import NotFound
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, T0, add_user, at, new_session


@pytest.fixture
async def alice(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "alice", email="alice@example.com")
        await add_user(w, "bob", email="bob@example.com")


async def test_insert_then_find_active_returns_session_and_user(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        stored = await w.sessions.insert(new_session("s1", "alice", user_agent="x" * 2000))
    async with uow() as r:
        found = await r.sessions.find_active("digest-s1", at(10))
    assert found is not None
    assert found.session == stored
    assert found.user.id == "alice" and found.user.email == "alice@example.com"
    assert (stored.id, stored.app_id, stored.user_id, stored.client_address) == ("s1", APP, "alice", "192.0.2.1")
    assert (stored.created_at, stored.last_seen_at, stored.expires_at) == (T0, T0, at(3600))
    assert stored.user_agent == "x" * 512


async def test_insert_unknown_user_raises_not_found(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    with pytest.raises(NotFound):
        async with uow(write=True) as w:
            await w.sessions.insert(new_session("s1", "nobody"))


async def test_find_active_expired_or_unknown_returns_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("s1", "alice", ttl=60))
    async with uow() as r:
        assert await r.sessions.find_active("digest-s1", at(59.999)) is not None
        assert await r.sessions.find_active("digest-s1", at(60)) is None
        assert await r.sessions.find_active("digest-unknown", at(1)) is None


async def test_find_active_revoked_returns_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("s1", "alice"))
        revoked = await w.sessions.revoke_by_digest("digest-s1", at(5))
        again = await w.sessions.revoke_by_digest("digest-s1", at(6))
    assert revoked is not None and revoked.id == "s1" and revoked.user_id == "alice"
    assert again is None
    async with uow() as r:
        assert await r.sessions.find_active("digest-s1", at(10)) is None


async def test_find_active_disabled_user_returns_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("s1", "alice"))
        await w.users.set_disabled(APP, "alice", True, at(1))
    async with uow() as r:
        assert await r.sessions.find_active("digest-s1", at(2)) is None
    async with uow(write=True) as w:
        await w.users.set_disabled(APP, "alice", False, at(3))
    async with uow() as r:
        assert await r.sessions.find_active("digest-s1", at(4)) is not None


async def test_revoke_by_digest_expired_returns_none(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("s1", "alice", ttl=60))
        assert await w.sessions.revoke_by_digest("digest-s1", at(61)) is None


async def test_touch_stale_session_updates_last_seen_once(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("s1", "alice"))
        await w.sessions.touch("s1", at(30), at(30) - timedelta(seconds=60))  # not stale yet: no write
    async with uow() as r:
        found = await r.sessions.find_active("digest-s1", at(31))
    assert found is not None and found.session.last_seen_at == T0
    async with uow(write=True) as w:
        await w.sessions.touch("s1", at(90), at(90) - timedelta(seconds=60))
        await w.sessions.touch("s1", at(100), at(100) - timedelta(seconds=60))  # seen 10 s ago: no write
    async with uow() as r:
        found = await r.sessions.find_active("digest-s1", at(101))
    assert found is not None and found.session.last_seen_at == at(90)


async def test_revoke_by_id_checks_owner_and_app(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("s1", "alice"))
        assert not await w.sessions.revoke(APP, "bob", "s1", at(1))
        assert not await w.sessions.revoke("other", "alice", "s1", at(1))
        assert await w.sessions.revoke(APP, "alice", "s1", at(1))
        assert not await w.sessions.revoke(APP, "alice", "s1", at(2))
    async with uow() as r:
        assert await r.sessions.find_active("digest-s1", at(3)) is None


async def test_revoke_all_with_keep_spares_one_and_counts_live(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        for name in ("s1", "s2", "s3"):
            await w.sessions.insert(new_session(name, "alice"))
        await w.sessions.insert(new_session("old", "alice", ttl=1))
        await w.sessions.insert(new_session("b1", "bob"))
        count = await w.sessions.revoke_all(APP, "alice", at(10), keep="s2")
    assert count == 2
    async with uow() as r:
        assert [s.id for s in await r.sessions.list_active(APP, "alice", at(11))] == ["s2"]
        assert [s.id for s in await r.sessions.list_active(APP, "bob", at(11))] == ["b1"]
    async with uow(write=True) as w:
        assert await w.sessions.revoke_all(APP, "alice", at(12)) == 1
        assert await w.sessions.revoke_all(APP, "alice", at(13)) == 0
        assert await w.sessions.revoke_all(APP, "nobody", at(13)) == 0


async def test_list_active_live_only_newest_first(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("first", "alice", created=at(0)))
        await w.sessions.insert(new_session("second", "alice", created=at(5)))
        await w.sessions.insert(new_session("third", "alice", created=at(10)))
        await w.sessions.insert(new_session("expired", "alice", created=at(0), ttl=20))
        await w.sessions.insert(new_session("revoked", "alice", created=at(0)))
        await w.sessions.revoke(APP, "alice", "revoked", at(11))
    async with uow() as r:
        sessions = await r.sessions.list_active(APP, "alice", at(30))
        assert await r.sessions.list_active("other", "alice", at(30)) == []
    assert [s.id for s in sessions] == ["third", "second", "first"]
    assert all(s.user_id == "alice" and s.app_id == APP for s in sessions)

"""The session check's driver-level read path answers exactly like the repository, from committed data only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.errors import Unavailable
from usher.core.ports import SessionLookup
from usher.core.sessions import UnitOfWorkLookup
from usher.storage.engine import make_engine
from usher.storage.lookup import PostgresSessionLookup, SqliteSessionLookup, session_lookup
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import SEALER, T0, add_user, at, new_session


@pytest.fixture
async def lookup(engine: AsyncEngine, uow: SqlUnitOfWorkFactory) -> AsyncIterator[SessionLookup]:
    found = session_lookup(engine, uow, timeout=5)
    assert isinstance(found, SqliteSessionLookup | PostgresSessionLookup)  # the fast path, not the fallback
    yield found
    await found.aclose()


@pytest.fixture
async def alice(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "alice", email="alice@example.com")
        await w.sessions.insert(new_session("s1", "alice"))


async def test_answers_like_the_repository(uow: SqlUnitOfWorkFactory, lookup: SessionLookup, alice: None) -> None:
    async with uow() as r:
        expected = await r.sessions.find_active("digest-s1", at(10))
    assert expected is not None
    assert await lookup.find_active("digest-s1", at(10)) == expected
    assert await lookup.get_active("s1", at(10)) == expected
    assert await lookup.find_active("digest-unknown", at(10)) is None
    assert await lookup.get_active("unknown", at(10)) is None


async def test_expired_session_is_refused(lookup: SessionLookup, alice: None) -> None:
    assert await lookup.find_active("digest-s1", at(3599)) is not None
    assert await lookup.find_active("digest-s1", at(3600)) is None
    assert await lookup.get_active("s1", at(3600)) is None


async def test_revocation_and_disabling_are_seen_by_the_next_check(
    uow: SqlUnitOfWorkFactory, lookup: SessionLookup, alice: None
) -> None:
    async with uow(write=True) as w:
        await w.sessions.insert(new_session("s2", "alice"))
    assert await lookup.find_active("digest-s1", at(1)) is not None
    async with uow(write=True) as w:
        assert await w.sessions.revoke("default", "alice", "s1", at(2))
    assert await lookup.find_active("digest-s1", at(3)) is None
    assert await lookup.find_active("digest-s2", at(3)) is not None
    async with uow(write=True) as w:
        await w.users.set_disabled("default", "alice", True, at(4))
    assert await lookup.find_active("digest-s2", at(5)) is None


async def test_uncommitted_revocation_is_not_seen(
    uow: SqlUnitOfWorkFactory, lookup: SessionLookup, alice: None
) -> None:
    """The lookup reads committed data: a revocation still in its transaction does not count yet."""
    async with uow(write=True) as w:
        await w.sessions.revoke("default", "alice", "s1", at(2))
        assert await lookup.find_active("digest-s1", at(3)) is not None
    assert await lookup.find_active("digest-s1", at(3)) is None


async def test_parallel_checks_share_the_path(lookup: SessionLookup, alice: None) -> None:
    found = await asyncio.gather(*(lookup.find_active("digest-s1", T0 + timedelta(seconds=1)) for _ in range(50)))
    assert all(item is not None and item.session.id == "s1" for item in found)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_sqlite_read_failure_falls_back_to_a_unit_of_work(uow: SqlUnitOfWorkFactory, alice: None) -> None:
    broken = SqliteSessionLookup("/nonexistent/usher.db", uow.engine.dialect, UnitOfWorkLookup(uow))
    found = await broken.find_active("digest-s1", at(10))
    assert found is not None and found.user.id == "alice"
    assert (await broken.get_active("s1", at(10))) == found
    await broken.aclose()


async def test_in_memory_sqlite_uses_units_of_work() -> None:
    engine = make_engine("sqlite:///:memory:", pool_size=1, timeout=5)
    try:
        assert isinstance(session_lookup(engine, SqlUnitOfWorkFactory(engine, SEALER), timeout=5), UnitOfWorkLookup)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_unreachable_postgresql_is_unavailable_within_the_deadline(engine: AsyncEngine) -> None:
    unreachable = engine.url.set(port=1)  # nothing listens on port 1 of loopback
    dead = make_engine(unreachable.render_as_string(hide_password=False), pool_size=1, timeout=1)
    lookup = session_lookup(dead, SqlUnitOfWorkFactory(dead, SEALER, deadline=1.0), timeout=1)
    started = asyncio.get_running_loop().time()
    try:
        with pytest.raises(Unavailable):
            await lookup.find_active("digest-s1", at(10))
    finally:
        await lookup.aclose()
        await dead.dispose()
    assert asyncio.get_running_loop().time() - started < 3


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_postgresql_connections_are_few_reused_and_survive_cancelled_checks(
    engine: AsyncEngine, uow: SqlUnitOfWorkFactory, alice: None
) -> None:
    lookup = session_lookup(engine, uow, timeout=5, pool_size=2)
    assert isinstance(lookup, PostgresSessionLookup)
    try:
        checks = [asyncio.ensure_future(lookup.find_active("digest-s1", at(10))) for _ in range(40)]
        await asyncio.sleep(0)
        for check in checks[::3]:
            check.cancel()  # clients that went away mid-check
        answers = await asyncio.gather(*checks, return_exceptions=True)
        assert all(isinstance(a, asyncio.CancelledError) or (a is not None and a.user.id == "alice") for a in answers)
        assert sum(a is not None and not isinstance(a, BaseException) for a in answers) >= 26
        backends = await _backends(engine)
        assert 1 <= backends <= 2
        for _ in range(20):  # and the path still answers afterwards, on the same few connections
            assert await lookup.find_active("digest-s1", at(10)) is not None
        assert await _backends(engine) <= 2
    finally:
        await lookup.aclose()


async def _backends(engine: AsyncEngine) -> int:
    """Connections of the lookup: those whose last statement is the session check."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND query LIKE '%token_digest = $%'"
    )
    async with engine.connect() as conn:
        return int((await conn.exec_driver_sql(query)).scalar_one())

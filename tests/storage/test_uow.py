"""Units of work: commit and rollback, write locks, and database trouble mapped to Unavailable."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.errors import Conflict, Unavailable
from usher.core.models import AppSettings
from usher.storage.engine import BEGIN_OPTION, make_engine
from usher.storage.health import ping
from usher.storage.tables import apps
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, SEALER, T0, add_user

UNREACHABLE = [
    pytest.param("postgresql://postgres@127.0.0.1:1/test", id="postgresql-refused"),
    pytest.param("sqlite:////nonexistent-usher-dir/usher.db", id="sqlite-missing-dir"),
]


async def test_write_unit_ending_normally_commits(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await add_user(w, "u1", email="a@example.com")
    async with uow() as r:
        assert await r.users.get(APP, "u1") is not None


async def test_write_unit_raising_rolls_back_every_change(uow: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(Conflict):
        async with uow(write=True) as w:
            await add_user(w, "u1", email="a@example.com")
            await add_user(w, "u2", email="A@example.com")  # Conflict leaves the block
    async with uow() as r:
        assert await r.users.get(APP, "u1") is None


async def test_read_unit_while_other_writer_holds_lock_reads(uow: SqlUnitOfWorkFactory, engine: AsyncEngine) -> None:
    async with engine.connect() as holder:
        await holder.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        await holder.begin()
        await holder.execute(update(apps).where(apps.c.id == APP).values(name="held"))
        async with uow() as r:
            app = await r.apps.get(APP)
        await holder.rollback()
    assert app is not None and app.name == "default"


async def test_write_unit_while_other_writer_holds_lock_raises_unavailable(
    database_url: str, engine: AsyncEngine
) -> None:
    impatient = make_engine(database_url, pool_size=1, timeout=0.3)
    try:
        async with engine.connect() as holder:
            await holder.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            await holder.begin()
            await holder.execute(update(apps).where(apps.c.id == APP).values(name="held"))
            with pytest.raises(Unavailable):
                async with SqlUnitOfWorkFactory(impatient, SEALER)(write=True) as w:
                    await w.apps.update_settings(APP, AppSettings(session_ttl=5), T0)
            await holder.rollback()
    finally:
        await impatient.dispose()


@pytest.mark.parametrize("url", UNREACHABLE)
async def test_unit_on_unreachable_database_raises_unavailable(url: str) -> None:
    engine = make_engine(url, pool_size=1, timeout=1)
    try:
        with pytest.raises(Unavailable):
            async with SqlUnitOfWorkFactory(engine, SEALER)() as r:
                await r.apps.get(APP)
    finally:
        await engine.dispose()


async def test_unit_programming_error_is_not_mapped(uow: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(DBAPIError):
        async with uow() as r:
            await r.connection.execute(text("SELECT * FROM no_such_table"))


async def test_ping_live_database_returns_true(engine: AsyncEngine) -> None:
    assert await ping(engine)


@pytest.mark.parametrize("url", UNREACHABLE)
async def test_ping_unreachable_database_returns_false(url: str) -> None:
    engine = make_engine(url, pool_size=1, timeout=1)
    try:
        assert not await ping(engine)
    finally:
        await engine.dispose()

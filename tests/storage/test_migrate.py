"""Migrations: shipped in the package, idempotent, safe to run from two processes, matching tables.py."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from tests import databases
from usher.storage import migrate
from usher.storage.engine import make_engine
from usher.storage.tables import apps, metadata, users
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import SEALER, new_code, new_mail


@pytest.fixture(params=databases.BACKENDS)
async def empty_url(request: pytest.FixtureRequest) -> str:
    url: str = await databases.scratch_url(request.param, "migrate")
    return url


async def _app_ids(url: str) -> list[str]:
    engine = make_engine(url, pool_size=1, timeout=5)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(select(apps.c.id))).scalars())
    finally:
        await engine.dispose()


def test_head_is_newest_shipped_revision() -> None:
    assert migrate.head() == "0004"
    assert (migrate.SCRIPT_LOCATION / "script.py.mako").is_file()


async def test_upgrade_twice_is_idempotent_and_reaches_head(empty_url: str) -> None:
    assert await migrate.current(empty_url) is None
    await migrate.upgrade(empty_url)
    await migrate.upgrade(empty_url)
    assert await migrate.current(empty_url) == migrate.head()
    assert await _app_ids(empty_url) == ["default"]


async def test_upgrade_from_two_processes_at_once_applies_once(empty_url: str) -> None:
    await asyncio.gather(migrate.upgrade(empty_url), migrate.upgrade(empty_url))
    assert await migrate.current(empty_url) == migrate.head()
    assert await _app_ids(empty_url) == ["default"]


async def test_migrated_schema_matches_table_definitions(database_url: str) -> None:
    def differences(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    engine = make_engine(database_url, pool_size=1, timeout=5)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_upgrade_0001_database_with_data_to_head_keeps_rows(empty_url: str) -> None:
    await migrate.upgrade(empty_url, "0001")
    assert await migrate.current(empty_url) == "0001"
    engine = make_engine(empty_url, pool_size=1, timeout=5)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(users).values(
                    app_id="default",
                    id="u1",
                    email="a@example.com",
                    email_key="a@example.com",
                    created_ms=1,
                    updated_ms=1,
                )
            )
        await migrate.upgrade(empty_url)
        assert await migrate.current(empty_url) == migrate.head() == "0004"
        factory = SqlUnitOfWorkFactory(engine, SEALER)
        async with factory(write=True) as w:
            await w.codes.insert(new_code("c1", "u1"))
            await w.outbox.enqueue(new_mail("m1"))
        async with factory() as r:
            user = await r.users.get("default", "u1")
            assert user is not None and user.email == "a@example.com"
            assert await r.codes.find_by_digest("digest-c1") is not None
            assert [mail.id for mail in await r.outbox.list()] == ["m1"]
    finally:
        await engine.dispose()

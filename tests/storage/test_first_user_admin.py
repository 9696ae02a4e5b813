"""The first user of an app becomes admin exactly once, also under concurrency (WeKan's rule)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.errors import UsherError
from usher.core.models import NewUser
from usher.storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _new(n: int) -> NewUser:
    return NewUser(
        app_id="default", id=f"user-{n}", username=f"user{n}", email=None, password_hash=None, first_user_admin=True
    )


async def test_concurrent_first_sign_ups_make_exactly_one_admin(engine: AsyncEngine, uow: SqlUnitOfWorkFactory) -> None:
    async def register(n: int) -> bool:
        for _ in range(50):  # SQLite may answer Unavailable under this much contention: retry like a client
            try:
                async with uow(write=True) as unit:
                    return (await unit.users.insert(_new(n), None, f"user{n}", NOW)).is_admin
            except UsherError:
                await asyncio.sleep(0.01)
        raise AssertionError("never inserted")

    admins = await asyncio.gather(*(register(n) for n in range(10)))
    assert admins.count(True) == 1


async def test_first_user_admin_flag_is_ignored_for_later_users(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as unit:
        assert (await unit.users.insert(_new(1), None, "user1", NOW)).is_admin
        assert not (await unit.users.insert(_new(2), None, "user2", NOW)).is_admin

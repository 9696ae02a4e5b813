"""Races: fifty sign-ups of one address in case and Unicode variants, each in its own unit of work."""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Literal

from sqlalchemy import func, select

from usher.core.errors import Conflict
from usher.storage.engine import make_engine
from usher.storage.tables import identifiers, users
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import SEALER, T0, keys, new_user

ADDRESS = "Ünïcode.Race@Example.COM"
ATTEMPTS = 50


def _variant(index: int) -> str:
    cased = "".join(ch.upper() if (index >> (pos % 6)) & 1 else ch.lower() for pos, ch in enumerate(ADDRESS))
    form: Literal["NFC", "NFD", "NFKC", "NFKD"] = ("NFC", "NFD", "NFKC", "NFKD")[index % 4]
    return " " * (index % 3) + unicodedata.normalize(form, cased)


async def test_insert_same_email_variants_concurrently_admits_exactly_one(database_url: str) -> None:
    # PostgreSQL's connection limit is shared with other workers and suites: half as many connections there.
    engine = make_engine(database_url, pool_size=ATTEMPTS if "sqlite" in database_url else 25, timeout=30)
    factory = SqlUnitOfWorkFactory(engine, SEALER)

    async def attempt(index: int) -> str:
        email = _variant(index)
        as_username = index % 5 == 4  # the cross rule races too: a username equal to the address
        user = new_user(f"u{index}", email=None if as_username else email, username=email if as_username else None)
        try:
            async with factory(write=True) as w:
                await w.users.insert(user, user.email and keys(user.email), user.username and keys(user.username), T0)
        except Conflict as conflict:
            return conflict.field
        return "created"

    try:
        results = await asyncio.gather(*(attempt(i) for i in range(ATTEMPTS)), return_exceptions=True)
        async with engine.connect() as conn:
            user_count = (await conn.execute(select(func.count()).select_from(users))).scalar_one()
            keys_taken = (await conn.execute(select(identifiers.c.key))).scalars().all()
    finally:
        await engine.dispose()
    assert [r for r in results if not isinstance(r, str)] == []
    assert results.count("created") == 1
    assert set(results) - {"created"} <= {"email", "username"}
    assert user_count == 1
    assert keys_taken == [keys(ADDRESS)]

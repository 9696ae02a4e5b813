"""CodeRepository over SQLAlchemy Core: one-time codes kept as digests, spent once by a conditional UPDATE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, false, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.errors import NotFound
from usher.core.models import OneTimeCode
from usher.storage import convert
from usher.storage.tables import one_time_codes as codes
from usher.storage.tables import users

_WITH_OWNER = select(*codes.c, users.c.id.label("user_id")).join_from(
    codes, users, users.c.number == codes.c.user_number
)
_BY_DIGEST = _WITH_OWNER.where(codes.c.digest == bindparam("digest"), codes.c.short == false())
# Single use: of any number of parallel consumers exactly one changes the row (the others see used_ms set
# once the winner commits: SQLite serialises write units, PostgreSQL re-checks the WHERE after the row lock).
_CONSUME = (
    update(codes)
    .where(codes.c.id == bindparam("code_id"), codes.c.used_ms.is_(None), codes.c.expires_ms > bindparam("now"))
    .values(used_ms=bindparam("now"))
)
_COUNT_FAILURE = (
    update(codes)
    .where(codes.c.id == bindparam("code_id"))
    .values(attempts=codes.c.attempts + 1)
    .returning(codes.c.attempts)
)


def _user_number(app_id: str, user_id: str) -> Any:
    return select(users.c.number).where(users.c.app_id == app_id, users.c.id == user_id).scalar_subquery()


def _live(now_ms: int) -> list[ColumnElement[bool]]:
    return [codes.c.used_ms.is_(None), codes.c.expires_ms > now_ms]


class SqlCodeRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def insert(self, code: OneTimeCode) -> None:
        """Stores a code of an existing user; NotFound("user") otherwise."""
        query = select(users.c.number).where(users.c.app_id == code.app_id, users.c.id == code.user_id)
        number = (await self._conn.execute(query)).scalar()
        if number is None:
            raise NotFound("user")
        await self._conn.execute(insert(codes).values(convert.code_to_row(code, int(number))))

    async def find_by_digest(self, digest: str) -> OneTimeCode | None:
        row = (await self._conn.execute(_BY_DIGEST, {"digest": digest})).mappings().first()
        return None if row is None else convert.code_from_row(row)

    async def active_for_user(self, app_id: str, user_id: str, purpose: str, now: datetime) -> list[OneTimeCode]:
        query = _WITH_OWNER.where(
            codes.c.user_number == _user_number(app_id, user_id),
            codes.c.purpose == purpose,
            *_live(convert.to_ms(now)),
        ).order_by(codes.c.created_ms.desc(), codes.c.id.desc())
        rows = (await self._conn.execute(query)).mappings()
        return [convert.code_from_row(row) for row in rows]

    async def latest_created(self, app_id: str, user_id: str, purpose: str) -> datetime | None:
        query = select(func.max(codes.c.created_ms)).where(
            codes.c.user_number == _user_number(app_id, user_id), codes.c.purpose == purpose
        )
        return convert.opt_from_ms((await self._conn.execute(query)).scalar())

    async def consume(self, code_id: str, now: datetime) -> bool:
        result = await self._conn.execute(_CONSUME, {"code_id": code_id, "now": convert.to_ms(now)})
        return result.rowcount == 1

    async def count_failure(self, code_id: str) -> int:
        """The new count, added in SQL so parallel wrong guesses all count; 0 for an unknown code."""
        count = (await self._conn.execute(_COUNT_FAILURE, {"code_id": code_id})).scalar()
        return 0 if count is None else int(count)

    async def invalidate(self, app_id: str, user_id: str, now: datetime, purposes: tuple[str, ...] = ()) -> int:
        now_ms = convert.to_ms(now)
        statement = (
            update(codes)
            .where(codes.c.user_number == _user_number(app_id, user_id), *_live(now_ms))
            .values(used_ms=now_ms)
        )
        if purposes:
            statement = statement.where(codes.c.purpose.in_(purposes))
        return int((await self._conn.execute(statement)).rowcount)

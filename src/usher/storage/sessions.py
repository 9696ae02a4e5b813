"""SessionRepository over SQLAlchemy Core: server-side sessions, looked up by token digest on the hot path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, false, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.errors import NotFound
from usher.core.models import AuthenticatedSession, NewSession, Session
from usher.storage import convert
from usher.storage.tables import sessions, users

_PREFIX = "session_"
_OWNER = users.c.id.label("user_id")

# The hot path, built once: a live session of an enabled user, with that user, in one statement (also run
# straight through the driver by storage.lookup).
_WITH_USER = (
    select(*users.c, _OWNER, *(column.label(_PREFIX + column.name) for column in sessions.c))
    .join_from(sessions, users, users.c.number == sessions.c.user_number)
    .where(sessions.c.revoked_ms.is_(None), sessions.c.expires_ms > bindparam("now"), users.c.disabled == false())
)
FIND_ACTIVE = _WITH_USER.where(sessions.c.token_digest == bindparam("digest"))
GET_ACTIVE = _WITH_USER.where(sessions.c.id == bindparam("session_id"))  # access tokens name it by `sid`
_TOUCH = (
    update(sessions)
    .where(sessions.c.id == bindparam("session_id"), sessions.c.last_seen_ms < bindparam("stale"))
    .values(last_seen_ms=bindparam("now"))
)
_WITH_OWNER = select(*sessions.c, _OWNER).join_from(sessions, users, users.c.number == sessions.c.user_number)


def _live(now_ms: int) -> list[ColumnElement[bool]]:
    return [sessions.c.revoked_ms.is_(None), sessions.c.expires_ms > now_ms]


def _user_number(app_id: str, user_id: str) -> Any:
    return select(users.c.number).where(users.c.app_id == app_id, users.c.id == user_id).scalar_subquery()


def authenticated(row: convert.Row | None) -> AuthenticatedSession | None:
    if row is None:
        return None
    return AuthenticatedSession(session=convert.session_from_row(row, prefix=_PREFIX), user=convert.user_from_row(row))


class SqlSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def insert(self, session: NewSession) -> Session:
        """Stores a new session of an existing user; NotFound("user") otherwise."""
        query = select(users.c.number).where(users.c.app_id == session.app_id, users.c.id == session.user_id)
        number = (await self._conn.execute(query)).scalar()
        if number is None:
            raise NotFound("user")
        row = {
            "id": session.id,
            "app_id": session.app_id,
            "user_number": number,
            "token_digest": session.token_digest,
            "created_ms": convert.to_ms(session.created_at),
            "expires_ms": convert.to_ms(session.expires_at),
            "last_seen_ms": convert.to_ms(session.created_at),
            "client_address": session.client_address,
            "user_agent": convert.user_agent(session.user_agent),
        }
        await self._conn.execute(insert(sessions).values(row))
        return convert.session_from_row({**row, "user_id": session.user_id})

    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        result = await self._conn.execute(FIND_ACTIVE, {"digest": token_digest, "now": convert.to_ms(now)})
        return authenticated(result.mappings().first())

    async def get_active(self, session_id: str, now: datetime) -> AuthenticatedSession | None:
        result = await self._conn.execute(GET_ACTIVE, {"session_id": session_id, "now": convert.to_ms(now)})
        return authenticated(result.mappings().first())

    async def touch(self, session_id: str, now: datetime, stale_before: datetime) -> None:
        params = {"session_id": session_id, "now": convert.to_ms(now), "stale": convert.to_ms(stale_before)}
        await self._conn.execute(_TOUCH, params)

    async def revoke_by_digest(self, token_digest: str, now: datetime) -> Session | None:
        """Revokes a live session; None for an unknown, expired or already revoked one."""
        now_ms = convert.to_ms(now)
        query = _WITH_OWNER.where(sessions.c.token_digest == token_digest, *_live(now_ms))
        row = (await self._conn.execute(query)).mappings().first()
        if row is None:
            return None
        revoke = update(sessions).where(sessions.c.id == row["id"], sessions.c.revoked_ms.is_(None))
        result = await self._conn.execute(revoke.values(revoked_ms=now_ms))
        return convert.session_from_row(row) if result.rowcount else None

    async def revoke(self, app_id: str, user_id: str, session_id: str, now: datetime) -> bool:
        now_ms = convert.to_ms(now)
        statement = (
            update(sessions)
            .where(
                sessions.c.id == session_id,
                sessions.c.app_id == app_id,
                sessions.c.user_number == _user_number(app_id, user_id),
                *_live(now_ms),
            )
            .values(revoked_ms=now_ms)
        )
        return bool((await self._conn.execute(statement)).rowcount)

    async def revoke_all(self, app_id: str, user_id: str, now: datetime, keep: str | None = None) -> int:
        """Revokes every live session of the user except `keep` (a session id); returns how many."""
        now_ms = convert.to_ms(now)
        statement = (
            update(sessions)
            .where(sessions.c.user_number == _user_number(app_id, user_id), *_live(now_ms))
            .values(revoked_ms=now_ms)
        )
        if keep is not None:
            statement = statement.where(sessions.c.id != keep)
        return int((await self._conn.execute(statement)).rowcount)

    async def list_active(self, app_id: str, user_id: str, now: datetime) -> list[Session]:
        """Live sessions, newest first."""
        query = _WITH_OWNER.where(users.c.app_id == app_id, users.c.id == user_id, *_live(convert.to_ms(now))).order_by(
            sessions.c.created_ms.desc(), sessions.c.id.desc()
        )
        rows = (await self._conn.execute(query)).mappings()
        return [convert.session_from_row(row) for row in rows]

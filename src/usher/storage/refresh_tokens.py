"""RefreshTokenRepository over SQLAlchemy Core: digests only; a token's family and owner come from its session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.models import RefreshToken
from usher.storage import convert
from usher.storage.tables import refresh_tokens, sessions, users

_FIND = (
    select(*refresh_tokens.c, users.c.id.label("user_id"))
    .join_from(refresh_tokens, sessions, sessions.c.id == refresh_tokens.c.session_id)
    .join(users, users.c.number == sessions.c.user_number)
    .where(refresh_tokens.c.digest == bindparam("digest"))
)
# Conditional: of parallel refreshes of one token, exactly one sees a row updated.
_SPEND = (
    update(refresh_tokens)
    .where(refresh_tokens.c.id == bindparam("token_id"), refresh_tokens.c.spent_ms.is_(None))
    .values(spent_ms=bindparam("now"))
)


class SqlRefreshTokenRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def insert(self, token: RefreshToken) -> None:
        """Stores a token of an existing session (the session's user is the token's user)."""
        row = {
            "id": token.id,
            "app_id": token.app_id,
            "session_id": token.session_id,
            "digest": token.digest,
            "parent_id": token.parent_id,
            "created_ms": convert.to_ms(token.created_at),
            "expires_ms": convert.to_ms(token.expires_at),
            "spent_ms": convert.opt_to_ms(token.spent_at),
        }
        await self._conn.execute(insert(refresh_tokens).values(row))

    async def find_by_digest(self, digest: str) -> RefreshToken | None:
        row = (await self._conn.execute(_FIND, {"digest": digest})).mappings().first()
        return None if row is None else convert.refresh_token_from_row(row)

    async def spend(self, token_id: str, now: datetime) -> bool:
        result = await self._conn.execute(_SPEND, {"token_id": token_id, "now": convert.to_ms(now)})
        return result.rowcount == 1

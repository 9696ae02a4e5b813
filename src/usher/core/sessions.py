"""Opening a session inside a unit of work: the token exists in clear only in the returned value."""

from __future__ import annotations

from datetime import datetime, timedelta

from usher.core.identity import digest
from usher.core.models import AuthenticatedSession, IssuedSession, NewSession, RequestContext, User
from usher.core.ports import Clock, Secrets, UnitOfWork, UnitOfWorkFactory


class SessionOpener:
    def __init__(self, clock: Clock, secrets: Secrets) -> None:
        self._clock = clock
        self._secrets = secrets

    async def open(self, uow: UnitOfWork, user: User, ttl: int, ctx: RequestContext) -> IssuedSession:
        now = self._clock.now()
        token = self._secrets.token()
        new = NewSession(
            id=self._secrets.public_id("ses"),
            app_id=user.app_id,
            user_id=user.id,
            token_digest=digest(token),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
            client_address=ctx.client_address,
            user_agent=ctx.user_agent,
        )
        return IssuedSession(session=await uow.sessions.insert(new), token=token)


class UnitOfWorkLookup:
    """The session check through a read unit of work: the lookup for stores without a faster read path."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        async with self._uow() as uow:
            return await uow.sessions.find_active(token_digest, now)

    async def get_active(self, session_id: str, now: datetime) -> AuthenticatedSession | None:
        async with self._uow() as uow:
            return await uow.sessions.get_active(session_id, now)

    async def aclose(self) -> None:
        """Nothing of its own to release: the units of work are the engine's."""

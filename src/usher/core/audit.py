"""Writing audit events in their own short transaction, so failures leave a trace after a rollback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from usher.core.errors import InvalidInput
from usher.core.models import AuditEvent, RequestContext
from usher.core.ports import Clock, UnitOfWorkFactory


class AuditTrail:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def event(
        self,
        app_id: str,
        type: str,
        outcome: str,
        ctx: RequestContext,
        *,
        user_id: str | None = None,
        **detail: Any,
    ) -> AuditEvent:
        return AuditEvent(
            app_id=app_id,
            type=type,
            outcome=outcome,
            at=self._clock.now(),
            user_id=user_id,
            client_address=ctx.client_address,
            user_agent=ctx.user_agent,
            detail=detail,
        )

    async def query(
        self,
        app_id: str,
        *,
        user_id: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEvent]:
        """Events of the app, newest first, filtered by user, type and time ([since, until))."""
        if not 0 <= limit <= 1000 or offset < 0:
            raise InvalidInput("limit must be 0 to 1000 and offset not negative", field="limit")
        async with self._uow() as uow:
            return await uow.audit.query(
                app_id, user_id=user_id, type=type, since=since, until=until, limit=limit, offset=offset
            )

    async def record(self, event: AuditEvent) -> None:
        """Records outside the caller's unit of work (use `uow.audit.append` to record inside one)."""
        async with self._uow(write=True) as uow:
            await uow.audit.append(event)

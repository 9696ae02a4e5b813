"""Writing audit events in their own short transaction, so failures leave a trace after a rollback."""

from __future__ import annotations

from typing import Any

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

    async def record(self, event: AuditEvent) -> None:
        """Records outside the caller's unit of work (use `uow.audit.append` to record inside one)."""
        async with self._uow(write=True) as uow:
            await uow.audit.append(event)

"""AuditRepository over SQLAlchemy Core: an append-only log of sign-ins, changes and admin actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.models import AuditEvent
from usher.storage import convert
from usher.storage.tables import audit_events

_APPEND = insert(audit_events)


class SqlAuditRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def append(self, event: AuditEvent) -> None:
        await self._conn.execute(_APPEND, convert.audit_to_row(event))

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
        """An app's events, newest first; `since` is inclusive, `until` exclusive."""
        query = select(audit_events).where(audit_events.c.app_id == app_id)
        if user_id is not None:
            query = query.where(audit_events.c.user_id == user_id)
        if type is not None:
            query = query.where(audit_events.c.type == type)
        if since is not None:
            query = query.where(audit_events.c.at_ms >= convert.to_ms(since))
        if until is not None:
            query = query.where(audit_events.c.at_ms < convert.to_ms(until))
        query = query.order_by(audit_events.c.at_ms.desc(), audit_events.c.id.desc()).limit(limit).offset(offset)
        rows = (await self._conn.execute(query)).mappings()
        return [convert.audit_from_row(row) for row in rows]

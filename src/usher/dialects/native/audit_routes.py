"""Native admin API: an app's audit trail (sign-ins good and bad, sign-outs, password and admin actions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from usher.core.models import AuditEvent
from usher.dialects.native import schemas as s
from usher.dialects.native.guards import app_admin
from usher.http.deps import services
from usher.http.fields import PathId

router = APIRouter(prefix="/apps/{app_id}/audit", tags=["admin"])
Filter = Annotated[str | None, Query(max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]


class AuditEventOut(BaseModel):
    type: str
    outcome: str
    at: datetime
    user_id: str | None
    client_address: str | None
    user_agent: str | None
    detail: dict[str, Any]


class AuditPageOut(BaseModel):
    events: list[AuditEventOut]
    limit: int
    offset: int


def _utc(at: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _event_out(event: AuditEvent) -> AuditEventOut:
    return AuditEventOut(
        type=event.type,
        outcome=event.outcome,
        at=event.at,
        user_id=event.user_id,
        client_address=event.client_address,
        user_agent=event.user_agent,
        detail=event.detail,
    )


@router.get("", response_model=AuditPageOut, responses=s.ERRORS)
async def audit_events(
    app_id: PathId,
    request: Request,
    user_id: Filter = None,
    type: Filter = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=0, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**53)] = 0,
) -> AuditPageOut:
    """The app's events, newest first, filtered by user, type (e.g. `signin`, `signout`) and time
    (`since` inclusive, `until` exclusive; ISO 8601, UTC when no zone is given), `limit` from `offset`."""
    await app_admin(request, app_id)
    events = await services(request).audit.query(
        app_id, user_id=user_id, type=type, since=_utc(since), until=_utc(until), limit=limit, offset=offset
    )
    return AuditPageOut(events=[_event_out(e) for e in events], limit=limit, offset=offset)

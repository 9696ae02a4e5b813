"""AuditRepository contract: append and query by app, user, type and time, newest first."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from usher.core.models import AuditEvent
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import APP, T0, at


def _event(seconds: float, type: str = "signin", user_id: str | None = "u1", app_id: str = APP) -> AuditEvent:
    return AuditEvent(app_id=app_id, type=type, outcome="success", at=at(seconds), user_id=user_id)


async def test_append_then_query_round_trips_every_field(uow: SqlUnitOfWorkFactory) -> None:
    event = AuditEvent(
        app_id=APP,
        type="signin",
        outcome="failure",
        at=T0,
        user_id="u1",
        client_address="2001:db8::1",
        user_agent="ua" * 400,
        detail={"sessions": 3, "reason": "wrong password ✗", "nested": {"a": [1, 2]}},
    )
    async with uow(write=True) as w:
        await w.audit.append(event)
    async with uow() as r:
        (loaded,) = await r.audit.query(APP)
    assert loaded.user_agent == ("ua" * 400)[:512]
    assert loaded == dataclasses.replace(event, user_agent=("ua" * 400)[:512])


async def test_append_for_unknown_app_and_user_is_kept(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.audit.append(_event(1, app_id="gone", user_id=None))
    async with uow() as r:
        assert [e.user_id for e in await r.audit.query("gone")] == [None]


async def test_query_filters_combine_and_order_newest_first(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        for seconds in range(6):
            await w.audit.append(_event(seconds, type="signin" if seconds % 2 else "signout"))
        await w.audit.append(_event(3, user_id="u2"))
        await w.audit.append(_event(3, app_id="other"))
    async with uow() as r:
        everything = await r.audit.query(APP)
        by_user = await r.audit.query(APP, user_id="u2")
        by_type = await r.audit.query(APP, type="signin", user_id="u1")
        window = await r.audit.query(APP, since=at(2), until=at(4), user_id="u1")
        paged = await r.audit.query(APP, limit=2, offset=1)
    assert [e.at for e in everything] == [at(5), at(4), at(3), at(3), at(2), at(1), at(0)]
    assert [e.user_id for e in everything[2:4]] == ["u2", "u1"]  # same time: the later append first
    assert [e.at for e in by_user] == [at(3)]
    assert [e.at for e in by_type] == [at(5), at(3), at(1)]
    assert [e.at for e in window] == [at(3), at(2)]  # since inclusive, until exclusive
    assert paged == everything[1:3]


async def test_query_until_before_all_events_returns_empty(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.audit.append(_event(0))
    async with uow() as r:
        assert await r.audit.query(APP, until=T0 - timedelta(seconds=1)) == []

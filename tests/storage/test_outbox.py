"""OutboxRepository contract: sealed secrets at rest, claims and leases, sent / failed / expired, listing."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from usher.core.models import MailOverrides
from usher.security.sealing import Sealer
from usher.storage.tables import outbox
from usher.storage.uow import SqlUnitOfWorkFactory

from .builders import T0, at, new_mail

CODE = "CODE-123456"


async def _raw(engine: AsyncEngine, mail_id: str) -> dict[str, object]:
    async with engine.connect() as conn:
        row = (await conn.execute(select(outbox).where(outbox.c.id == mail_id))).mappings().one()
    return dict(row)


async def _claim(uow: SqlUnitOfWorkFactory, now: float = 1, lease: float = 30, limit: int = 10) -> list[str]:
    async with uow(write=True) as w:
        return [mail.id for mail in await w.outbox.claim(at(now), at(now + lease), limit)]


async def test_enqueue_then_list_round_trips_every_field(uow: SqlUnitOfWorkFactory) -> None:
    mail = new_mail("m1")
    async with uow(write=True) as w:
        await w.outbox.enqueue(mail)
    async with uow() as r:
        listed = await r.outbox.list()
    assert listed == [dataclasses.replace(mail, next_attempt_at=T0)]


async def test_enqueue_stores_secrets_sealed_not_readable(uow: SqlUnitOfWorkFactory, engine: AsyncEngine) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1", code=CODE))
    raw = await _raw(engine, "m1")
    assert isinstance(raw["secrets"], str) and raw["secrets"].startswith("v1.")
    assert all(CODE not in str(value) for value in raw.values())


async def test_list_under_another_key_returns_blank_secrets(engine: AsyncEngine, uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1"))
    other = SqlUnitOfWorkFactory(engine, Sealer(b"another server secret, 32 bytes!"))
    async with other() as r:
        [listed] = await r.outbox.list()
    assert listed.secrets == {} and listed.variables["email"] == "Alice@Example.com"


async def test_secrets_moved_to_another_row_do_not_open(uow: SqlUnitOfWorkFactory, engine: AsyncEngine) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1", code="FIRST-CODE"))
        await w.outbox.enqueue(new_mail("m2", code="SECOND-CODE"))
    sealed = (await _raw(engine, "m1"))["secrets"]
    async with engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.id == "m2").values(secrets=sealed))
    async with uow() as r:
        by_id = {mail.id: mail.secrets for mail in await r.outbox.list()}
    assert by_id["m2"] == {} and by_id["m1"]["code"] == "FIRST-CODE"


async def test_enqueue_in_rolled_back_unit_queues_nothing(uow: SqlUnitOfWorkFactory) -> None:
    try:
        async with uow(write=True) as w:
            await w.outbox.enqueue(new_mail("m1"))
            raise RuntimeError("the change that caused the mail failed")
    except RuntimeError:
        pass
    async with uow() as r:
        assert await r.outbox.list() == []


async def test_claim_returns_due_messages_oldest_first_with_secrets_open(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("newer", created=at(0.5)))
        await w.outbox.enqueue(new_mail("older", created=at(0), code=CODE))
        await w.outbox.enqueue(dataclasses.replace(new_mail("later"), next_attempt_at=at(100)))
    async with uow(write=True) as w:
        claimed = await w.outbox.claim(at(1), at(31), 10)
    assert [mail.id for mail in claimed] == ["older", "newer"]
    assert claimed[0].secrets == {"code": CODE, "link": f"https://app.example/verify?token={CODE}"}
    assert claimed[0].overrides == MailOverrides(subject="Hello", text="Your code: $code")


async def test_claim_respects_limit(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        for index in range(5):
            await w.outbox.enqueue(new_mail(f"m{index}", created=at(index / 10)))
    assert await _claim(uow, limit=2) == ["m0", "m1"]
    assert await _claim(uow, limit=2) == ["m2", "m3"]
    assert await _claim(uow, limit=0) == []


async def test_claim_leased_message_skipped_until_lease_runs_out(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1", ttl=3600))
    assert await _claim(uow, now=1, lease=30) == ["m1"]
    assert await _claim(uow, now=2) == []
    assert await _claim(uow, now=31) == []  # the lease holds through its last millisecond
    assert await _claim(uow, now=31.001) == ["m1"]


async def test_claim_skips_expired_and_finished_messages(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("expired", ttl=1))
        await w.outbox.enqueue(new_mail("sent"))
        await w.outbox.enqueue(new_mail("failed"))
        await w.outbox.mark_sent("sent", at(0.5))
        await w.outbox.mark_failed("failed", "boom", None, at(0.5))
    assert await _claim(uow, now=2) == []


async def test_claim_secrets_under_another_key_gives_message_up(uow: SqlUnitOfWorkFactory, engine: AsyncEngine) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1"))
        await w.outbox.enqueue(new_mail("m2"))
    async with engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.id == "m1").values(secrets="v1.AAAA"))
    assert await _claim(uow) == ["m2"]
    raw = await _raw(engine, "m1")
    assert (raw["state"], raw["secrets"], raw["attempts"]) == ("failed", "", 1)
    assert "USHER_SECRET_KEY" in str(raw["last_error"])


async def test_mark_sent_blanks_secrets_and_releases_lease(uow: SqlUnitOfWorkFactory, engine: AsyncEngine) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1"))
    assert await _claim(uow) == ["m1"]
    async with uow(write=True) as w:
        await w.outbox.mark_sent("m1", at(2))
    raw = await _raw(engine, "m1")
    assert (raw["state"], raw["secrets"], raw["sent_ms"] is not None) == ("sent", "", True)
    assert (raw["lease_until_ms"], raw["lease_owner"]) == (None, None)
    async with uow() as r:
        [listed] = await r.outbox.list()
    assert (listed.state, listed.secrets, listed.sent_at) == ("sent", {}, at(2))


async def test_mark_failed_with_retry_keeps_secrets_and_is_claimable_then(
    uow: SqlUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1", code=CODE, ttl=3600))
    assert await _claim(uow, now=1, lease=300) == ["m1"]
    async with uow(write=True) as w:
        await w.outbox.mark_failed("m1", f"550 rejected {CODE} " + "x" * 1000, at(60), at(2))
    raw = await _raw(engine, "m1")
    assert (raw["state"], raw["attempts"], raw["lease_owner"]) == ("pending", 1, None)
    assert isinstance(raw["last_error"], str) and len(raw["last_error"]) == 500
    assert CODE not in raw["last_error"] and raw["last_error"].startswith("550 rejected [redacted] x")
    assert await _claim(uow, now=59) == []
    async with uow(write=True) as w:
        [again] = await w.outbox.claim(at(60), at(90), 10)
    assert again.secrets["code"] == CODE and again.attempts == 1 and again.next_attempt_at == at(60)


async def test_mark_failed_for_good_blanks_secrets(uow: SqlUnitOfWorkFactory, engine: AsyncEngine) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1", code=CODE))
        await w.outbox.mark_failed("m1", "first", at(10), at(1))
        await w.outbox.mark_failed("m1", f"gave up on {CODE}", None, at(11))
        await w.outbox.mark_failed("unknown", "ignored", None, at(11))
    raw = await _raw(engine, "m1")
    assert (raw["state"], raw["secrets"], raw["attempts"]) == ("failed", "", 2)
    assert raw["last_error"] == "gave up on [redacted]"


async def test_expire_marks_pending_past_expiry_and_blanks_secrets(
    uow: SqlUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("short", ttl=10))
        await w.outbox.enqueue(new_mail("long", ttl=1000))
        await w.outbox.enqueue(new_mail("sent", ttl=10))
        await w.outbox.mark_sent("sent", at(1))
    async with uow(write=True) as w:
        assert await w.outbox.expire(at(9)) == 0
        assert await w.outbox.expire(at(10)) == 1
        assert await w.outbox.expire(at(10)) == 0
    states = {mail_id: (await _raw(engine, mail_id))["state"] for mail_id in ("short", "long", "sent")}
    assert states == {"short": "expired", "long": "pending", "sent": "sent"}
    assert (await _raw(engine, "short"))["secrets"] == ""
    assert (await _raw(engine, "long"))["secrets"] != ""


async def test_list_newest_first_filtered_by_canonical_address(uow: SqlUnitOfWorkFactory) -> None:
    async with uow(write=True) as w:
        await w.outbox.enqueue(new_mail("m1", to="Alice@Example.com", created=at(0)))
        await w.outbox.enqueue(new_mail("m2", to="bob@example.com", created=at(1)))
        await w.outbox.enqueue(new_mail("m3", to="alice@EXAMPLE.com", created=at(2)))
    async with uow() as r:
        assert [m.id for m in await r.outbox.list()] == ["m3", "m2", "m1"]
        assert [m.id for m in await r.outbox.list(to="  ALICE@example.COM ")] == ["m3", "m1"]
        assert [m.id for m in await r.outbox.list(limit=1)] == ["m3"]
        assert await r.outbox.list(to="nobody@example.com") == []

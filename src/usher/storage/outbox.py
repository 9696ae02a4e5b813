"""OutboxRepository over SQLAlchemy Core: queued mail with sealed secrets, leased to one dispatcher at a time.

A claim leases due rows with a conditional UPDATE that stamps a fresh claim token (`lease_owner`) and returns
the rows it changed: PostgreSQL picks them first with `FOR UPDATE SKIP LOCKED`; SQLite (no SKIP LOCKED) picks
them in the UPDATE itself, whose writers take turns. Either way the UPDATE re-checks that the row is due and
unleased, so no two claims ever hold one row. A lease that runs out makes the row claimable again.
"""

from __future__ import annotations

import secrets as random
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.identity import canonical
from usher.core.models import OutgoingMail
from usher.security.sealing import Sealer, SealError
from usher.storage import convert
from usher.storage.tables import outbox

ERROR_MAX = 500
_BLANK = ""
_REDACTED = "[redacted]"
_UNSEALABLE = "the message's secrets cannot be opened (was USHER_SECRET_KEY changed?)"
_RELEASE: dict[str, Any] = {"lease_until_ms": None, "lease_owner": None}


def _due(table: Any, now_ms: int) -> list[ColumnElement[bool]]:
    """Pending, due, not yet expired, and not leased (or the lease ran out)."""
    return [
        table.c.state == "pending",
        table.c.next_attempt_ms <= now_ms,
        table.c.expires_ms > now_ms,
        or_(table.c.lease_until_ms.is_(None), table.c.lease_until_ms < now_ms),
    ]


def redact(error: str, secrets: Iterable[str]) -> str:
    """The error text without any of the secrets in it, cut to ERROR_MAX characters."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        error = error.replace(secret, _REDACTED)
    return error[:ERROR_MAX]


class SqlOutboxRepository:
    def __init__(self, conn: AsyncConnection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer
        self._postgres = conn.dialect.name == "postgresql"

    async def enqueue(self, mail: OutgoingMail) -> None:
        row = convert.mail_to_row(mail, canonical(mail.to), self._seal(mail.id, mail.secrets))
        await self._conn.execute(insert(outbox).values(row))

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutgoingMail]:
        """Due messages (oldest first) leased to this call alone; rows whose secrets cannot be opened fail."""
        if limit <= 0:
            return []
        now_ms = convert.to_ms(now)
        token = random.token_hex(16)
        lease = update(outbox).values(lease_until_ms=convert.to_ms(lease_until), lease_owner=token)
        if self._postgres:
            # Two statements: PostgreSQL may run an IN (... LIMIT n FOR UPDATE SKIP LOCKED) subquery more than
            # once inside an UPDATE, leasing more than n rows. The UPDATE re-checks the lease on the newest
            # row version, so rows picked here but leased meanwhile by a claim in autocommit are left out.
            pick = select(outbox.c.id).where(*_due(outbox, now_ms)).order_by(outbox.c.created_ms, outbox.c.id)
            picked = list((await self._conn.execute(pick.limit(limit).with_for_update(skip_locked=True))).scalars())
            if not picked:
                return []
            lease = lease.where(outbox.c.id.in_(picked))
        else:
            due = outbox.alias("due")
            pick = select(due.c.id).where(*_due(due, now_ms)).order_by(due.c.created_ms, due.c.id).limit(limit)
            lease = lease.where(outbox.c.id.in_(pick))
        result = await self._conn.execute(lease.where(*_due(outbox, now_ms)).returning(*outbox.c))
        rows = sorted(result.mappings(), key=lambda row: (row["created_ms"], row["id"]))
        return await self._opened(rows)

    async def _opened(self, rows: Sequence[convert.Row]) -> list[OutgoingMail]:
        """The claimed messages with their secrets; those that cannot be opened are given up at once."""
        claimed: list[OutgoingMail] = []
        unreadable: list[str] = []
        for row in rows:
            try:
                claimed.append(convert.mail_from_row(row, self._open(row["id"], row["secrets"])))
            except SealError:
                unreadable.append(row["id"])
        if unreadable:
            await self._give_up(unreadable, _UNSEALABLE)
        return claimed

    async def mark_sent(self, mail_id: str, now: datetime) -> None:
        values = {"state": "sent", "sent_ms": convert.to_ms(now), "secrets": _BLANK, **_RELEASE}
        await self._conn.execute(update(outbox).where(outbox.c.id == mail_id).values(values))

    async def mark_failed(self, mail_id: str, error: str, next_attempt_at: datetime | None, now: datetime) -> None:
        """Counts the attempt and keeps the error (secrets redacted); gives up when `next_attempt_at` is None."""
        sealed = (await self._conn.execute(select(outbox.c.secrets).where(outbox.c.id == mail_id))).scalar()
        if sealed is None:
            return
        values: dict[str, Any] = {
            "attempts": outbox.c.attempts + 1,
            "last_error": redact(error, self._open_or_blank(mail_id, sealed).values()),
            **_RELEASE,
        }
        if next_attempt_at is None:
            values.update(state="failed", secrets=_BLANK)
        else:
            values["next_attempt_ms"] = convert.to_ms(next_attempt_at)
        await self._conn.execute(update(outbox).where(outbox.c.id == mail_id).values(values))

    async def expire(self, now: datetime) -> int:
        now_ms = convert.to_ms(now)
        statement = (
            update(outbox)
            .where(outbox.c.state == "pending", outbox.c.expires_ms <= now_ms)
            .values(state="expired", secrets=_BLANK, **_RELEASE)
        )
        return int((await self._conn.execute(statement)).rowcount)

    async def list(self, *, to: str | None = None, limit: int = 100) -> list[OutgoingMail]:
        """Newest first; secrets that are blank (or cannot be opened) come back as {}."""
        query = select(outbox).order_by(outbox.c.created_ms.desc(), outbox.c.id.desc()).limit(limit)
        if to is not None:
            query = query.where(outbox.c.to_key == canonical(to))
        rows = (await self._conn.execute(query)).mappings()
        return [convert.mail_from_row(row, self._open_or_blank(row["id"], row["secrets"])) for row in rows]

    async def _give_up(self, mail_ids: Sequence[str], error: str) -> None:
        values = {"state": "failed", "secrets": _BLANK, "last_error": error, "attempts": outbox.c.attempts + 1}
        await self._conn.execute(update(outbox).where(outbox.c.id.in_(mail_ids)).values({**values, **_RELEASE}))

    def _seal(self, mail_id: str, secrets: dict[str, str]) -> str:
        """Sealed JSON bound to the message id (a sealed value moved to another row does not open)."""
        if not secrets:
            return _BLANK
        return self._sealer.seal(convert.dump_profile(secrets), associated=mail_id)

    def _open(self, mail_id: str, sealed: str) -> dict[str, str]:
        if not sealed:
            return {}
        return convert.load_profile(self._sealer.open(sealed, associated=mail_id))

    def _open_or_blank(self, mail_id: str, sealed: str) -> dict[str, str]:
        try:
            return self._open(mail_id, sealed)
        except SealError:
            return {}

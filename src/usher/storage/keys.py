"""SigningKeyRepository over SQLAlchemy Core: JWT signing keys per app, private parts sealed at rest.

Only `current` opens the private part: it is the one key that signs. Keys read to verify or to publish
(`by_kid`, `published`, `for_app`) come back as verification views whose `private_pem` is "", so the hot
verification path and JWKS never decrypt private material.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.errors import Unavailable
from usher.core.models import SigningKey
from usher.security.sealing import Sealer, SealError
from usher.storage import convert
from usher.storage.tables import signing_keys

_PUBLIC_COLUMNS = [column for column in signing_keys.c if column.name != "private_pem"]
_NEWEST_FIRST = (signing_keys.c.created_ms.desc(), signing_keys.c.kid.desc())
_CURRENT = (
    select(signing_keys)
    .where(signing_keys.c.app_id == bindparam("app_id"), signing_keys.c.retired_ms.is_(None))
    .order_by(*_NEWEST_FIRST)
    .limit(1)
)
_BY_KID = select(*_PUBLIC_COLUMNS).where(signing_keys.c.kid == bindparam("kid"))


class SqlSigningKeyRepository:
    def __init__(self, conn: AsyncConnection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    async def insert(self, key: SigningKey) -> None:
        sealed = self._sealer.seal(key.private_pem, associated=key.kid)
        await self._conn.execute(insert(signing_keys).values(convert.signing_key_to_row(key, sealed)))

    async def current(self, app_id: str) -> SigningKey | None:
        row = (await self._conn.execute(_CURRENT, {"app_id": app_id})).mappings().first()
        if row is None:
            return None
        try:
            private_pem = self._sealer.open(row["private_pem"], associated=row["kid"])
        except SealError:
            raise Unavailable(
                f"signing key {row['kid']} cannot be opened: was USHER_SECRET_KEY changed?", retry_after=60
            ) from None
        return convert.signing_key_from_row(row, private_pem)

    async def by_kid(self, kid: str) -> SigningKey | None:
        row = (await self._conn.execute(_BY_KID, {"kid": kid})).mappings().first()
        return None if row is None else convert.signing_key_from_row(row, "")

    async def published(self, now: datetime) -> list[SigningKey]:
        query = (
            select(*_PUBLIC_COLUMNS)
            .where(or_(signing_keys.c.drop_ms.is_(None), signing_keys.c.drop_ms > convert.to_ms(now)))
            .order_by(*_NEWEST_FIRST)
        )
        return [convert.signing_key_from_row(row, "") for row in (await self._conn.execute(query)).mappings()]

    async def for_app(self, app_id: str) -> list[SigningKey]:
        query = select(*_PUBLIC_COLUMNS).where(signing_keys.c.app_id == app_id).order_by(*_NEWEST_FIRST)
        return [convert.signing_key_from_row(row, "") for row in (await self._conn.execute(query)).mappings()]

    async def retire_others(self, app_id: str, keep_kid: str, at: datetime, drop_at: datetime) -> int:
        """Keys retired earlier keep their own (earlier) drop time."""
        statement = (
            update(signing_keys)
            .where(
                signing_keys.c.app_id == app_id,
                signing_keys.c.kid != keep_kid,
                signing_keys.c.retired_ms.is_(None),
            )
            .values(retired_ms=convert.to_ms(at), drop_ms=convert.to_ms(drop_at))
        )
        return int((await self._conn.execute(statement)).rowcount)

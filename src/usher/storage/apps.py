"""AppRepository over SQLAlchemy Core: applications, their settings and secret-key digests."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.errors import Conflict
from usher.core.models import App, AppSecret, AppSettings
from usher.storage import convert
from usher.storage.tables import apps

_FIND_BY_SECRET = select(apps).where(
    or_(
        apps.c.secret_digest == bindparam("digest"),
        and_(
            apps.c.previous_secret_digest == bindparam("digest"),
            apps.c.previous_secret_expires_ms > bindparam("now"),
        ),
    )
)


class SqlAppRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, app_id: str) -> App | None:
        row = (await self._conn.execute(select(apps).where(apps.c.id == app_id))).mappings().first()
        return None if row is None else convert.app_from_row(row)

    async def list(self) -> list[App]:
        rows = (await self._conn.execute(select(apps).order_by(apps.c.created_ms, apps.c.id))).mappings()
        return [convert.app_from_row(row) for row in rows]

    async def insert(self, app: App) -> App:
        """Stores the id, name and settings (secrets go through `set_secret`); Conflict("id") if taken."""
        created_ms, updated_ms = convert.to_ms(app.created_at), convert.to_ms(app.updated_at)
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(apps).values(
                        id=app.id,
                        name=app.name,
                        settings=convert.dump_settings(app.settings),
                        created_ms=created_ms,
                        updated_ms=updated_ms,
                    )
                )
        except IntegrityError:
            raise Conflict("id", "an app with this id already exists") from None
        return dataclasses.replace(app, created_at=convert.from_ms(created_ms), updated_at=convert.from_ms(updated_ms))

    async def update_settings(self, app_id: str, settings: AppSettings, at: datetime) -> App | None:
        result = await self._conn.execute(
            update(apps)
            .where(apps.c.id == app_id)
            .values(settings=convert.dump_settings(settings), updated_ms=convert.to_ms(at))
        )
        return await self.get(app_id) if result.rowcount else None

    async def get_secret(self, app_id: str) -> AppSecret | None:
        query = select(
            apps.c.id, apps.c.secret_digest, apps.c.previous_secret_digest, apps.c.previous_secret_expires_ms
        ).where(apps.c.id == app_id)
        row = (await self._conn.execute(query)).mappings().first()
        return None if row is None else convert.app_secret_from_row(row)

    async def set_secret(self, secret: AppSecret, at: datetime) -> None:
        values = {
            "secret_digest": secret.digest,
            "previous_secret_digest": secret.previous_digest,
            "previous_secret_expires_ms": convert.opt_to_ms(secret.previous_expires_at),
            "updated_ms": convert.to_ms(at),
        }
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(update(apps).where(apps.c.id == secret.app_id).values(values))
        except IntegrityError:  # a digest collision: only a reused key can cause it
            raise Conflict("secret", "this secret key is already in use") from None

    async def find_by_secret_digest(self, digest: str, now: datetime) -> App | None:
        result = await self._conn.execute(_FIND_BY_SECRET, {"digest": digest, "now": convert.to_ms(now)})
        row = result.mappings().first()
        return None if row is None else convert.app_from_row(row)

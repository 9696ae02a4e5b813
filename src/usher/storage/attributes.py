"""AttributeRepository over SQLAlchemy Core: per-user key/value attributes with a serial id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.errors import NotFound
from usher.storage.tables import user_attributes, users


def _user_number(app_id: str, user_id: str) -> Any:
    return select(users.c.number).where(users.c.app_id == app_id, users.c.id == user_id).scalar_subquery()


class SqlAttributeRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def upsert(self, app_id: str, user_id: str, key: str, value: str) -> None:
        """Sets one attribute (its id stays when the value changes); NotFound("user") for an unknown user."""
        query = select(users.c.number).where(users.c.app_id == app_id, users.c.id == user_id)
        number = (await self._conn.execute(query)).scalar()
        if number is None:
            raise NotFound("user")
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(user_attributes).values(user_number=number, key=key, value=value)
        statement = statement.on_conflict_do_update(
            index_elements=[user_attributes.c.user_number, user_attributes.c.key],
            set_={"value": statement.excluded.value},
        )
        await self._conn.execute(statement)

    async def list(self, app_id: str, user_id: str) -> list[tuple[int, str, str]]:
        """Sorted in Python: PostgreSQL's collation would order text differently from SQLite's bytes."""
        query = select(user_attributes.c.id, user_attributes.c.key, user_attributes.c.value).where(
            user_attributes.c.user_number == _user_number(app_id, user_id)
        )
        found = [(int(row.id), str(row.key), str(row.value)) for row in await self._conn.execute(query)]
        return sorted(found, key=lambda item: item[1])

    async def delete(
        self, app_id: str, user_id: str, *, key: str | None = None, attribute_id: int | None = None
    ) -> bool:
        """Deletes the user's attribute named by key or id (both given: it must match both)."""
        if key is None and attribute_id is None:
            return False
        statement = delete(user_attributes).where(user_attributes.c.user_number == _user_number(app_id, user_id))
        if key is not None:
            statement = statement.where(user_attributes.c.key == key)
        if attribute_id is not None:
            statement = statement.where(user_attributes.c.id == attribute_id)
        return bool((await self._conn.execute(statement)).rowcount)

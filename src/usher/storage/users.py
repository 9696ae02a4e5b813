"""UserRepository over SQLAlchemy Core: accounts, and the identifiers that keep emails and usernames unique."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, false, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from usher.core.errors import Conflict, NotFound, UsherError
from usher.core.identity import canonical
from usher.core.models import Credentials, NewUser, Page, User, UserChanges
from usher.storage import convert
from usher.storage.tables import apps, identifiers, users

_BY_ID = select(users).where(users.c.app_id == bindparam("app_id"), users.c.id == bindparam("user_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_BY_KEY = (
    select(users)
    .join(identifiers, identifiers.c.user_number == users.c.number)
    .where(identifiers.c.app_id == bindparam("app_id"), identifiers.c.key == bindparam("key"))
)
_BY_EMAIL = _BY_KEY.where(users.c.email_key == bindparam("key"))
_BY_USERNAME = _BY_KEY.where(users.c.username_key == bindparam("key"))
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_PLAIN_CHANGES = ("username", "email", "first_name", "last_name", "language", "permission_level", "is_admin")


def _key(display: str | None, given: str | None) -> str | None:
    """The canonical form the core computed; computed here only if a caller forgot it."""
    if display is None:
        return None
    return given if given is not None else canonical(display)


def _identifier_rows(app_id: str, number: int, email_key: str | None, username_key: str | None) -> list[Any]:
    """One row per distinct key: a username equal to the user's own email is stored once, as "email"."""
    rows = []
    if email_key is not None:
        rows.append({"app_id": app_id, "key": email_key, "user_number": number, "kind": "email"})
    if username_key is not None and username_key != email_key:
        rows.append({"app_id": app_id, "key": username_key, "user_number": number, "kind": "username"})
    return rows


class SqlUserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def insert(self, user: NewUser, email_key: str | None, username_key: str | None, at: datetime) -> User:
        email_key, username_key = _key(user.email, email_key), _key(user.username, username_key)
        at_ms = convert.to_ms(at)
        values: dict[str, Any] = {
            "app_id": user.app_id,
            "id": user.id,
            "username": user.username,
            "email": user.email,
            "username_key": username_key,
            "email_key": email_key,
            "password_hash": user.password_hash,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "profile": convert.dump_profile(user.profile),
            "permission_level": user.permission_level,
            "is_admin": user.is_admin,
            "disabled": False,
            "email_verified": user.email_verified,
            "email_verified_ms": at_ms if user.email_verified else None,
            "created_ms": at_ms,
            "updated_ms": at_ms,
            "last_signin_ms": None,
            "password_changed_ms": at_ms if user.password_hash is not None else None,
        }
        if user.first_user_admin:
            values["is_admin"] = user.is_admin or await self._is_first(user.app_id)
        try:
            async with self._conn.begin_nested():
                result = await self._conn.execute(insert(users).values(values).returning(users.c.number))
                number = int(result.scalar_one())
                rows = _identifier_rows(user.app_id, number, email_key, username_key)
                if rows:
                    await self._conn.execute(insert(identifiers), rows)
        except IntegrityError:
            raise await self._conflict(user.app_id, user.id, email_key, username_key) from None
        return convert.user_from_row({**values, "number": number})

    async def _is_first(self, app_id: str) -> bool:
        """No user in the app yet. Locks the app row first (PostgreSQL; SQLite write units are serialised),
        so of two simultaneous first sign-ups the second waits and then sees the first."""
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(select(apps.c.id).where(apps.c.id == app_id).with_for_update())
        found = await self._conn.execute(select(users.c.number).where(users.c.app_id == app_id).limit(1))
        return found.first() is None

    async def get(self, app_id: str, user_id: str) -> User | None:
        return await self._one(_BY_ID, {"app_id": app_id, "user_id": user_id})

    async def get_by_number(self, app_id: str, number: int) -> User | None:
        if not _INT64_MIN <= number <= _INT64_MAX:  # SQLite would overflow; no such user anyway
            return None
        return await self._one(select(users).where(users.c.app_id == app_id, users.c.number == number), {})

    async def find_by_email(self, app_id: str, email_key: str) -> User | None:
        return await self._one(_BY_EMAIL, {"app_id": app_id, "key": email_key})

    async def find_by_username(self, app_id: str, username_key: str) -> User | None:
        return await self._one(_BY_USERNAME, {"app_id": app_id, "key": username_key})

    async def credentials_by_identifier(self, app_id: str, key: str) -> Credentials | None:
        row = (await self._conn.execute(_BY_KEY, {"app_id": app_id, "key": key})).mappings().first()
        return None if row is None else Credentials(convert.user_from_row(row), row["password_hash"])

    async def credentials(self, app_id: str, user_id: str, *, lock: bool = False) -> Credentials | None:
        """`lock` holds the user's row until the unit ends (PostgreSQL; SQLite write units hold the database)."""
        query = _BY_ID_LOCKED if lock and self._conn.dialect.name == "postgresql" else _BY_ID
        row = (await self._conn.execute(query, {"app_id": app_id, "user_id": user_id})).mappings().first()
        return None if row is None else Credentials(convert.user_from_row(row), row["password_hash"])

    async def update(
        self,
        app_id: str,
        user_id: str,
        changes: UserChanges,
        email_key: str | None,
        username_key: str | None,
        at: datetime,
    ) -> User | None:
        query = select(users.c.number, users.c.email_key, users.c.username_key).where(
            users.c.app_id == app_id, users.c.id == user_id
        )
        current = (await self._conn.execute(query)).mappings().first()
        if current is None:
            return None
        values: dict[str, Any] = {name: getattr(changes, name) for name in _PLAIN_CHANGES}
        values = {name: value for name, value in values.items() if value is not None}
        if changes.profile is not None:
            values["profile"] = convert.dump_profile(changes.profile)
        if changes.email_verified is not None:
            values["email_verified"] = changes.email_verified
            values["email_verified_ms"] = convert.to_ms(at) if changes.email_verified else None
        values["updated_ms"] = convert.to_ms(at)
        new_email = _key(changes.email, email_key) if changes.email is not None else current["email_key"]
        new_username = _key(changes.username, username_key) if changes.username is not None else current["username_key"]
        values.update(email_key=new_email, username_key=new_username)
        number = int(current["number"])
        if (new_email, new_username) == (current["email_key"], current["username_key"]):
            return await self._update(number, values)
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(delete(identifiers).where(identifiers.c.user_number == number))
                rows = _identifier_rows(app_id, number, new_email, new_username)
                if rows:
                    await self._conn.execute(insert(identifiers), rows)
                return await self._update(number, values)
        except IntegrityError:
            raise await self._conflict(app_id, None, new_email, new_username, exclude=number) from None

    async def set_password_hash(self, app_id: str, user_id: str, password_hash: str, at: datetime) -> None:
        at_ms = convert.to_ms(at)
        await self._conn.execute(
            update(users)
            .where(users.c.app_id == app_id, users.c.id == user_id)
            .values(password_hash=password_hash, password_changed_ms=at_ms, updated_ms=at_ms)
        )

    async def upgrade_password_hash(self, app_id: str, user_id: str, old_hash: str, new_hash: str) -> None:
        await self._conn.execute(
            update(users)
            .where(users.c.app_id == app_id, users.c.id == user_id, users.c.password_hash == old_hash)
            .values(password_hash=new_hash)
        )

    async def set_disabled(self, app_id: str, user_id: str, disabled: bool, at: datetime) -> User | None:
        statement = (
            update(users)
            .where(users.c.app_id == app_id, users.c.id == user_id)
            .values(disabled=disabled, updated_ms=convert.to_ms(at))
            .returning(*users.c)
        )
        row = (await self._conn.execute(statement)).mappings().first()
        return None if row is None else convert.user_from_row(row)

    async def set_email_verified(self, app_id: str, user_id: str, email_key: str, at: datetime) -> User | None:
        """Marks the email verified while the user's address is still `email_key`; None otherwise. Verifying
        again leaves the first verification time (and `updated_at`) as they were."""
        at_ms = convert.to_ms(at)
        statement = (
            update(users)
            .where(
                users.c.app_id == app_id,
                users.c.id == user_id,
                users.c.email_key == email_key,
                users.c.email_verified == false(),
            )
            .values(email_verified=True, email_verified_ms=at_ms, updated_ms=at_ms)
            .returning(*users.c)
        )
        row = (await self._conn.execute(statement)).mappings().first()
        if row is not None:
            return convert.user_from_row(row)
        query = select(users).where(users.c.app_id == app_id, users.c.id == user_id, users.c.email_key == email_key)
        return await self._one(query, {})

    async def record_signin(self, app_id: str, user_id: str, at: datetime) -> None:
        await self._conn.execute(
            update(users)
            .where(users.c.app_id == app_id, users.c.id == user_id)
            .values(last_signin_ms=convert.to_ms(at))
        )

    async def delete(self, app_id: str, user_id: str) -> bool:
        """Deletes the user; identifiers and sessions go with it (ON DELETE CASCADE)."""
        result = await self._conn.execute(delete(users).where(users.c.app_id == app_id, users.c.id == user_id))
        return bool(result.rowcount)

    async def list(self, app_id: str, limit: int, offset: int) -> Page:
        count = select(func.count()).select_from(users).where(users.c.app_id == app_id)
        total = int((await self._conn.execute(count)).scalar_one())
        query = (
            select(users)
            .where(users.c.app_id == app_id)
            .order_by(users.c.created_ms, users.c.number)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._conn.execute(query)).mappings()
        return Page(users=[convert.user_from_row(row) for row in rows], total=total, limit=limit, offset=offset)

    async def _one(self, statement: Any, params: dict[str, Any]) -> User | None:
        row = (await self._conn.execute(statement, params)).mappings().first()
        return None if row is None else convert.user_from_row(row)

    async def _update(self, number: int, values: dict[str, Any]) -> User:
        statement = update(users).where(users.c.number == number).values(values).returning(*users.c)
        return convert.user_from_row((await self._conn.execute(statement)).mappings().one())

    async def _conflict(
        self,
        app_id: str,
        user_id: str | None,
        email_key: str | None,
        username_key: str | None,
        *,
        exclude: int | None = None,
    ) -> UsherError:
        """Which identifier a unique violation was about (SQLite does not name the constraint)."""
        if user_id is not None and await self.get(app_id, user_id) is not None:
            return Conflict("id")
        keys: Sequence[str] = [key for key in (email_key, username_key) if key is not None]
        query = select(identifiers.c.key).where(identifiers.c.app_id == app_id, identifiers.c.key.in_(keys))
        if exclude is not None:
            query = query.where(identifiers.c.user_number != exclude)
        taken = set((await self._conn.execute(query)).scalars())
        if email_key in taken:
            return Conflict("email")
        if username_key in taken:
            return Conflict("username")
        app = await self._conn.execute(select(apps.c.id).where(apps.c.id == app_id))
        if app.first() is None:
            return NotFound("app")
        return Conflict("account")

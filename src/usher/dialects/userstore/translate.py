"""Pure functions between UserStore wire bodies and core dataclasses; times are ISO 8601 UTC with milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from usher.core.accounts import Registration
from usher.core.models import Page, User, UserChanges
from usher.dialects.userstore.schemas import CreateUserRequest, UpdateUserRequest


def iso(at: datetime | None) -> str | None:
    """`2014-08-04T23:48:34.288Z`; None for never."""
    if at is None:
        return None
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def user(found: User) -> dict[str, Any]:
    return {
        "id": found.id,
        "email": found.email,
        "username": found.username,
        "first_name": found.first_name,
        "last_name": found.last_name,
        "is_active": not found.disabled,
        "is_email_verified": found.email_verified,
        "last_signin": iso(found.last_signin_at),
        "updated_at": iso(found.updated_at),
        "created_at": iso(found.created_at),
    }


def page(found: Page) -> dict[str, Any]:
    return {
        "data": [user(u) for u in found.users],
        "pagination": {"total": found.total, "limit": found.limit, "offset": found.offset},
    }


def registration(body: CreateUserRequest) -> Registration:
    return Registration(
        password=body.password,
        email=body.email,
        username=body.username,
        first_name=body.first_name,
        last_name=body.last_name,
    )


def changes(body: UpdateUserRequest) -> UserChanges:
    return UserChanges(email=body.email, username=body.username, first_name=body.first_name, last_name=body.last_name)


def code_link(url: str) -> str:
    """`url?code={token}`, or `&code=` when the URL has a query already; a fragment stays at the end."""
    parts = urlsplit(url)
    query = f"{parts.query}&code={{token}}" if parts.query else "code={token}"
    return urlunsplit(parts._replace(query=query))

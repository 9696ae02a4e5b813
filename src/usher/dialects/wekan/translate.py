"""Pure functions from core dataclasses to WeKan's wire bodies; times are ISO 8601 UTC with milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from usher.core.accounts import Registration
from usher.core.models import IssuedSession, User
from usher.dialects.wekan.schemas import NewUserRequest


def iso(at: datetime) -> str:
    """`2017-12-15T00:47:26.303Z`, as JavaScript's Date.toISOString()."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def login(user_id: str, issued: IssuedSession | None) -> dict[str, Any]:
    """`{id, token, tokenExpires}`; the token is the session's secret (SPEC §6.2). No session (the app wants a
    verified email first): the id alone, with null token."""
    if issued is None:
        return {"id": user_id, "token": None, "tokenExpires": None}
    return {"id": user_id, "token": issued.token, "tokenExpires": iso(issued.session.expires_at)}


def document(user: User) -> dict[str, Any]:
    """A user document: never a password hash or login token."""
    emails = [{"address": user.email, "verified": user.email_verified}] if user.email else []
    return {
        "_id": user.id,
        "username": user.username,
        "emails": emails,
        "createdAt": iso(user.created_at),
        "modifiedAt": iso(user.updated_at),
        "profile": dict(user.profile),
        "isAdmin": user.is_admin,
        "loginDisabled": user.disabled,
        "authenticationMethod": "password",
        "services": {},
        "sessionData": {},
    }


def summary(user: User) -> dict[str, Any]:
    return {"_id": user.id, "username": user.username}


def registration(body: NewUserRequest, *, first_user_admin: bool = False) -> Registration:
    return Registration(
        password=body.password, email=body.email, username=body.username, first_user_admin=first_user_admin
    )

"""Typed results of the native API: frozen dataclasses read from its JSON bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _time(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _maybe_time(value: Any) -> datetime | None:
    return None if value is None else _time(value)


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str | None
    email: str | None
    first_name: str
    last_name: str
    language: str
    profile: dict[str, str]
    permission_level: int
    is_admin: bool
    disabled: bool
    email_verified: bool
    email_verified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_signin_at: datetime | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> User:
        return cls(
            id=body["id"],
            username=body.get("username"),
            email=body.get("email"),
            first_name=body.get("first_name", ""),
            last_name=body.get("last_name", ""),
            language=body.get("language", ""),
            profile=dict(body.get("profile") or {}),
            permission_level=int(body.get("permission_level", 0)),
            is_admin=bool(body.get("is_admin", False)),
            disabled=bool(body.get("disabled", False)),
            email_verified=bool(body.get("email_verified", False)),
            email_verified_at=_maybe_time(body.get("email_verified_at")),
            created_at=_time(body["created_at"]),
            updated_at=_time(body["updated_at"]),
            last_signin_at=_maybe_time(body.get("last_signin_at")),
        )


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    client_address: str | None
    user_agent: str | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Session:
        return cls(
            id=body["id"],
            created_at=_time(body["created_at"]),
            expires_at=_time(body["expires_at"]),
            last_seen_at=_time(body["last_seen_at"]),
            client_address=body.get("client_address"),
            user_agent=body.get("user_agent"),
        )


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A new session and its secret token (send it as `Authorization: Bearer <token>`)."""

    session: Session
    token: str = field(repr=False)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> IssuedSession:
        return cls(session=Session.from_json(body), token=body["token"])


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A user and their new session; `session` is None after sign-up when the app wants a verified email first."""

    user: User
    session: IssuedSession | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> SignedIn:
        issued = body.get("session")
        return cls(user=User.from_json(body["user"]), session=IssuedSession.from_json(issued) if issued else None)


@dataclass(frozen=True, slots=True)
class Me:
    """Who-am-I: the user and the session behind the token."""

    user: User
    session: Session

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Me:
        return cls(user=User.from_json(body["user"]), session=Session.from_json(body["session"]))


@dataclass(frozen=True, slots=True)
class TokenPair:
    """A JWT access token and its one-use refresh token, with lifetimes in seconds."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    refresh_expires_in: int
    token_type: str
    user: User

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> TokenPair:
        return cls(
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            expires_in=int(body["expires_in"]),
            refresh_expires_in=int(body["refresh_expires_in"]),
            token_type=body.get("token_type", "Bearer"),
            user=User.from_json(body["user"]),
        )


@dataclass(frozen=True, slots=True)
class Page:
    users: list[User]
    total: int
    limit: int
    offset: int

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Page:
        users = [User.from_json(u) for u in body["users"]]
        return cls(users=users, total=int(body["total"]), limit=int(body["limit"]), offset=int(body["offset"]))


@dataclass(frozen=True, slots=True)
class AuditEvent:
    type: str
    outcome: str
    at: datetime
    user_id: str | None
    client_address: str | None
    user_agent: str | None
    detail: dict[str, Any]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> AuditEvent:
        return cls(
            type=body["type"],
            outcome=body["outcome"],
            at=_time(body["at"]),
            user_id=body.get("user_id"),
            client_address=body.get("client_address"),
            user_agent=body.get("user_agent"),
            detail=dict(body.get("detail") or {}),
        )


def users_of(body: dict[str, Any]) -> list[User]:
    return [User.from_json(u) for u in body["users"]]


def sessions_of(body: dict[str, Any]) -> list[Session]:
    return [Session.from_json(s) for s in body["sessions"]]


def events_of(body: dict[str, Any]) -> list[AuditEvent]:
    return [AuditEvent.from_json(e) for e in body["events"]]


def user_in(body: dict[str, Any]) -> User:
    return User.from_json(body["user"])

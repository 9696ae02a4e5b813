"""Small builders for storage tests: users, sessions, codes, mail and times that survive a millisecond round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from usher.core.identity import canonical
from usher.core.models import App, AppSettings, MailOverrides, NewSession, NewUser, OneTimeCode, OutgoingMail, User
from usher.core.ports import UnitOfWork
from usher.security.sealing import Sealer

T0 = datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
APP = "default"
SEALER = Sealer(b"storage tests: a fixed 32-byte key")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def new_app(app_id: str, *, when: datetime = T0) -> App:
    return App(app_id, f"App {app_id}", AppSettings(), when, when)


def new_user(
    user_id: str,
    *,
    email: str | None = None,
    username: str | None = None,
    app_id: str = APP,
    password_hash: str | None = "hash",
) -> NewUser:
    return NewUser(app_id=app_id, id=user_id, username=username, email=email, password_hash=password_hash)


async def add_user(
    uow: UnitOfWork,
    user_id: str,
    *,
    email: str | None = None,
    username: str | None = None,
    app_id: str = APP,
    when: datetime = T0,
) -> User:
    """Inserts with the canonical keys the core would compute."""
    user = new_user(user_id, email=email, username=username, app_id=app_id)
    return await uow.users.insert(user, keys(email), keys(username), when)


def keys(value: str | None) -> str | None:
    return None if value is None else canonical(value)


def new_session(
    session_id: str,
    user_id: str,
    *,
    digest: str | None = None,
    created: datetime = T0,
    ttl: float = 3600,
    app_id: str = APP,
    user_agent: str | None = "agent",
) -> NewSession:
    return NewSession(
        id=session_id,
        app_id=app_id,
        user_id=user_id,
        token_digest=digest or f"digest-{session_id}",
        created_at=created,
        expires_at=created + timedelta(seconds=ttl),
        client_address="192.0.2.1",
        user_agent=user_agent,
    )


def new_code(
    code_id: str,
    user_id: str,
    *,
    purpose: str = "verify_email",
    short: bool = False,
    created: datetime = T0,
    ttl: float = 600,
    app_id: str = APP,
    email: str | None = "alice@example.com",
) -> OneTimeCode:
    return OneTimeCode(
        id=code_id,
        app_id=app_id,
        user_id=user_id,
        purpose=purpose,
        short=short,
        digest=f"digest-{code_id}",
        salt="salt" if short else None,
        email=email,
        created_at=created,
        expires_at=created + timedelta(seconds=ttl),
        redirect_url="https://app.example/ok",
        failure_redirect_url="https://app.example/failed",
    )


def new_mail(
    mail_id: str,
    *,
    to: str = "Alice@Example.com",
    code: str = "CODE-123456",
    created: datetime = T0,
    ttl: float = 600,
    app_id: str = APP,
) -> OutgoingMail:
    link = f"https://app.example/verify?token={code}"
    return OutgoingMail(
        id=mail_id,
        app_id=app_id,
        to=to,
        purpose="verify_email",
        variables={"app_name": "default", "email": to},
        secrets={"code": code, "link": link},
        overrides=MailOverrides(subject="Hello", text="Your code: $code"),
        created_at=created,
        expires_at=created + timedelta(seconds=ttl),
    )

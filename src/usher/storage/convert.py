"""Rows to core dataclasses and back: epoch milliseconds, JSON columns. The only place rows become models."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from usher.core.app_settings import settings_from_dict, settings_to_dict
from usher.core.models import (
    App,
    AppSecret,
    AppSettings,
    AuditEvent,
    MailOverrides,
    OneTimeCode,
    OutgoingMail,
    RefreshToken,
    Session,
    SigningKey,
    User,
)
from usher.storage.tables import USER_AGENT_MAX

Row = Mapping[Any, Any]  # a RowMapping or a dict of column values

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(at: datetime) -> int:
    """Epoch milliseconds (UTC); a naive datetime is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - _EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def opt_to_ms(at: datetime | None) -> int | None:
    return None if at is None else to_ms(at)


def opt_from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def dump_json(data: Mapping[str, Any]) -> str:
    return orjson.dumps(data, default=str).decode()


def load_json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    data = orjson.loads(text)
    return data if isinstance(data, dict) else {}


def dump_profile(profile: Mapping[str, str]) -> str:
    return dump_json({str(key): str(value) for key, value in profile.items()})


def load_profile(text: str | None) -> dict[str, str]:
    return {str(key): str(value) for key, value in load_json(text).items()}


def dump_settings(settings: AppSettings) -> str:
    return dump_json(settings_to_dict(settings))


def user_agent(value: str | None) -> str | None:
    return None if value is None else value[:USER_AGENT_MAX]


def app_from_row(row: Row) -> App:
    return App(
        id=row["id"],
        name=row["name"],
        settings=settings_from_dict(load_json(row["settings"])),
        created_at=from_ms(row["created_ms"]),
        updated_at=from_ms(row["updated_ms"]),
        has_secret=row["secret_digest"] is not None,
    )


def app_secret_from_row(row: Row) -> AppSecret:
    return AppSecret(
        app_id=row["id"],
        digest=row["secret_digest"],
        previous_digest=row["previous_secret_digest"],
        previous_expires_at=opt_from_ms(row["previous_secret_expires_ms"]),
    )


def user_from_row(row: Row) -> User:
    return User(
        app_id=row["app_id"],
        id=row["id"],
        number=int(row["number"]),
        username=row["username"],
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        language=row["language"],
        profile=load_profile(row["profile"]),
        permission_level=int(row["permission_level"]),
        is_admin=bool(row["is_admin"]),
        disabled=bool(row["disabled"]),
        email_verified=bool(row["email_verified"]),
        email_verified_at=opt_from_ms(row["email_verified_ms"]),
        created_at=from_ms(row["created_ms"]),
        updated_at=from_ms(row["updated_ms"]),
        last_signin_at=opt_from_ms(row["last_signin_ms"]),
        password_changed_at=opt_from_ms(row["password_changed_ms"]),
        has_password=row["password_hash"] is not None,
    )


def session_from_row(row: Row, *, prefix: str = "") -> Session:
    """A session from its columns (named `prefix + column`) and the owner's id in `user_id`."""
    return Session(
        id=row[prefix + "id"],
        app_id=row[prefix + "app_id"],
        user_id=row["user_id"],
        created_at=from_ms(row[prefix + "created_ms"]),
        expires_at=from_ms(row[prefix + "expires_ms"]),
        last_seen_at=from_ms(row[prefix + "last_seen_ms"]),
        client_address=row[prefix + "client_address"],
        user_agent=row[prefix + "user_agent"],
    )


def audit_from_row(row: Row) -> AuditEvent:
    return AuditEvent(
        app_id=row["app_id"],
        type=row["type"],
        outcome=row["outcome"],
        at=from_ms(row["at_ms"]),
        user_id=row["user_id"],
        client_address=row["client_address"],
        user_agent=row["user_agent"],
        detail=load_json(row["detail"]),
    )


def audit_to_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "app_id": event.app_id,
        "user_id": event.user_id,
        "type": event.type,
        "outcome": event.outcome,
        "at_ms": to_ms(event.at),
        "client_address": event.client_address,
        "user_agent": user_agent(event.user_agent),
        "detail": dump_json(event.detail),
    }


def code_from_row(row: Row) -> OneTimeCode:
    """A code from its columns and the owner's id in `user_id`."""
    return OneTimeCode(
        id=row["id"],
        app_id=row["app_id"],
        user_id=row["user_id"],
        purpose=row["purpose"],
        short=bool(row["short"]),
        digest=row["digest"],
        salt=row["salt"],
        email=row["email"],
        created_at=from_ms(row["created_ms"]),
        expires_at=from_ms(row["expires_ms"]),
        used_at=opt_from_ms(row["used_ms"]),
        attempts=int(row["attempts"]),
        redirect_url=row["redirect_url"],
        failure_redirect_url=row["failure_redirect_url"],
    )


def code_to_row(code: OneTimeCode, user_number: int) -> dict[str, Any]:
    return {
        "id": code.id,
        "app_id": code.app_id,
        "user_number": user_number,
        "purpose": code.purpose,
        "short": code.short,
        "digest": code.digest,
        "salt": code.salt,
        "email": code.email,
        "created_ms": to_ms(code.created_at),
        "expires_ms": to_ms(code.expires_at),
        "used_ms": opt_to_ms(code.used_at),
        "attempts": code.attempts,
        "redirect_url": code.redirect_url,
        "failure_redirect_url": code.failure_redirect_url,
    }


_OVERRIDE_FIELDS = ("subject", "text", "html", "from_name")


def dump_overrides(overrides: MailOverrides) -> str:
    return dump_json({name: getattr(overrides, name) for name in _OVERRIDE_FIELDS})


def load_overrides(text: str | None) -> MailOverrides:
    data = load_json(text)
    return MailOverrides(**{name: str(data[name]) for name in _OVERRIDE_FIELDS if data.get(name) is not None})


def mail_to_row(mail: OutgoingMail, to_key: str, sealed_secrets: str) -> dict[str, Any]:
    """The row of a message whose secrets the caller has already sealed."""
    return {
        "id": mail.id,
        "app_id": mail.app_id,
        "to_address": mail.to,
        "to_key": to_key,
        "purpose": mail.purpose,
        "variables": dump_profile(mail.variables),
        "secrets": sealed_secrets,
        "overrides": dump_overrides(mail.overrides),
        "created_ms": to_ms(mail.created_at),
        "expires_ms": to_ms(mail.expires_at),
        "state": mail.state,
        "attempts": mail.attempts,
        "next_attempt_ms": to_ms(mail.next_attempt_at or mail.created_at),
        "sent_ms": opt_to_ms(mail.sent_at),
        "last_error": mail.last_error,
    }


def mail_from_row(row: Row, secrets: dict[str, str]) -> OutgoingMail:
    """A message from its columns, with the secrets the caller opened."""
    return OutgoingMail(
        id=row["id"],
        app_id=row["app_id"],
        to=row["to_address"],
        purpose=row["purpose"],
        variables=load_profile(row["variables"]),
        secrets=secrets,
        overrides=load_overrides(row["overrides"]),
        created_at=from_ms(row["created_ms"]),
        expires_at=from_ms(row["expires_ms"]),
        state=row["state"],
        attempts=int(row["attempts"]),
        next_attempt_at=from_ms(row["next_attempt_ms"]),
        sent_at=opt_from_ms(row["sent_ms"]),
        last_error=row["last_error"],
    )


def signing_key_to_row(key: SigningKey, sealed_private_pem: str) -> dict[str, Any]:
    """The row of a key whose private part the caller has already sealed."""
    return {
        "kid": key.kid,
        "app_id": key.app_id,
        "alg": key.alg,
        "private_pem": sealed_private_pem,
        "public_jwk": dump_json(key.public_jwk),
        "created_ms": to_ms(key.created_at),
        "retired_ms": opt_to_ms(key.retired_at),
        "drop_ms": opt_to_ms(key.drop_at),
    }


def signing_key_from_row(row: Row, private_pem: str) -> SigningKey:
    """A key from its columns, with the private part the caller opened (or "" for a verification view)."""
    return SigningKey(
        kid=row["kid"],
        app_id=row["app_id"],
        alg=row["alg"],
        private_pem=private_pem,
        public_jwk=load_json(row["public_jwk"]),
        created_at=from_ms(row["created_ms"]),
        retired_at=opt_from_ms(row["retired_ms"]),
        drop_at=opt_from_ms(row["drop_ms"]),
    )


def refresh_token_from_row(row: Row) -> RefreshToken:
    """A refresh token from its columns and its session owner's id in `user_id`."""
    return RefreshToken(
        id=row["id"],
        app_id=row["app_id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        digest=row["digest"],
        created_at=from_ms(row["created_ms"]),
        expires_at=from_ms(row["expires_ms"]),
        parent_id=row["parent_id"],
        spent_at=opt_from_ms(row["spent_ms"]),
    )

"""Pure functions between M3O wire bodies and core dataclasses; times are strings of Unix seconds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from usher.core.accounts import Registration
from usher.core.models import Session, User, UserChanges
from usher.dialects.m3o.schemas import CreateRequest, UpdateRequest


def unix(at: datetime | None) -> str:
    """M3O's 64-bit times: Unix seconds as a string, "0" for never."""
    return str(int(at.timestamp())) if at is not None else "0"


def account(user: User) -> dict[str, Any]:
    verified_at = unix(user.email_verified_at) if user.email_verified else "0"
    return {
        "id": user.id,
        "username": user.username or "",
        "email": user.email or "",
        "created": unix(user.created_at),
        "updated": unix(user.updated_at),
        "verified": user.email_verified,
        "verification_date": verified_at,
        "verificationDate": verified_at,
        "profile": dict(user.profile),
    }


def session(found: Session, token: str) -> dict[str, str]:
    """M3O's session id is the secret token (SPEC §6.2)."""
    return {
        "id": token,
        "created": unix(found.created_at),
        "expires": unix(found.expires_at),
        "userId": found.user_id,
    }


def registration(body: CreateRequest) -> Registration:
    """Empty strings are proto3's "not given"."""
    return Registration(
        password=body.password,
        email=body.email,
        username=body.username or None,
        user_id=body.id or None,
        profile=body.profile,
    )


def changes(body: UpdateRequest) -> UserChanges:
    """Only what was given changes; a non-empty profile replaces the whole map."""
    return UserChanges(username=body.username or None, email=body.email or None, profile=body.profile or None)

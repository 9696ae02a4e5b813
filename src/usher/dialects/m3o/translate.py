"""Pure functions between M3O wire bodies and core dataclasses; times are strings of Unix seconds."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from usher.core.accounts import Registration
from usher.core.models import IssuedSession, MailOverrides, Session, User, UserChanges
from usher.dialects.m3o.schemas import CreateRequest, MailText, UpdateRequest

VERIFY_PATH = "/m3o/user/verify"


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


def overrides(body: MailText) -> MailOverrides:
    """The caller's subject, text and sender name; empty strings leave the app's own template in place."""
    return MailOverrides(subject=body.subject or None, text=body.text_content or None, from_name=body.from_name or None)


def verification_link(public_url: str, redirect_url: str, failure_redirect_url: str) -> str:
    """The original's link shape. Its query values are only for show: the GET page redirects to the targets
    stored with the token, and the token itself names its app."""
    query = urlencode({"redirectUrl": redirect_url, "failureRedirectUrl": failure_redirect_url}, quote_via=quote)
    return f"{public_url}{VERIFY_PATH}?token={{token}}&{query}"


def magic_link(address: str, endpoint: str) -> str:
    """`https://{address}/{endpoint}/{token}`, path-joined (the schema stripped the endpoint's slashes)."""
    return "/".join(part for part in (f"https://{address}", endpoint, "{token}") if part)


def token_check(issued: IssuedSession | None, reason: str = "unknown") -> dict[str, Any]:
    """VerifyToken's answer: a new session for a good token; for a bad one why, and no session."""
    if issued is not None:
        return {"is_valid": True, "message": "", "session": session(issued.session, issued.token)}
    message = "token expired" if reason == "expired" else "token not found"
    return {"is_valid": False, "message": message, "session": None}

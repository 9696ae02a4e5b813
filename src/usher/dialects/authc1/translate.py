"""Pure functions between AuthC1 wire bodies and core dataclasses; times are integer Unix seconds."""

from __future__ import annotations

from typing import Any

from usher.core.accounts import Registration
from usher.core.models import TokenPair, User
from usher.dialects.authc1.schemas import RegisterRequest

RESET_MESSAGE = "If the address belongs to an account, a password reset code has been sent to it."
REFRESH_MESSAGE = "Session updated successfully"


def registration(body: RegisterRequest) -> Registration:
    """AuthC1 has one `name`: it is kept as the first name."""
    return Registration(password=body.password, email=body.email, first_name=body.name)


def display_name(user: User) -> str:
    return f"{user.first_name} {user.last_name}" if user.last_name else user.first_name


def lifetime(pair: TokenPair) -> tuple[int, int]:
    """`expires_in` and `expires_at` of the access token as minted: the app's own lifetime setting wins."""
    expires_at = int(pair.access_expires_at.timestamp())
    return expires_at - int(pair.issued_at.timestamp()), expires_at


def tokens(pair: TokenPair) -> dict[str, Any]:
    expires_in, expires_at = lifetime(pair)
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_in": expires_in,
        "expires_at": expires_at,
    }


def who(user: User) -> dict[str, Any]:
    return {"name": display_name(user), "local_id": user.id, "email": user.email or ""}


def login(pair: TokenPair) -> dict[str, Any]:
    """The seed's `{token, user}` plus the original's token fields; `token` is the access token."""
    user = pair.user
    return {
        "token": pair.access_token,
        **tokens(pair),
        "session_id": pair.session.id,
        "local_id": user.id,
        "email_verified": user.email_verified,
        "user": {
            "id": user.id,
            "local_id": user.id,
            "email": user.email or "",
            "name": display_name(user),
            "email_verified": user.email_verified,
        },
    }


def registered(pair: TokenPair) -> dict[str, Any]:
    return {**who(pair.user), **tokens(pair)}


def confirmed(pair: TokenPair) -> dict[str, Any]:
    return {**tokens(pair), **who(pair.user)}


def refreshed(pair: TokenPair) -> dict[str, Any]:
    """The token fields at the top level, and the original's `{message, data}` envelope around them too."""
    fields = tokens(pair)
    return {**fields, "message": REFRESH_MESSAGE, "data": dict(fields)}


def reset_requested(email: str) -> dict[str, Any]:
    """The same answer whether or not the address has an account: it echoes what the caller typed."""
    return {"email": email, "message": RESET_MESSAGE, "data": {"email": email}}

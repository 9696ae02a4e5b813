"""Native token API: a password for a JWT access token and a rotating refresh token; refresh them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from usher.core.models import TokenPair, TokenSpec
from usher.core.policy import NATIVE_SESSION_TTL
from usher.dialects.native import schemas as s
from usher.dialects.native.translate import user_out
from usher.http.context import request_context
from usher.http.deps import services
from usher.http.fields import PathId, Text

router = APIRouter(prefix="/apps/{app_id}", tags=["tokens"])

# SPEC §6.3: the native access token lives 15 minutes; its refresh token 30 days (the app's settings win).
NATIVE_ACCESS_TTL = 15 * 60
NATIVE_REFRESH_TTL = 30 * 24 * 3600
NATIVE_TOKENS = TokenSpec(access_ttl=NATIVE_ACCESS_TTL, refresh_ttl=NATIVE_REFRESH_TTL)


class TokenRequest(s.SignInRequest):
    """Sign in with a username or email and a password."""


class RefreshRequest(s.Strict):
    refresh_token: Text = Field(description="the refresh token of the last answer; each is good for one use")


class TokenOut(BaseModel):
    access_token: str = Field(description="a JWT: send it as `Authorization: Bearer <token>`; verify it with JWKS")
    token_type: str = Field(default="Bearer", examples=["Bearer"])
    expires_in: int = Field(description="seconds the access token is valid for")
    refresh_token: str = Field(description="opaque; exchange it at /token/refresh for a new pair, once")
    refresh_expires_in: int = Field(description="seconds the refresh token is valid for")
    user: s.UserOut


def token_out(pair: TokenPair) -> TokenOut:
    """Lifetimes as minted (the app's setting wins; a retried refresh reports what is left)."""
    refresh_left = (pair.refresh_expires_at - pair.issued_at) if pair.refresh_expires_at else None
    return TokenOut(
        access_token=pair.access_token,
        expires_in=int((pair.access_expires_at - pair.issued_at).total_seconds()),
        refresh_token=pair.refresh_token or "",
        refresh_expires_in=int(refresh_left.total_seconds()) if refresh_left else 0,
        user=user_out(pair.user),
    )


@router.post("/token", response_model=TokenOut, responses=s.ERRORS)
async def issue_tokens(app_id: PathId, body: TokenRequest, request: Request) -> TokenOut:
    """Sign in and get an access token (15 minutes) and a refresh token (30 days) for a new session."""
    svc = services(request)
    app = await svc.apps.get(app_id)
    ctx = request_context(request)
    signed = await svc.auth.sign_in(
        app, body.login, body.password, ctx, session_ttl=NATIVE_SESSION_TTL, tokens=NATIVE_TOKENS
    )
    assert signed.tokens is not None  # asked for
    return token_out(signed.tokens)


@router.post("/token/refresh", response_model=TokenOut, responses=s.ERRORS)
async def refresh_tokens(app_id: PathId, body: RefreshRequest, request: Request) -> TokenOut:
    """A new access token and a new refresh token; the old refresh token is spent (a retry within 10 s gets
    the same answer; a reuse later ends the session)."""
    svc = services(request)
    app = await svc.apps.get(app_id)
    pair = await svc.tokens.refresh(app, body.refresh_token, NATIVE_TOKENS, request_context(request))
    return token_out(pair)

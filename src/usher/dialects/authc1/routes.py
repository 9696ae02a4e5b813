"""AuthC1 email endpoints `POST /v1/{APPID}/email/...` and the refresh `POST /v1/{APPID}/accounts/access-token`.

Each route parses, calls the core, translates. Tokens are issued with `email_verified: false` before the address
is proved (SPEC §6.11): AuthC1's verify call itself needs an access token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from usher.core.mailing import Delivery
from usher.core.models import SIX_DIGITS, TokenSpec
from usher.dialects.authc1 import schemas as s
from usher.dialects.authc1 import translate as t
from usher.dialects.authc1.auth import app_of, open_call, signed_in, unverified
from usher.http.body import read_model, read_payload
from usher.http.context import request_context as _ctx
from usher.http.deps import services
from usher.http.responses import Json

ACCESS_TTL = 86400  # the original's `expires_in`; an app's own setting wins
REFRESH_TTL = 30 * 24 * 3600
SESSION_TTL = REFRESH_TTL  # a refresh token works only while its session lives
CODE_TTL = 180  # verification and reset codes: six digits, three minutes, as the original
SPEC = TokenSpec(access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL, rotate=True)

router = APIRouter(prefix="/v1/{app_id}", include_in_schema=False, default_response_class=Json)


@router.post("/email/login")
async def login(request: Request, app_id: str) -> Json:
    app, body = await open_call(request, app_id, s.LoginRequest)
    core = services(request)
    signed = await core.auth.sign_in(
        app, body.email, body.password, _ctx(request), session_ttl=SESSION_TTL, allow_unverified=True, tokens=SPEC
    )
    assert signed.tokens is not None  # asked for
    return Json(t.login(signed.tokens))


@router.post("/email/register")
async def register(request: Request, app_id: str) -> Json:
    app, body = await open_call(request, app_id, s.RegisterRequest)
    core = services(request)
    signed_up = await core.accounts.sign_up(
        app, t.registration(body), _ctx(request), session_ttl=SESSION_TTL, allow_unverified=True, tokens=SPEC
    )
    assert signed_up.tokens is not None  # asked for, and allow_unverified always opens a session
    return Json(t.registered(signed_up.tokens))


@router.post("/email/verify")
async def verify(request: Request, app_id: str) -> Json:
    """The payload is expected empty; a body is read (so broken JSON is refused) and ignored."""
    app = await app_of(request, app_id)
    access = await signed_in(request, app)
    await read_payload(request)
    user = unverified(access.user)
    await services(request).verification.send_verification_to(
        app, user, _ctx(request), fmt=SIX_DIGITS, ttl=CODE_TTL, delivery=Delivery()
    )
    return Json({"email": user.email or ""})


@router.post("/email/confirm")
async def confirm(request: Request, app_id: str) -> Json:
    """Verifies the address and answers fresh tokens (now `email_verified: true`) for the same session."""
    app = await app_of(request, app_id)
    access = await signed_in(request, app)
    body = await read_model(request, s.ConfirmRequest)
    core = services(request)
    user = await core.verification.verify_code(app, access.user, body.code, _ctx(request))
    pair = await core.tokens.issue(app, user, access.session, SPEC)
    return Json(t.confirmed(pair))


@router.post("/email/forgot-password")
async def forgot_password(request: Request, app_id: str) -> Json:
    """The same answer whether or not the address has an account."""
    app, body = await open_call(request, app_id, s.ForgotPasswordRequest)
    await services(request).recovery.request_reset(
        app, body.email, _ctx(request), fmt=SIX_DIGITS, ttl=CODE_TTL, delivery=Delivery()
    )
    return Json(t.reset_requested(body.email))


@router.post("/email/confirm-password")
async def confirm_password(request: Request, app_id: str) -> Json:
    """Sets the password with the mailed code; every session (and so every refresh token) of the user ends."""
    app, body = await open_call(request, app_id, s.ConfirmPasswordRequest)
    await services(request).recovery.reset_with_code(app, body.email, body.code, body.password, _ctx(request))
    return Json({"email": body.email})


@router.post("/accounts/access-token")
async def access_token(request: Request, app_id: str) -> Json:
    """New tokens for a refresh token, which rotates: the old one is spent (a retry within seconds gets the same
    successor; a later reuse ends the session)."""
    app, body = await open_call(request, app_id, s.RefreshRequest)
    pair = await services(request).tokens.refresh(app, body.refresh_token, SPEC, _ctx(request))
    return Json(t.refreshed(pair))

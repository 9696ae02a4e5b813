"""Native ways back in without a password: reset it by a mailed code or link, or sign in by a magic link."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from usher.core.policy import NATIVE_SESSION_TTL
from usher.dialects.native import schemas as s
from usher.dialects.native.delivery import MAGIC_TTL, RESET_TTL, app_link_plan
from usher.dialects.native.routes import ERRORS
from usher.dialects.native.translate import issued_out, user_out
from usher.http.context import request_context
from usher.http.deps import services
from usher.http.responses import empty

router = APIRouter(prefix="/apps/{app_id}", tags=["recovery"])


@router.post("/password/forgot", status_code=202, response_model=s.AcceptedOut, responses=ERRORS)
async def forgot_password(app_id: str, body: s.MailRequest, request: Request) -> s.AcceptedOut:
    """Mail a reset link (to `redirect_url?token=...`) or code. The answer is the same for every address."""
    svc = services(request)
    app = await svc.apps.get(app_id)
    plan = app_link_plan(app, body.method, body.redirect_url, RESET_TTL)
    await svc.recovery.request_reset(
        app, body.email, request_context(request), fmt=plan.fmt, ttl=plan.ttl, delivery=plan.delivery
    )
    return s.AcceptedOut()


@router.post("/password/reset", status_code=204, responses=ERRORS)
async def reset_password(app_id: str, body: s.PasswordResetRequest, request: Request) -> Response:
    """Set a new password with a link's `token`, or the `email` and its `code`; every session is signed out."""
    svc, ctx = services(request), request_context(request)
    app = await svc.apps.get(app_id)
    if body.token is not None:
        await svc.recovery.reset_with_token(app, body.token, body.new_password, ctx)
    else:
        email, code = body.pair()
        await svc.recovery.reset_with_code(app, email, code, body.new_password, ctx)
    return empty()


@router.post("/magic-link", status_code=202, response_model=s.AcceptedOut, responses=ERRORS)
async def request_magic_link(app_id: str, body: s.MailRequest, request: Request) -> s.AcceptedOut:
    """Mail a sign-in link (to `redirect_url?token=...`) or code. The answer is the same for every address."""
    svc = services(request)
    app = await svc.apps.get(app_id)
    plan = app_link_plan(app, body.method, body.redirect_url, MAGIC_TTL)
    await svc.verification.request_magic_link(
        app, body.email, request_context(request), fmt=plan.fmt, ttl=plan.ttl, delivery=plan.delivery
    )
    return s.AcceptedOut()


@router.post("/magic-link/redeem", response_model=s.SignInOut, responses=ERRORS)
async def redeem_magic_link(app_id: str, body: s.TokenOrCode, request: Request) -> s.SignInOut:
    """Sign in with a magic link's `token`, or the `email` and its `code`; it also verifies the address."""
    svc, ctx = services(request), request_context(request)
    app = await svc.apps.get(app_id)
    if body.token is not None:
        result = await svc.verification.redeem_magic_link(app, body.token, ctx, session_ttl=NATIVE_SESSION_TTL)
    else:
        email, code = body.pair()
        result = await svc.verification.redeem_magic_code(app, email, code, ctx, session_ttl=NATIVE_SESSION_TTL)
    return s.SignInOut(user=user_out(result.user), session=issued_out(result.issued))

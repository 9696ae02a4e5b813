"""UserStore authentication endpoints: `POST /1/auth/{signin|signout|confirm|verify|forgot-password|reset-password}`."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request

from usher.core.mailing import Delivery
from usher.core.models import TOKEN
from usher.dialects.userstore import schemas as s
from usher.dialects.userstore import translate as t
from usher.dialects.userstore.auth import backend_context as _ctx
from usher.dialects.userstore.auth import open_call as _open
from usher.dialects.userstore.auth import query
from usher.http.deps import services
from usher.http.responses import Json

# The session a sign-in opens is never handed out (UserStore apps keep their own), so it lives briefly.
RESET_TTL = 3600
CODE_BYTES = 32  # a decoy has the shape of a real TOKEN code: 43 characters of base64url
router = APIRouter(prefix="/1/auth", include_in_schema=False, default_response_class=Json)


@router.post("/signin")
async def signin(request: Request) -> Json:
    """The user, with `last_signin` just set; a disabled account fails like a wrong password."""
    app, body = await _open(request, s.SigninRequest)
    user = await services(request).auth.check_sign_in(app, body.signin_id, body.password, _ctx(request))
    return Json(t.user(user))


@router.post("/signout")
async def signout(request: Request) -> Json:
    """Records the sign-out in the user's activity; the app ends its own session."""
    app, body = await _open(request, s.IdRequest)
    return Json(t.user(await services(request).auth.record_sign_out(app.id, body.id, _ctx(request))))


@router.post("/confirm")
async def confirm(request: Request) -> Json:
    app, body = await _open(request, s.ConfirmRequest)
    await services(request).auth.confirm_password(app, body.id, body.password, _ctx(request))
    return Json({"confirmed": True})


@router.post("/verify")
async def verify(request: Request) -> Json:
    app, body = await _open(request, s.CodeRequest)
    verified = await services(request).verification.verify_token(app, body.code, _ctx(request))
    return Json({"id": verified.user.id})


@router.post("/forgot-password")
async def forgot_password(request: Request) -> Json:
    """A reset code, mailed as `reset_password_url?code=...` when asked; an unknown address gets a decoy."""
    app, body = await _open(request, s.EmailRequest)
    options = query(request, s.ForgotPasswordOptions)
    link = t.code_link(options.reset_password_url) if options.reset_password_url else None
    code = await services(request).recovery.request_reset(
        app,
        body.email,
        _ctx(request),
        fmt=TOKEN,
        ttl=RESET_TTL,
        send=options.send_email,
        delivery=Delivery(link_template=link),
    )
    return Json({"code": code or secrets.token_urlsafe(CODE_BYTES)})


@router.post("/reset-password")
async def reset_password(request: Request) -> Json:
    """Sets the password and ends every session of the user."""
    app, body = await _open(request, s.ResetPasswordRequest)
    user = await services(request).recovery.reset_with_token(app, body.code, body.password, _ctx(request))
    return Json({"updated_at": t.iso(user.updated_at)})

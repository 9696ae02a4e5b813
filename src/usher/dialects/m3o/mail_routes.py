"""M3O mail endpoints: verification, password reset and magic links; and the GET page a verification link opens.

Callers hold the app's secret key (its own backend), so their redirect URLs and link addresses are trusted as
given; only the stored ones are ever redirected to.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from usher.core.errors import InvalidCode
from usher.core.mailing import Delivery
from usher.core.models import EIGHT_ALNUM, TOKEN
from usher.dialects.m3o import schemas as s
from usher.dialects.m3o import translate as t
from usher.dialects.m3o.auth import backend_context, open_call
from usher.dialects.m3o.routes import SESSION_TTL
from usher.http.context import request_context
from usher.http.deps import public_url, services
from usher.http.pages import link_result
from usher.http.responses import Json

VERIFY_TTL = 24 * 3600
MAGIC_LINK_TTL = 60  # the original's figure
router = APIRouter(prefix="/v1/user", include_in_schema=False, default_response_class=Json)
pages = APIRouter(include_in_schema=False)


@router.post("/SendVerificationEmail")
async def send_verification_email(request: Request) -> Json:
    app, body = await open_call(request, s.SendVerificationEmailRequest)
    link = t.verification_link(public_url(request), body.redirect_url, body.failure_redirect_url)
    delivery = Delivery(
        link_template=link,
        redirect_url=body.redirect_url or None,
        failure_redirect_url=body.failure_redirect_url or None,
        overrides=t.overrides(body),
    )
    await services(request).verification.send_verification(
        app, body.email, backend_context(request), fmt=TOKEN, ttl=VERIFY_TTL, delivery=delivery
    )
    return Json({})


@router.post("/VerifyEmail")
async def verify_email(request: Request) -> Json:
    app, body = await open_call(request, s.TokenRequest)
    await services(request).verification.verify_token(app, body.token, backend_context(request))
    return Json({})


@router.post("/SendPasswordResetEmail")
async def send_password_reset_email(request: Request) -> Json:
    app, body = await open_call(request, s.SendPasswordResetEmailRequest)
    delivery = Delivery(overrides=t.overrides(body))
    await services(request).recovery.request_reset(
        app, body.email, backend_context(request), fmt=EIGHT_ALNUM, ttl=body.expiration, delivery=delivery
    )
    return Json({})


@router.post("/ResetPassword")
async def reset_password(request: Request) -> Json:
    """Every session of the user is revoked."""
    app, body = await open_call(request, s.ResetPasswordRequest)
    ctx = backend_context(request)
    await services(request).recovery.reset_with_code(app, body.email, body.code, body.new_password, ctx)
    return Json({})


@router.post("/SendMagicLink")
async def send_magic_link(request: Request) -> Json:
    app, body = await open_call(request, s.SendMagicLinkRequest)
    delivery = Delivery(link_template=t.magic_link(body.address, body.endpoint), overrides=t.overrides(body))
    await services(request).verification.request_magic_link(
        app, body.email, backend_context(request), fmt=TOKEN, ttl=MAGIC_LINK_TTL, delivery=delivery
    )
    return Json({})


@router.post("/VerifyToken")
async def verify_token(request: Request) -> Json:
    """A bad token is an answer (`is_valid: false`), not an error; limits still answer 429."""
    app, body = await open_call(request, s.TokenRequest)
    ctx = backend_context(request)
    try:
        result = await services(request).verification.redeem_magic_link(app, body.token, ctx, session_ttl=SESSION_TTL)
    except InvalidCode as error:
        return Json(t.token_check(None, error.reason))
    return Json(t.token_check(result.issued))


@pages.get("/user/verify")
async def follow_verification_link(request: Request, token: str = "") -> Response:
    """The mailed link: 302 to the URL stored with the token; `redirectUrl`/`failureRedirectUrl` are ignored."""
    return await link_result(services(request).verification.verify_link(token, request_context(request)))

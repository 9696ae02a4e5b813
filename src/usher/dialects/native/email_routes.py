"""Native email verification: ask for a code or link, verify by either, and the mailed link's landing page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from usher.core.errors import Conflict, InvalidInput
from usher.core.verification import Verified
from usher.dialects.native import schemas as s
from usher.dialects.native.delivery import verification_plan
from usher.dialects.native.guards import signed_in
from usher.dialects.native.routes import ERRORS
from usher.dialects.native.translate import user_out
from usher.http.context import request_context
from usher.http.deps import public_url, services
from usher.http.pages import link_result

router = APIRouter(prefix="/apps/{app_id}", tags=["email"])
_LINK_RESPONSES: dict[int | str, dict[str, object]] = {
    302: {"description": "verified (or a known link spent or expired): to the redirect URL stored with the link"},
    400: {"description": "an HTML page: the link is unknown, or spent or expired with no stored failure URL"},
}


@router.post("/email/verification", status_code=202, response_model=s.AcceptedOut, responses=ERRORS)
async def request_verification(app_id: str, body: s.EmailVerificationRequest, request: Request) -> s.AcceptedOut:
    """Mail a verification link or code to an unverified address. The answer is the same for every address."""
    svc = services(request)
    app = await svc.apps.get(app_id)
    plan = verification_plan(app, public_url(request), body.method, body.redirect_url, body.failure_redirect_url)
    await svc.verification.send_verification(
        app, body.email, request_context(request), fmt=plan.fmt, ttl=plan.ttl, delivery=plan.delivery
    )
    return s.AcceptedOut()


@router.post("/me/email/verification", status_code=202, response_model=s.AcceptedOut, responses=ERRORS)
async def request_my_verification(
    app_id: str, request: Request, body: s.MyEmailVerificationRequest | None = None
) -> s.AcceptedOut:
    """Mail a verification link or code to your own address; 409 when it is verified already."""
    found = await signed_in(request, app_id)
    if found.user.email is None:
        raise InvalidInput("the account has no email address", field="email")
    if found.user.email_verified:
        raise Conflict("email", "the email address is already verified")
    body = body or s.MyEmailVerificationRequest()
    svc = services(request)
    app = await svc.apps.get(app_id)
    plan = verification_plan(app, public_url(request), body.method, body.redirect_url, body.failure_redirect_url)
    await svc.verification.send_verification_to(
        app, found.user, request_context(request), fmt=plan.fmt, ttl=plan.ttl, delivery=plan.delivery
    )
    return s.AcceptedOut()


@router.post("/email/verify", response_model=s.VerifiedOut, responses=ERRORS)
async def verify_email(app_id: str, body: s.TokenOrCode, request: Request) -> s.VerifiedOut:
    """Verify with a link's `token`, or with the `email` and the `code` mailed to it."""
    svc, ctx = services(request), request_context(request)
    app = await svc.apps.get(app_id)
    if body.token is not None:
        user = (await svc.verification.verify_token(app, body.token, ctx)).user
    else:
        email, code = body.pair()
        user = await svc.verification.verify_code_by_email(app, email, code, ctx)
    return s.VerifiedOut(user=user_out(user))


@router.get("/email/verify", response_class=HTMLResponse, responses=_LINK_RESPONSES)
async def follow_verification_link(app_id: str, request: Request, token: str = "") -> Response:
    """The mailed link. Redirect targets come only from what was stored with the token, never from the query."""
    return await link_result(_verify_link(request, app_id, token))


async def _verify_link(request: Request, app_id: str, token: str) -> Verified:
    svc = services(request)
    app = await svc.apps.get(app_id)
    return await svc.verification.verify_token(app, token, request_context(request))
